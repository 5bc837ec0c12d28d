// The s390 TLB-purging instructions. Each is one instruction: it changes the
// entry and purges the matching TLB entries of every CPU in the configuration
// before it completes, and it interrupts nobody. A CPU with interrupts off
// loses its TLB entry all the same; that is the heart of the 2016 THP bug.
// PoP SA22-7832-10, chapter 10, "INVALIDATE PAGE TABLE ENTRY",
// "INVALIDATE DAT TABLE ENTRY" and "COMPARE AND SWAP AND PURGE".
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import { cmpxchgEntry, loadEntry, storeEntry } from '../../emulator/physmem.js';
import { tlbFlushAll, tlbPurgeEntry } from '../tlb.js';
import { _PAGE_INVALID, _SEGMENT_ENTRY_INVALID } from './pgtable.js';

function allCpus(cpu: Cpu): number[] {
  return Array.from({ length: cpu.machine.ncpus }, (_, i) => i);
}

/** IPTE: set the page-invalid bit of the pte at `ptep` and purge it from every TLB. */
export function* ipte(cpu: Cpu, ptep: number, local = false): Fn<void> {
  yield cpu.ev(Ev.ipte, ptep);
  const m = cpu.machine;
  storeEntry(m, ptep, loadEntry(m, ptep) | _PAGE_INVALID);
  tlbPurgeEntry(m, local ? [cpu.id] : allCpus(cpu), ptep, 'pte');
}

/**
 * IDTE with the invalidation-and-clearing operation: set the segment-invalid
 * bit of the entry at `pmdp` and purge every TLB entry formed through it
 * (pte-level entries of its page table included).
 */
export function* idte(cpu: Cpu, pmdp: number, local = false): Fn<void> {
  yield cpu.ev(Ev.idte, pmdp);
  const m = cpu.machine;
  storeEntry(m, pmdp, loadEntry(m, pmdp) | _SEGMENT_ENTRY_INVALID);
  tlbPurgeEntry(m, local ? [cpu.id] : allCpus(cpu), pmdp, 'upper');
}

/**
 * CSP: compare and swap the word at `addr`; when it swapped, purge the whole
 * TLB of every CPU. Returns whether it swapped.
 */
export function* csp(cpu: Cpu, addr: number, old: number, value: number): Fn<boolean> {
  yield cpu.ev(Ev.csp, addr);
  const m = cpu.machine;
  if (cmpxchgEntry(m, addr, old, value) !== old) return false;
  for (let c = 0; c < m.ncpus; c++) tlbFlushAll(m, c);
  return true;
}
