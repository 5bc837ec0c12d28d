// ipi-latency: the latency of kick_all_cpus_sync() (mode 0) or of
// smp_call_function_single() to the last CPU (mode 1), as CPU 0 sees it, in
// simulated cycles per call. The last `held` CPUs sit in
// interrupts-off sections, as a fast_gup walk would: each is inside one when
// the IPI arrives and stays there `hold` more cycles, so the call cannot
// return sooner than that. Every other CPU idles with interrupts enabled.
import type { Cpu, Routine } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { C, CPU_STRIDE, M, SAMPLE_SLOTS } from '../emulator/machine.js';
import type { Kernel } from '../kernel-sim/kernel.js';
import { local_irq_disable, local_irq_enable } from '../kernel-sim/irqflags.js';
import { K } from '../kernel-sim/kernel_words.js';
import { busy } from './ipi_storm.js';
import type { Params, Workload } from './workload.js';
import * as shared from '../emulator/shared.js';

const READY = K.WORKLOAD;     // held CPUs inside their section for this round
const ROUND = K.WORKLOAD + 1; // the round CPU 0 is on; -1 when done

function* caller(k: Kernel, cpu: Cpu, p: Params): Routine {
  const m = k.machine;
  const kw = m.v.kernel;
  for (let i = 0; i < p.calls!; i++) {
    shared.store(kw, ROUND, i + 1);
    // wait until every held CPU is inside its interrupts-off section
    while (shared.load(kw, READY) < p.held!) yield cpu.ev(Ev.spin, 0);
    const t0 = cpu.clock;
    if (p.mode === 0) yield* k.smp.kick_all_cpus_sync(cpu);
    else yield* k.smp.smp_call_function_single(cpu, m.ncpus - 1, 'do_nothing', 0, true);
    const n = shared.add(m.v.control, M.SAMPLES, 1);
    if (n < SAMPLE_SLOTS) m.v.samples[n] = cpu.clock - t0;
    shared.store(kw, READY, 0);
    yield* busy(cpu, p.gap!, 500);
  }
  shared.store(kw, ROUND, -1);
}

function* held(k: Kernel, cpu: Cpu, p: Params): Routine {
  const m = k.machine;
  const kw = m.v.kernel;
  let seen = 0;
  for (;;) {
    let round: number;
    while ((round = shared.load(kw, ROUND)) === seen) yield cpu.ev(Ev.spin, 0);
    if (round < 0) return;
    seen = round;
    yield* local_irq_disable(cpu);
    shared.add(kw, READY, 1);
    // still inside the section when the IPI becomes pending ...
    while (shared.load(m.v.cpu, cpu.id * CPU_STRIDE + C.PENDING) === 0) yield cpu.ev(Ev.work, 0, 50);
    // ... and for `hold` cycles more
    yield* busy(cpu, p.hold!, 500);
    yield* local_irq_enable(cpu);
  }
}

export const ipiLatency: Workload = {
  name: 'ipi-latency',
  description: 'latency of kick_all_cpus_sync() (mode 0) or smp_call_function_single() (mode 1) from CPU 0, with `held` CPUs interrupts-off',
  minCpus: 2,
  params: {
    mode: { type: 'int', default: 0, min: 0, max: 1, description: '0: kick_all_cpus_sync(), 1: smp_call_function_single() to the last CPU' },
    calls: { type: 'int', default: 30, min: 1, max: 8192, description: 'calls measured' },
    held: { type: 'int', default: 0, min: 0, max: 255, description: 'CPUs (the last ones) inside an interrupts-off section when the IPI arrives' },
    hold: { type: 'int', default: 20_000, min: 0, max: 100_000_000, description: 'cycles a held CPU stays interrupts-off after the IPI arrives' },
    gap: { type: 'int', default: 2000, min: 0, max: 10_000_000, description: 'cycles between two calls' },
  },
  *program(k: Kernel, cpu: Cpu, p: Params): Routine {
    if (cpu.id === 0) yield* caller(k, cpu, p);
    // the held CPUs are the last ones, which the IPIs reach last
    else if (cpu.id >= k.machine.ncpus - p.held!) yield* held(k, cpu, p);
  },
  report(k: Kernel): Record<string, unknown> {
    const n = Math.min(shared.load(k.machine.v.control, M.SAMPLES), SAMPLE_SLOTS);
    return { latencyCycles: Array.from(k.machine.v.samples.subarray(0, n)) };
  },
};
