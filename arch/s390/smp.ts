// The s390 side of IPIs, modelled on arch/s390/kernel/smp.c of Linux v4.5:
// pcpu_ec_call sets a bit in the target's ec_mask and signals it with SIGP;
// do_ext_call_interrupt takes the bits and runs the generic handler.
import type { Cpu, Fn, InterruptEntry, Routine } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import { percpuAddr } from '../../emulator/kaddr.js';
import { C, CPU_STRIDE } from '../../emulator/machine.js';
import type { KernelEntry } from '../arch.js';
import { SIGP_CC_BUSY, SIGP_CC_STATUS_STORED, SIGP_EMERGENCY_SIGNAL, SIGP_EXTERNAL_CALL, SIGP_SENSE_RUNNING, sigp } from './sigp.js';
import * as shared from '../../emulator/shared.js';

// enum in arch/s390/kernel/smp.c (v4.5)
export const ec_schedule = 0;
export const ec_call_function_single = 1;
export const ec_stop_cpu = 2;

const EC_MASK = C.ARCH0;

/** pcpu_running: SIGP SENSE RUNNING STATUS; status stored means not running. */
function* pcpu_running(cpu: Cpu, target: number): Fn<boolean> {
  return (yield* sigp(cpu, target, SIGP_SENSE_RUNNING)) !== SIGP_CC_STATUS_STORED;
}

/** pcpu_ec_call: mark the work in ec_mask; signal only if the bit was clear. */
export function* pcpu_ec_call(cpu: Cpu, target: number, ec_bit: number): Fn<void> {
  cpu.enter('pcpu_ec_call');
  const w = cpu.machine.v.cpu;
  yield cpu.ev(Ev.atomic, percpuAddr(target, EC_MASK));
  const old = shared.or(w, target * CPU_STRIDE + EC_MASK, 1 << ec_bit);
  if ((old & (1 << ec_bit)) === 0) {
    const order = (yield* pcpu_running(cpu, target)) ? SIGP_EXTERNAL_CALL : SIGP_EMERGENCY_SIGNAL;
    // pcpu_sigp_retry: repeat while the target reports busy
    while ((yield* sigp(cpu, target, order)) === SIGP_CC_BUSY);
  }
  cpu.leave();
}

export function* arch_send_call_function_ipi_mask(cpu: Cpu, targets: readonly number[]): Fn<void> {
  for (const t of targets) yield pcpu_ec_call(cpu, t, ec_call_function_single);
}

export function* arch_send_call_function_single_ipi(cpu: Cpu, target: number): Fn<void> {
  yield* pcpu_ec_call(cpu, target, ec_call_function_single);
}

/** do_ext_call_interrupt, entered for external-interrupt codes 0x1201 and 0x1202. */
export function doExtCallInterrupt(k: KernelEntry): InterruptEntry {
  return function* do_ext_call_interrupt(cpu: Cpu, _pending: number): Routine {
    cpu.enter('do_ext_call_interrupt');
    yield cpu.ev(Ev.atomic, percpuAddr(cpu.id, EC_MASK));
    const bits = shared.exchange(cpu.machine.v.cpu, cpu.id * CPU_STRIDE + EC_MASK, 0);
    if (bits & (1 << ec_call_function_single)) yield k.callFunctionInterrupt(cpu);
    cpu.leave();
  };
}
