// Litmus workloads: two CPUs, one ordering question each, answered in the
// report. They pin down the hardware difference the 2016 bug turned on.
//   litmus-irqoff-kick:  CPU 0 holds interrupts off; CPU 1 calls
//                        kick_all_cpus_sync(). Does the kick return before CPU 0
//                        enables interrupts? (It must not, on any arch.)
//   litmus-flush-irqoff: CPU 0 caches a translation, then holds interrupts
//                        off; CPU 1 invalidates the entry and flushes (s390
//                        IPTE/IDTE, x86 IPI). Does the flush complete while CPU
//                        0 is still interrupts-off, and is CPU 0's TLB entry gone?
import type { Cpu, Routine } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import type { Kernel } from '../kernel-sim/kernel.js';
import { local_irq_disable, local_irq_enable } from '../kernel-sim/irqflags.js';
import { K } from '../kernel-sim/kernel_words.js';
import { tlbHolds } from '../arch/tlb.js';
import { busy } from './ipi_storm.js';
import type { Params, Workload } from './workload.js';
import * as shared from '../emulator/shared.js';

// scratch slots (float64)
const IRQ_ON_AGAIN = 0;   // CPU 0's clock when it enabled interrupts
const OP_START = 1;       // CPU 1's clock when the kick / flush began
const OP_END = 2;         // ... and when it returned
const TLB_HELD = 3;       // 1 if CPU 0 still had the translation at the end of its span
const TLB_BEFORE = 4;     // 1 if CPU 0 had the translation when its span began
// kernel words
const W_VA = K.WORKLOAD;
const W_ENTRY = K.WORKLOAD + 1;

const holdParams = {
  hold: { type: 'int', default: 200_000, min: 1000, max: 100_000_000, description: 'cycles CPU 0 keeps interrupts off' },
  delay: { type: 'int', default: 5000, min: 0, max: 10_000_000, description: 'cycles CPU 1 waits before acting' },
  chunk: { type: 'int', default: 500, min: 1, max: 1_000_000, description: 'cycles per computation step' },
} as const;

function report(k: Kernel): Record<string, unknown> {
  const s = k.machine.v.scratch;
  const irqOnAgain = s[IRQ_ON_AGAIN]!;
  const opEnd = s[OP_END]!;
  return {
    cpu0IrqOnAgainAt: irqOnAgain,
    cpu1OpStartedAt: s[OP_START]!,
    cpu1OpEndedAt: opEnd,
    opCompletedWhileIrqOff: opEnd > 0 && opEnd < irqOnAgain,
    tlbHeldBeforeSpan: s[TLB_BEFORE] === 1,
    tlbHeldAtEndOfSpan: s[TLB_HELD] === 1,
  };
}

/** CPU 0: (optionally touch `va`), interrupts off for `hold` cycles, note the TLB, interrupts on. */
function* holder(k: Kernel, cpu: Cpu, p: Params, touch: boolean): Routine {
  const s = k.machine.v.scratch;
  const va = shared.load(k.machine.v.kernel, W_VA);
  if (touch) {
    yield* k.arch.translate(cpu, k.pgd(), va, false);
    yield cpu.ev(Ev.user_load, va);
    s[TLB_BEFORE] = tlbHolds(k.machine, cpu.id, va, k.arch.hpageShift) ? 1 : 0;
  }
  yield* local_irq_disable(cpu);
  yield* busy(cpu, p.hold!, p.chunk!);
  if (touch) s[TLB_HELD] = tlbHolds(k.machine, cpu.id, va, k.arch.hpageShift) ? 1 : 0;
  yield* local_irq_enable(cpu);
  s[IRQ_ON_AGAIN] = cpu.clock;
}

export const litmusIrqoffKick: Workload = {
  name: 'litmus-irqoff-kick',
  description: 'CPU 0 holds interrupts off while CPU 1 calls kick_all_cpus_sync(); the kick must wait',
  minCpus: 2,
  params: holdParams,
  *program(k: Kernel, cpu: Cpu, p: Params): Routine {
    const s = k.machine.v.scratch;
    if (cpu.id === 0) return yield* holder(k, cpu, p, false);
    if (cpu.id !== 1) return;
    yield* busy(cpu, p.delay!, p.chunk!);
    s[OP_START] = cpu.clock;
    yield* k.smp.kick_all_cpus_sync(cpu);
    s[OP_END] = cpu.clock;
  },
  report,
};

export const litmusFlushIrqoff: Workload = {
  name: 'litmus-flush-irqoff',
  description: 'CPU 1 invalidates a translation CPU 0 has cached while CPU 0 holds interrupts off (level 0: pte, 1: pmd)',
  minCpus: 2,
  params: {
    ...holdParams,
    level: { type: 'int', default: 0, min: 0, max: 1, description: '0: a 4 KiB pte (IPTE), 1: a huge pmd (IDTE)' },
  },
  setup(k: Kernel, p: Params): void {
    const va = k.hpageSize * 3; // an address aligned for either mapping
    const kw = k.machine.v.kernel;
    const entry = p.level === 1 ? k.mapUserHuge(va).pmdp : k.mapUserPage(va).ptep;
    shared.store(kw, W_VA, va);
    shared.store(kw, W_ENTRY, entry);
  },
  *program(k: Kernel, cpu: Cpu, p: Params): Routine {
    const s = k.machine.v.scratch;
    if (cpu.id === 0) return yield* holder(k, cpu, p, true);
    if (cpu.id !== 1) return;
    const va = shared.load(k.machine.v.kernel, W_VA);
    const entry = shared.load(k.machine.v.kernel, W_ENTRY);
    yield* busy(cpu, p.delay!, p.chunk!);
    s[OP_START] = cpu.clock;
    if (p.level === 1) yield* k.arch.pmdpInvalidate(cpu, k, entry, va);
    else yield* k.arch.ptepFlushDirect(cpu, k, entry, va);
    s[OP_END] = cpu.clock;
  },
  report,
};
