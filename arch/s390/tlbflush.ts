// s390 page-table invalidation with TLB purge, modelled on
// arch/s390/include/asm/pgtable.h of Linux v4.5 (ptep_flush_direct,
// pmdp_flush_direct): an IPTE or IDTE broadcast, or CSP where the machine
// lacks IDTE. No IPI is sent and no CPU is waited for.
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import { loadEntry } from '../../emulator/physmem.js';
import { csp, idte, ipte } from './ipte.js';
import { _PAGE_INVALID, _SEGMENT_ENTRY_INVALID, HPAGE_SHIFT, pmdIndex } from './pgtable.js';

const HPAGE_SIZE = 2 ** HPAGE_SHIFT;

/** ptep_flush_direct: returns the old pte. */
export function* ptep_flush_direct(cpu: Cpu, ptep: number): Fn<number> {
  cpu.enter('ptep_flush_direct');
  yield cpu.ev(Ev.load, ptep);
  const old = loadEntry(cpu.machine, ptep);
  if ((old & _PAGE_INVALID) === 0) yield* ipte(cpu, ptep);
  cpu.leave();
  return old;
}

/**
 * __pmdp_idte: the segment table's origin is computed back from the entry's
 * address and `address`'s segment index. An `address` outside the entry's
 * segment gives a wrong origin, and the IDTE misses the entry.
 */
export function* __pmdp_idte(cpu: Cpu, address: number, pmdp: number): Fn<void> {
  const sto = pmdp - pmdIndex(address) * 8;
  yield* idte(cpu, sto, address - (address % HPAGE_SIZE));
}

/** pmdp_flush_direct(mm, address, pmdp): returns the old pmd. `hasIdte` is MACHINE_HAS_IDTE. */
export function* pmdp_flush_direct(cpu: Cpu, address: number, pmdp: number, hasIdte: boolean): Fn<number> {
  cpu.enter('pmdp_flush_direct');
  yield cpu.ev(Ev.load, pmdp);
  const old = loadEntry(cpu.machine, pmdp);
  if ((old & _SEGMENT_ENTRY_INVALID) === 0) {
    if (hasIdte) yield* __pmdp_idte(cpu, address, pmdp);
    else yield* csp(cpu, pmdp, old, old | _SEGMENT_ENTRY_INVALID); // __pmdp_csp
  }
  cpu.leave();
  return old;
}
