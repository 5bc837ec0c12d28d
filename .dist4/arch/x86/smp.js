import { Ev } from '../../emulator/events.js';
/** Pending vectors (arch/x86/include/asm/irq_vectors.h, v4.5). */
export const CALL_FUNCTION_VECTOR = 1 << 0; // 0xfc
export const CALL_FUNCTION_SINGLE_VECTOR = 1 << 1; // 0xfb
function* send_IPI(cpu, target, vector) {
    yield cpu.ev(Ev.ipi_send, target);
    cpu.raise(target, vector);
}
export function* native_send_call_func_ipi(cpu, targets) {
    for (const t of targets)
        yield* send_IPI(cpu, t, CALL_FUNCTION_VECTOR);
}
export function* native_send_call_func_single_ipi(cpu, target) {
    yield* send_IPI(cpu, target, CALL_FUNCTION_SINGLE_VECTOR);
}
/** Both vectors end in the generic queue flush (kernel/smp.c). */
export function callFunctionInterrupt(k) {
    return function* smp_call_function_interrupt(cpu, _vectors) {
        cpu.enter('smp_call_function_interrupt');
        yield* k.callFunctionInterrupt(cpu);
        cpu.leave();
    };
}
//# sourceMappingURL=smp.js.map