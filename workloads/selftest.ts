// selftest-oops: the machine's crash path, end to end. One CPU hits BUG()
// once its clock passes `at` cycles while the others run ipi-storm; the
// first oops must halt every CPU and reach the report.
import type { Cpu, Routine } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { kwordAddr } from '../emulator/kaddr.js';
import type { Kernel } from '../kernel-sim/kernel.js';
import { local_irq_disable, local_irq_enable } from '../kernel-sim/irqflags.js';
import { K } from '../kernel-sim/kernel_words.js';
import { spin_lock, spin_unlock } from '../kernel-sim/spinlock.js';
import * as shared from '../emulator/shared.js';

const LOCK = K.WORKLOAD + 2;
const IRQS_OFF = K.WORKLOAD + 3;
import { busy, ipiStorm } from './ipi_storm.js';
import type { Params, Workload } from './workload.js';

export const selftestOops: Workload = {
  name: 'selftest-oops',
  description: 'CPU `cpu` calls BUG() after `at` cycles while the others run ipi-storm (checks the crash path)',
  minCpus: 1,
  params: {
    cpu: { type: 'int', default: 1, min: 0, max: 255, description: 'the CPU that hits BUG()' },
    at: { type: 'int', default: 100_000, min: 0, max: 1_000_000_000, description: 'cycles before it does' },
    fault: { type: 'int', default: 0, min: 0, max: 1, description: '1: throw an exception instead, as a bug in the emulator would' },
  },
  *program(k: Kernel, cpu: Cpu, p: Params): Routine {
    const defaults = Object.fromEntries(Object.entries(ipiStorm.params).map(([n, s]) => [n, s.default]));
    if (cpu.id !== p.cpu) return yield* ipiStorm.program(k, cpu, defaults);
    yield* busy(cpu, p.at!, 500);
    cpu.enter('selftest_bug');
    if (p.fault === 1) throw new Error(`selftest: an exception inside CPU ${cpu.id}'s routine`);
    cpu.oops('BUG', `selftest: BUG() on CPU ${cpu.id} after ${p.at} cycles`, { at: p.at });
  },
};

/**
 * selftest-deadlock: a real deadlock, for the lockup watchdog. CPU 0 takes a
 * spinlock, disables interrupts and calls smp_call_function_single() on CPU 1
 * with wait (which the kernel warns against); CPU 1 disables interrupts and
 * spins on the same lock, so it never takes the IPI. Both lock up.
 */
export const selftestDeadlock: Workload = {
  name: 'selftest-deadlock',
  description: 'CPU 0 holds a lock and IPIs CPU 1 with interrupts off; CPU 1 spins on that lock with interrupts off (checks the watchdog)',
  minCpus: 2,
  params: {
    delay: { type: 'int', default: 2000, min: 0, max: 1_000_000, description: 'cycles before CPU 1 goes for the lock' },
  },
  *program(k: Kernel, cpu: Cpu, p: Params): Routine {
    const kw = k.machine.v.kernel;
    if (cpu.id === 0) {
      // CPU 1 has interrupts off before anything is sent to it
      while (shared.load(kw, IRQS_OFF) === 0) yield cpu.ev(Ev.spin, kwordAddr(IRQS_OFF));
      yield* spin_lock(cpu, LOCK);
      yield* local_irq_disable(cpu);
      yield* k.smp.smp_call_function_single(cpu, 1, 'do_nothing', 0, true);
      yield* local_irq_enable(cpu);
      yield* spin_unlock(cpu, LOCK);
    } else if (cpu.id === 1) {
      // interrupts off first, and the lock tried only once CPU 0 holds it: the deadlock is certain in any interleaving
      yield* local_irq_disable(cpu);
      shared.store(kw, IRQS_OFF, 1);
      yield* busy(cpu, p.delay!, 500);
      while (shared.load(kw, LOCK) === 0) yield cpu.ev(Ev.spin, kwordAddr(LOCK));
      yield* spin_lock(cpu, LOCK);
      yield* spin_unlock(cpu, LOCK);
      yield* local_irq_enable(cpu);
    }
  },
};
