// selftest-oops: the machine's crash path, end to end. One CPU hits BUG()
// once its clock passes `at` cycles while the others run ipi-storm; the
// first oops must halt every CPU and reach the report.
import type { Cpu, Routine } from '../emulator/cpu.js';
import type { Kernel } from '../kernel-sim/kernel.js';
import { busy, ipiStorm } from './ipi_storm.js';
import type { Params, Workload } from './workload.js';

export const selftestOops: Workload = {
  name: 'selftest-oops',
  description: 'CPU `cpu` calls BUG() after `at` cycles while the others run ipi-storm (checks the crash path)',
  minCpus: 1,
  params: {
    cpu: { type: 'int', default: 1, min: 0, max: 255, description: 'the CPU that hits BUG()' },
    at: { type: 'int', default: 100_000, min: 0, max: 1_000_000_000, description: 'cycles before it does' },
  },
  *program(k: Kernel, cpu: Cpu, p: Params): Routine {
    const defaults = Object.fromEntries(Object.entries(ipiStorm.params).map(([n, s]) => [n, s.default]));
    if (cpu.id !== p.cpu) return yield* ipiStorm.program(k, cpu, defaults);
    yield* busy(cpu, p.at!, 500);
    cpu.enter('selftest_bug');
    cpu.oops('BUG', `selftest: BUG() on CPU ${cpu.id} after ${p.at} cycles`, { at: p.at });
  },
};
