// x86 IPIs, modelled on Linux v4.5: native_send_call_func_ipi and
// native_send_call_func_single_ipi (arch/x86/kernel/smp.c) write the local
// APIC's ICR once per destination (x2APIC); the target takes the vector when
// its IF flag allows, in smp_call_function_interrupt /
// smp_call_function_single_interrupt.
import type { Cpu, Fn, InterruptEntry, Routine } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import type { KernelEntry } from '../arch.js';

/** Pending vectors (arch/x86/include/asm/irq_vectors.h, v4.5). */
export const CALL_FUNCTION_VECTOR = 1 << 0;        // 0xfc
export const CALL_FUNCTION_SINGLE_VECTOR = 1 << 1; // 0xfb

function* send_IPI(cpu: Cpu, target: number, vector: number): Fn<void> {
  yield cpu.ev(Ev.ipi_send, target);
  cpu.raise(target, vector);
}

export function* native_send_call_func_ipi(cpu: Cpu, targets: readonly number[]): Fn<void> {
  for (const t of targets) yield* send_IPI(cpu, t, CALL_FUNCTION_VECTOR);
}

export function* native_send_call_func_single_ipi(cpu: Cpu, target: number): Fn<void> {
  yield* send_IPI(cpu, target, CALL_FUNCTION_SINGLE_VECTOR);
}

/** Both vectors end in the generic queue flush (kernel/smp.c). */
export function callFunctionInterrupt(k: KernelEntry): InterruptEntry {
  return function* smp_call_function_interrupt(cpu: Cpu, _vectors: number): Routine {
    cpu.enter('smp_call_function_interrupt');
    yield* k.callFunctionInterrupt(cpu);
    cpu.leave();
  };
}
