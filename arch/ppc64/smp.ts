// IPIs on a POWER8 PowerNV machine, modelled on arch/powerpc/kernel/smp.c
// (smp_muxed_ipi_message_pass, smp_ipi_demux) and
// arch/powerpc/sysdev/xics/icp-native.c (icp_native_cause_ipi,
// icp_native_ipi_action) of Linux v4.4/v4.5. A message is a byte in the
// target's ipi_message word; the IPI itself is a msgsnd doorbell when the
// target is a thread of the same core (CPU_FTR_DBELL), otherwise a store to
// the target's MFRR in the XICS presentation controller. Both are taken only
// when the target's MSR[EE] (Linux's soft mask) allows.
import type { Cpu, Fn, InterruptEntry, Routine } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import { percpuAddr } from '../../emulator/kaddr.js';
import { C, CPU_STRIDE } from '../../emulator/machine.js';
import type { KernelEntry } from '../arch.js';
import { ppc64Costs } from './costs.js';
import * as shared from '../../emulator/shared.js';

/** message numbers (arch/powerpc/include/asm/smp.h, v4.4); CALL_FUNC_SINGLE goes as CALL_FUNCTION */
export const PPC_MSG_CALL_FUNCTION = 0;
/** IPI_MESSAGE(A) on big-endian: message A is byte A of the int, counted from the most significant */
export const IPI_MESSAGE = (a: number): number => 1 << (24 - 8 * a);

/** Pending-interrupt bits: an XICS external interrupt (0x500), a doorbell (0xe80 on PowerNV). */
export const PENDING_XICS = 1 << 0;
export const PENDING_DBELL = 1 << 1;

/** struct cpu_messages: the per-CPU ipi_message word */
const MESSAGES = C.ARCH0;

export const sameCore = (cpu: Cpu, target: number): boolean => {
  const t = ppc64Costs(cpu.machine).threadsPerCore.value;
  return Math.floor(cpu.id / t) === Math.floor(target / t);
};

/** icp_native_cause_ipi: a doorbell to a sibling thread, else icp_native_set_qirr(cpu, IPI_PRIORITY). */
function* cause_ipi(cpu: Cpu, target: number): Fn<void> {
  if (sameCore(cpu, target)) {
    yield cpu.ev(Ev.sigp, target); // msgsnd
    cpu.raise(target, PENDING_DBELL);
  } else {
    yield cpu.ev(Ev.ipi_send, target); // the MFRR store
    cpu.raise(target, PENDING_XICS);
  }
}

/** smp_muxed_ipi_message_pass: smp_mb(); message[msg] = 1; cause_ipi. */
export function* smp_muxed_ipi_message_pass(cpu: Cpu, target: number, msg: number): Fn<void> {
  cpu.enter('smp_muxed_ipi_message_pass');
  yield cpu.ev(Ev.atomic, percpuAddr(target, MESSAGES));
  shared.or(cpu.machine.v.cpu, target * CPU_STRIDE + MESSAGES, IPI_MESSAGE(msg));
  yield* cause_ipi(cpu, target);
  cpu.leave();
}

export function* arch_send_call_function_ipi_mask(cpu: Cpu, targets: readonly number[]): Fn<void> {
  for (const t of targets) yield* smp_muxed_ipi_message_pass(cpu, t, PPC_MSG_CALL_FUNCTION);
}

export function* arch_send_call_function_single_ipi(cpu: Cpu, target: number): Fn<void> {
  yield* smp_muxed_ipi_message_pass(cpu, target, PPC_MSG_CALL_FUNCTION);
}

/** smp_ipi_demux: take the messages with xchg until none is left. */
function* smp_ipi_demux(cpu: Cpu, k: KernelEntry): Fn<void> {
  cpu.enter('smp_ipi_demux');
  const w = cpu.machine.v.cpu;
  const word = cpu.id * CPU_STRIDE + MESSAGES;
  for (;;) {
    yield cpu.ev(Ev.atomic, percpuAddr(cpu.id, MESSAGES));
    const all = shared.exchange(w, word, 0);
    if (all & IPI_MESSAGE(PPC_MSG_CALL_FUNCTION)) yield* k.callFunctionInterrupt(cpu); // generic_smp_call_function_interrupt
    if (shared.load(w, word) === 0) break;
  }
  cpu.leave();
}

/**
 * The interrupt entry: the XICS external interrupt (xics_get_irq's XIRR load,
 * icp_native_ipi_action resetting the MFRR, the EOI) or the doorbell
 * exception; both end in smp_ipi_demux.
 */
export function ppc64IpiEntry(k: KernelEntry): InterruptEntry {
  return function* ppc64_ipi(cpu: Cpu, pending: number): Routine {
    if (pending & PENDING_XICS) {
      cpu.enter('icp_native_ipi_action');
      yield cpu.ev(Ev.work, percpuAddr(cpu.id, C.PENDING), ppc64Costs(cpu.machine).xirr.cycles);
      yield cpu.ev(Ev.store, percpuAddr(cpu.id, C.PENDING)); // icp_native_set_qirr(cpu, 0xff)
      yield* smp_ipi_demux(cpu, k);
      cpu.leave();
    }
    if (pending & PENDING_DBELL) {
      cpu.enter('doorbell_exception');
      yield* smp_ipi_demux(cpu, k);
      cpu.leave();
    }
  };
}
