// local_irq_* as in include/linux/irqflags.h (v4.5); on s390 STNSM/STOSM
// change the PSW external-interrupt mask, on x86 CLI/STI the IF flag.
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';

export function* local_irq_disable(cpu: Cpu): Fn<void> {
  yield cpu.ev(Ev.irq_disable);
  cpu.irqDisable();
}

export function* local_irq_enable(cpu: Cpu): Fn<void> {
  yield cpu.ev(Ev.irq_enable);
  cpu.irqEnable();
}

/** Returns the flags to hand to local_irq_restore: true when interrupts were enabled. */
export function* local_irq_save(cpu: Cpu): Fn<boolean> {
  yield cpu.ev(Ev.irq_disable);
  const flags = cpu.irqOn;
  cpu.irqDisable();
  return flags;
}

export function* local_irq_restore(cpu: Cpu, flags: boolean): Fn<void> {
  yield cpu.ev(flags ? Ev.irq_enable : Ev.irq_disable);
  if (flags) cpu.irqEnable();
  else cpu.irqDisable();
}

export function irqs_disabled(cpu: Cpu): boolean {
  return !cpu.irqOn;
}
