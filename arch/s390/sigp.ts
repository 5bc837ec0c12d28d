// SIGNAL PROCESSOR: the orders Linux uses for IPIs (PoP SA22-7832-10,
// chapter 4, "Signal-Processor Orders"; order codes as in
// arch/s390/include/asm/sigp.h, v4.5). The order makes an external-interrupt
// condition pending at the target; the target takes it at an instruction
// boundary only while its PSW enables external interrupts (PSW bit 7 and the
// subclass masks in CR0: PoP chapter 6, "External Interruption").
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import { C, CPU_STRIDE } from '../../emulator/machine.js';
import * as shared from '../../emulator/shared.js';

export const SIGP_SENSE = 0x01;
export const SIGP_EXTERNAL_CALL = 0x02;
export const SIGP_EMERGENCY_SIGNAL = 0x03;
export const SIGP_SENSE_RUNNING = 0x15;

export const SIGP_CC_ORDER_CODE_ACCEPTED = 0;
export const SIGP_CC_STATUS_STORED = 1;
export const SIGP_CC_BUSY = 2;

/** Pending-interrupt bits: external-interrupt codes 0x1202 and 0x1201. */
export const PENDING_EXTERNAL_CALL = 1 << 0;
export const PENDING_EMERGENCY_SIGNAL = 1 << 1;

/** SIGP order to CPU `target`; returns the condition code. */
export function* sigp(cpu: Cpu, target: number, order: number): Fn<number> {
  yield cpu.ev(Ev.sigp, target);
  const w = cpu.machine.v.cpu;
  switch (order) {
    case SIGP_EXTERNAL_CALL:
      // at most one external call can be pending at a CPU: a second is refused with status stored
      if (cpu.raise(target, PENDING_EXTERNAL_CALL) & PENDING_EXTERNAL_CALL) return SIGP_CC_STATUS_STORED;
      return SIGP_CC_ORDER_CODE_ACCEPTED;
    case SIGP_EMERGENCY_SIGNAL:
      cpu.raise(target, PENDING_EMERGENCY_SIGNAL);
      return SIGP_CC_ORDER_CODE_ACCEPTED;
    case SIGP_SENSE_RUNNING:
      // status stored means "not running": a CPU in its idle loop is in an enabled wait
      return shared.load(w, target * CPU_STRIDE + C.ACTIVE) === 1 ? SIGP_CC_ORDER_CODE_ACCEPTED : SIGP_CC_STATUS_STORED;
    default:
      throw new Error(`SIGP order 0x${order.toString(16)} is not modelled`);
  }
}
