// The workloads a run can name.
import { ipiLatency } from './ipi_latency.js';
import { ipiStorm } from './ipi_storm.js';
import { litmusFlushIrqoff, litmusIrqoffKick } from './litmus.js';
import { selftestDeadlock, selftestOops } from './selftest.js';
import { thpSplitVsGup } from './thp_split_vs_gup.js';
export const WORKLOADS = Object.fromEntries([thpSplitVsGup, ipiStorm, ipiLatency, litmusIrqoffKick, litmusFlushIrqoff, selftestOops, selftestDeadlock].map((w) => [w.name, w]));
//# sourceMappingURL=index.js.map