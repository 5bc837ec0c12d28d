// The workloads a run can name.
import { collapseVsGup } from './collapse_vs_gup.js';
import { ipiLatency } from './ipi_latency.js';
import { ipiStorm } from './ipi_storm.js';
import { MIXES } from './mixes.js';
import { litmusFlushIrqoff, litmusIrqoffKick } from './litmus.js';
import { selftestDeadlock, selftestOops } from './selftest.js';
import { thpSplitVsGup } from './thp_split_vs_gup.js';
import type { Workload } from './workload.js';

export const WORKLOADS: Readonly<Record<string, Workload>> = Object.fromEntries(
  [thpSplitVsGup, collapseVsGup, ipiStorm, ipiLatency, litmusIrqoffKick, litmusFlushIrqoff, selftestOops, selftestDeadlock, ...MIXES].map((w) => [w.name, w]),
);
