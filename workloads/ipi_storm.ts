// ipi-storm: every CPU alternates interrupts-off spans of random length with
// kick_all_cpus_sync() calls, the pattern whose cost the 2016 fix debate was about.
import type { Cpu, Routine } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import type { Kernel } from '../kernel-sim/kernel.js';
import { local_irq_disable, local_irq_enable } from '../kernel-sim/irqflags.js';
import type { Params, Workload } from './workload.js';

/** Runs `cycles` of computation as steps of at most `chunk`, so the span has instruction boundaries. */
export function* busy(cpu: Cpu, cycles: number, chunk: number): Routine {
  for (let left = cycles; left > 0; left -= chunk) yield cpu.ev(Ev.work, 0, Math.min(chunk, left));
}

export const ipiStorm: Workload = {
  name: 'ipi-storm',
  description: 'every CPU loops: an interrupts-off span of random length, then kick_all_cpus_sync() (with kickPercent chance)',
  minCpus: 1,
  params: {
    irqOffMin: { type: 'int', default: 200, min: 0, max: 10_000_000, description: 'shortest interrupts-off span, cycles' },
    irqOffMax: { type: 'int', default: 5000, min: 0, max: 10_000_000, description: 'longest interrupts-off span, cycles' },
    irqOnMax: { type: 'int', default: 2000, min: 0, max: 10_000_000, description: 'longest interrupts-on work between spans, cycles' },
    kickPercent: { type: 'int', default: 50, min: 0, max: 100, description: 'chance of a kick_all_cpus_sync() per loop, percent' },
    chunk: { type: 'int', default: 200, min: 1, max: 1_000_000, description: 'cycles per computation step' },
  },
  *program(k: Kernel, cpu: Cpu, p: Params): Routine {
    const span = Math.max(0, p.irqOffMax! - p.irqOffMin!) + 1;
    for (;;) {
      cpu.loops++;
      yield local_irq_disable(cpu);
      yield busy(cpu, p.irqOffMin! + cpu.random(span), p.chunk!);
      yield local_irq_enable(cpu);
      yield busy(cpu, cpu.random(p.irqOnMax! + 1), p.chunk!);
      if (cpu.random(100) < p.kickPercent!) yield k.smp.kick_all_cpus_sync(cpu);
    }
  },
};
