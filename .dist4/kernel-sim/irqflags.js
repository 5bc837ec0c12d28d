import { Ev } from '../emulator/events.js';
export function* local_irq_disable(cpu) {
    yield cpu.ev(Ev.irq_disable);
    cpu.irqDisable();
}
export function* local_irq_enable(cpu) {
    yield cpu.ev(Ev.irq_enable);
    cpu.irqEnable();
}
/** Returns the flags to hand to local_irq_restore: true when interrupts were enabled. */
export function* local_irq_save(cpu) {
    yield cpu.ev(Ev.irq_disable);
    const flags = cpu.irqOn;
    cpu.irqDisable();
    return flags;
}
export function* local_irq_restore(cpu, flags) {
    yield cpu.ev(flags ? Ev.irq_enable : Ev.irq_disable);
    if (flags)
        cpu.irqEnable();
    else
        cpu.irqDisable();
}
export function irqs_disabled(cpu) {
    return !cpu.irqOn;
}
//# sourceMappingURL=irqflags.js.map