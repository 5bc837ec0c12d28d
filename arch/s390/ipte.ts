// The s390 TLB-purging instructions. Each is one instruction: it changes the
// entry and purges the matching TLB entries of every CPU in the configuration
// before it completes, and it interrupts nobody. A CPU with interrupts off
// loses its TLB entry all the same; that is the heart of the 2016 THP bug.
// PoP SA22-7832-10, chapter 10, "INVALIDATE PAGE TABLE ENTRY",
// "INVALIDATE DAT TABLE ENTRY" and "COMPARE AND SWAP AND PURGE".
import { kasan_report } from '../../kernel-sim/kasan.js';
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import { cmpxchgEntry, loadEntry, storeEntry } from '../../emulator/physmem.js';
import { tlbFlushAll, tlbPurgeEntry } from '../tlb.js';
import { dumpPage, Owner, P, pw } from '../../kernel-sim/mm_types.js';
import { _PAGE_INVALID, _SEGMENT_ENTRY_INVALID } from './pgtable.js';
import * as shared from '../../emulator/shared.js';

function allCpus(cpu: Cpu): number[] {
  return Array.from({ length: cpu.machine.ncpus }, (_, i) => i);
}

/** IPTE: set the page-invalid bit of the pte at `ptep` and purge it from every TLB. */
export function* ipte(cpu: Cpu, ptep: number, local = false): Fn<void> {
  yield cpu.ev(Ev.ipte, ptep);
  const m = cpu.machine;
  storeEntry(m, ptep, loadEntry(m, ptep) | _PAGE_INVALID);
  tlbPurgeEntry(m, local ? [cpu.id] : allCpus(cpu), ptep, 'pte');
  if (!local) cpu.stallOthers();
}

/**
 * IDTE, invalidation-and-clearing operation, as the instruction takes its
 * operands: R1 holds the table origin (bits 0-51) and the designation type
 * DT (bits 60-61: 0 segment, 1 region-third, 2 region-second, 3 region-first
 * table); R2 the address whose index for that table type selects the entry.
 * The entry's invalid bit is set and every TLB entry formed through it is
 * cleared (pte-level entries of a segment's page table included). Nothing
 * checks that R1 designates a real table: a wrong origin invalidates
 * whatever doubleword it lands on. Returns the entry's address.
 */
export function* idte(cpu: Cpu, r1: number, r2: number, local = false): Fn<number> {
  const origin = r1 & ~0xfff;
  const dt = (r1 >>> 2) & 3;
  const index = Math.floor(r2 / 2 ** (20 + 11 * dt)) % 2048;
  const entry = origin + index * 8;
  yield cpu.ev(Ev.idte, entry);
  const m = cpu.machine;
  shadowCheckTable(cpu, entry, 'IDTE');
  storeEntry(m, entry, loadEntry(m, entry) | _SEGMENT_ENTRY_INVALID); // 0x20 is the invalid bit of every region and segment entry
  tlbPurgeEntry(m, local ? [cpu.id] : allCpus(cpu), entry, 'upper');
  if (!local) cpu.stallOthers();
  return entry;
}

/** KASAN-like shadow: a DAT-table instruction must land in a frame that holds DAT tables. */
function shadowCheckTable(cpu: Cpu, entry: number, insn: string): void {
  const m = cpu.machine;
  const owner = shared.load(m.v.pages, pw(entry >>> 12, P.OWNER));
  if (owner === Owner.PGTABLE || owner === Owner.BOOT) return;
  // (without KASAN the instruction sets the invalid bit in whatever the frame holds now)
  kasan_report(cpu, 'KASAN: wild-memory-access', () => ({
    message: `${insn} invalidated 0x${entry.toString(16)}, in a frame that holds no DAT table`,
    details: { entry: `0x${entry.toString(16)}`, page: dumpPage(m, entry >>> 12) },
  }));
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
  cpu.stallOthers();
  return true;
}
