// Dynamic address translation for user accesses: the CPU's TLB first, on a
// miss a walk of region-third, segment and page table (PoP SA22-7832-10,
// chapter 3 "Storage", "Translation Process"), filling the TLB with where it came from
// so that IPTE and IDTE can purge exactly what they must.
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import type { Machine } from '../../emulator/machine.js';
import { fillEntries, loadEntry, storeEntry } from '../../emulator/physmem.js';
import { FAULT } from '../arch.js';
import { tlbFormChecked, translateVia } from '../tlb.js';
import {
  _PAGE_DIRTY, _PAGE_EMPTY, _PAGE_INVALID, _PAGE_PRESENT, _PAGE_PROTECT, _PAGE_READ, _PAGE_WRITE, _PAGE_YOUNG,
  _REGION3_ENTRY, _REGION3_ENTRY_EMPTY, _REGION_ENTRY_INVALID, _REGION_ENTRY_ORIGIN, _SEGMENT_ENTRY_DIRTY,
  _SEGMENT_ENTRY, _SEGMENT_ENTRY_EMPTY, _SEGMENT_ENTRY_INVALID, _SEGMENT_ENTRY_LARGE, _SEGMENT_ENTRY_ORIGIN,
  _SEGMENT_ENTRY_ORIGIN_LARGE, _SEGMENT_ENTRY_PROTECT, _SEGMENT_ENTRY_READ, _SEGMENT_ENTRY_WRITE,
  _SEGMENT_ENTRY_YOUNG, CRST_TABLE_BYTES, HPAGE_SHIFT, PAGE_MASK, PAGE_TABLE_BYTES, pgdIndex, pmdIndex, pteIndex,
} from './pgtable.js';

/** Physical address of the segment-table entry for `va`, or -1 when its region entry is invalid. */
export function pmdOffset(m: Machine, pgd: number, va: number): number {
  const r3 = loadEntry(m, pgd + pgdIndex(va) * 8);
  if (r3 & _REGION_ENTRY_INVALID) return -1;
  return (r3 & _REGION_ENTRY_ORIGIN) + pmdIndex(va) * 8;
}

/** A user access's translation (arch/tlb.ts translateVia): the TLB, then the walk below. */
export function translate(cpu: Cpu, pgd: number, va: number, write: boolean): Fn<number> {
  return translateVia(cpu, va, HPAGE_SHIFT, walk, pgd, write);
}

function* walk(cpu: Cpu, pgd: number, va: number, write: boolean): Fn<number> {
  const m = cpu.machine;
  for (;;) {
    const r3p = pgd + pgdIndex(va) * 8;
    yield cpu.ev(Ev.dat_level, r3p);
    const r3 = loadEntry(m, r3p);
    if (r3 & _REGION_ENTRY_INVALID) return FAULT;
    const stp = (r3 & _REGION_ENTRY_ORIGIN) + pmdIndex(va) * 8;
    yield cpu.ev(Ev.dat_level, stp);
    const ste = loadEntry(m, stp);
    if (ste & _SEGMENT_ENTRY_INVALID) return FAULT;
    let phys: number;
    let ptep = 0;
    let pte = 0;
    if (ste & _SEGMENT_ENTRY_LARGE) {
      if (write && ste & _SEGMENT_ENTRY_PROTECT) return FAULT;
      phys = (ste & _SEGMENT_ENTRY_ORIGIN_LARGE) + (va & 0xff000);
    } else {
      ptep = (ste & _SEGMENT_ENTRY_ORIGIN) + pteIndex(va) * 8;
      yield cpu.ev(Ev.dat_level, ptep);
      pte = loadEntry(m, ptep);
      if (pte & _PAGE_INVALID) return FAULT;
      if (write && pte & _PAGE_PROTECT) return FAULT;
      phys = pte & PAGE_MASK;
    }
    // The walk is one instruction's worth of accesses: the hardware never keeps a
    // translation formed through an entry that an IPTE/IDTE invalidated meanwhile.
    const large = ptep === 0;
    if (!tlbFormChecked(m, cpu.id, va, HPAGE_SHIFT, large, large ? ste & _SEGMENT_ENTRY_ORIGIN_LARGE : phys, stp, ste, ptep, pte)) continue;
    return phys + (va & 0xfff);
  }
}

// --- setup-time construction (not routines: run before the CPUs start) -----

export function pgdInit(m: Machine, pgd: number): void {
  fillEntries(m, pgd, CRST_TABLE_BYTES, _REGION3_ENTRY_EMPTY);
}

/** The segment entry for `va`, allocating the segment table if the region entry is empty. */
function pmdAlloc(m: Machine, pgd: number, va: number, alloc: (bytes: number) => number): number {
  const r3p = pgd + pgdIndex(va) * 8;
  if (loadEntry(m, r3p) & _REGION_ENTRY_INVALID) {
    const st = alloc(CRST_TABLE_BYTES);
    fillEntries(m, st, CRST_TABLE_BYTES, _SEGMENT_ENTRY_EMPTY);
    storeEntry(m, r3p, st | _REGION3_ENTRY);
  }
  return (loadEntry(m, r3p) & _REGION_ENTRY_ORIGIN) + pmdIndex(va) * 8;
}

/** A writable, dirty, young anonymous pte (mk_pte with PAGE_SHARED, then pte_mkdirty/young). */
export const mkPteRw = (phys: number): number => phys | _PAGE_PRESENT | _PAGE_READ | _PAGE_WRITE | _PAGE_YOUNG | _PAGE_DIRTY;

/**
 * A writable, dirty huge segment entry: pmd_mkhuge sets LARGE|YOUNG|PROTECT,
 * then pmd_mkwrite and pmd_mkdirty set WRITE and DIRTY and drop PROTECT.
 */
export const mkPmdHugeRw = (phys: number): number =>
  phys | _SEGMENT_ENTRY_LARGE | _SEGMENT_ENTRY_READ | _SEGMENT_ENTRY_WRITE | _SEGMENT_ENTRY_YOUNG | _SEGMENT_ENTRY_DIRTY;

export function mapPage(m: Machine, pgd: number, va: number, phys: number, alloc: (bytes: number) => number): number {
  const stp = pmdAlloc(m, pgd, va, alloc);
  if (loadEntry(m, stp) & _SEGMENT_ENTRY_INVALID) {
    const pt = alloc(PAGE_TABLE_BYTES);
    fillEntries(m, pt, PAGE_TABLE_BYTES, _PAGE_EMPTY);
    storeEntry(m, stp, pt | _SEGMENT_ENTRY); // pmd_populate: the bare page-table origin
  }
  const ptep = (loadEntry(m, stp) & _SEGMENT_ENTRY_ORIGIN) + pteIndex(va) * 8;
  storeEntry(m, ptep, mkPteRw(phys));
  return ptep;
}

export function mapHuge(m: Machine, pgd: number, va: number, phys: number, alloc: (bytes: number) => number): number {
  const stp = pmdAlloc(m, pgd, va, alloc);
  storeEntry(m, stp, mkPmdHugeRw(phys));
  return stp;
}
