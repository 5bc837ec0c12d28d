// The arm64 stage-1 translation table walk for EL0 accesses (ARM ARM DDI 0487,
// chapter D4 "The AArch64 Virtual Memory System Architecture": 4 KiB granule,
// TTBR0_EL1 starting at level 1 for a 39-bit VA) through the CPU's TLB, and the
// setup-time construction of tables, as Linux v4.4/v4.5 fills them
// (arch/arm64/include/asm/pgalloc.h __pud_populate/__pmd_populate).
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import type { Machine } from '../../emulator/machine.js';
import { fillEntries, loadEntry, storeEntry } from '../../emulator/physmem.js';
import { pow2 } from '../../emulator/pow2.js';
import { FAULT } from '../arch.js';
import { tlbFormChecked, translateVia } from '../tlb.js';
import {
  HPAGE_SHIFT, index, LEVEL_SHIFTS, mkHugePmd, mkPte, mkTable, PAGE_SHIFT, PGDIR_SHIFT, PMD_SECT_ADDR_MASK,
  PMD_SECT_VALID, PMD_SHIFT, PMD_TABLE_BIT, PMD_TYPE_MASK, PMD_TYPE_TABLE, PTE_ADDR_MASK, PTE_AF, PTE_RDONLY,
  PTE_TYPE_MASK, PTE_TYPE_PAGE, PTE_USER, TABLE_BYTES,
} from './pgtable.js';

/** A user access's translation (arch/tlb.ts translateVia): the TLB, then the walk below. */
export function translate(cpu: Cpu, pgd: number, va: number, write: boolean): Fn<number> {
  return translateVia(cpu, va, HPAGE_SHIFT, walk, pgd, write);
}

/**
 * What an EL0 access needs of a block or page descriptor: AF set (ARMv8.0
 * without hardware AF management takes an Access flag fault), AP[1] (EL0
 * access), and AP[2] clear for a write (Permission fault otherwise).
 */
function permits(e: number, write: boolean): boolean {
  return (e & PTE_AF) !== 0 && (e & PTE_USER) !== 0 && !(write && (e & PTE_RDONLY) !== 0);
}

function* walk(cpu: Cpu, pgd: number, va: number, write: boolean): Fn<number> {
  const m = cpu.machine;
  for (;;) {
    const pgdp = pgd + index(va, PGDIR_SHIFT) * 8;
    yield cpu.ev(Ev.dat_level, pgdp);
    const pgdval = loadEntry(m, pgdp);
    // level 1: a table descriptor, or a fault (the model makes no 1 GiB blocks)
    if ((pgdval & PMD_TYPE_MASK) !== PMD_TYPE_TABLE) return FAULT;
    const pmdp = (pgdval & PTE_ADDR_MASK) + index(va, PMD_SHIFT) * 8;
    yield cpu.ev(Ev.dat_level, pmdp);
    const pmd = loadEntry(m, pmdp);
    if ((pmd & PMD_SECT_VALID) === 0) return FAULT;
    let phys: number;
    let ptep = 0;
    let pte = 0;
    let base = 0;
    if ((pmd & PMD_TABLE_BIT) === 0) {
      // level 2 block: the THP
      if (!permits(pmd, write)) return FAULT;
      base = pmd & PMD_SECT_ADDR_MASK;
      phys = base + ((va % pow2(HPAGE_SHIFT)) & ~0xfff);
    } else {
      ptep = (pmd & PTE_ADDR_MASK) + index(va, PAGE_SHIFT) * 8;
      yield cpu.ev(Ev.dat_level, ptep);
      pte = loadEntry(m, ptep);
      // level 3: type 0b11 is a page; 0b01 is reserved and faults like an invalid entry
      if ((pte & PTE_TYPE_MASK) !== PTE_TYPE_PAGE || !permits(pte, write)) return FAULT;
      phys = pte & PTE_ADDR_MASK;
    }
    // A walk is one instruction's accesses: a TLBI ...IS that follows the store of a
    // new descriptor never leaves a translation formed from the old one behind.
    const large = ptep === 0;
    if (!tlbFormChecked(m, cpu.id, va, HPAGE_SHIFT, large, large ? base : phys, pmdp, pmd, ptep, pte)) continue;
    return phys + (va & 0xfff);
  }
}

// --- setup-time construction (not routines: run before the CPUs start) -----

export function pgdInit(m: Machine, pgd: number): void {
  fillEntries(m, pgd, TABLE_BYTES, 0);
}

/** The entry for `va` at the level of `stopShift`, allocating the tables above it. */
export function entryAt(m: Machine, pgd: number, va: number, stopShift: number, alloc: (bytes: number) => number): number {
  let table = pgd;
  for (const shift of LEVEL_SHIFTS) {
    const p = table + index(va, shift) * 8;
    if (shift === stopShift) return p;
    if (loadEntry(m, p) === 0) {
      const t = alloc(TABLE_BYTES);
      fillEntries(m, t, TABLE_BYTES, 0);
      storeEntry(m, p, mkTable(t));
    }
    table = loadEntry(m, p) & PTE_ADDR_MASK;
  }
  throw new Error(`no translation level with shift ${stopShift}`);
}

export function mapPage(m: Machine, pgd: number, va: number, phys: number, alloc: (bytes: number) => number): number {
  const p = entryAt(m, pgd, va, PAGE_SHIFT, alloc);
  storeEntry(m, p, mkPte(phys, true));
  return p;
}

export function mapHuge(m: Machine, pgd: number, va: number, phys: number, alloc: (bytes: number) => number): number {
  const p = entryAt(m, pgd, va, HPAGE_SHIFT, alloc);
  storeEntry(m, p, mkHugePmd(phys, true));
  return p;
}
