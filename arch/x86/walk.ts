// x86-64 page walk for user accesses (Intel SDM vol. 3A, ch. 4.5) through the
// CPU's TLB, and the setup-time construction of tables.
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import type { Machine } from '../../emulator/machine.js';
import { fillEntries, loadEntry, storeEntry } from '../../emulator/physmem.js';
import { pow2 } from '../../emulator/pow2.js';
import { FAULT } from '../arch.js';
import { tlbInsert, tlbInsertLarge, translateVia } from '../tlb.js';
import {
  _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_PSE, _PAGE_RW, _PAGE_TABLE, _PAGE_USER, HPAGE_SHIFT,
  index, LEVEL_SHIFTS, PTE_PFN_MASK, TABLE_BYTES,
} from './pgtable.js';

/** A user access's translation (arch/tlb.ts translateVia): the TLB, then the walk below. */
export function translate(cpu: Cpu, pgd: number, va: number, write: boolean): Fn<number> {
  return translateVia(cpu, va, HPAGE_SHIFT, walk, pgd, write);
}

function* walk(cpu: Cpu, pgd: number, va: number, write: boolean): Fn<number> {
  const m = cpu.machine;
  let table = pgd;
  let pmdp = 0;
  for (const shift of LEVEL_SHIFTS) {
    const p = table + index(va, shift) * 8;
    yield cpu.ev(Ev.dat_level, p);
    const e = loadEntry(m, p);
    if ((e & _PAGE_PRESENT) === 0) return FAULT;
    if (write && (e & _PAGE_RW) === 0) return FAULT;
    if (shift === HPAGE_SHIFT) pmdp = p;
    if (shift === HPAGE_SHIFT && e & _PAGE_PSE) {
      const phys = (e & PTE_PFN_MASK & ~((1 << HPAGE_SHIFT) - 1)) + (va % pow2(HPAGE_SHIFT) & ~0xfff);
      tlbInsertLarge(m, cpu.id, va, HPAGE_SHIFT, e & PTE_PFN_MASK & ~((1 << HPAGE_SHIFT) - 1), pmdp);
      return phys + (va & 0xfff);
    }
    if (shift === 12) {
      tlbInsert(m, cpu.id, va, e & PTE_PFN_MASK, pmdp, p);
      return (e & PTE_PFN_MASK) + (va & 0xfff);
    }
    table = e & PTE_PFN_MASK;
  }
  return FAULT;
}

export function pgdInit(m: Machine, pgd: number): void {
  fillEntries(m, pgd, TABLE_BYTES, 0);
}

/** The entry for `va` at the level of `stopShift`, allocating the tables above it. */
function entryAt(m: Machine, pgd: number, va: number, stopShift: number, alloc: (bytes: number) => number): number {
  let table = pgd;
  for (const shift of LEVEL_SHIFTS) {
    const p = table + index(va, shift) * 8;
    if (shift === stopShift) return p;
    if ((loadEntry(m, p) & _PAGE_PRESENT) === 0) {
      const t = alloc(TABLE_BYTES);
      fillEntries(m, t, TABLE_BYTES, 0);
      storeEntry(m, p, t | _PAGE_TABLE);
    }
    table = loadEntry(m, p) & PTE_PFN_MASK;
  }
  throw new Error(`no paging level with shift ${stopShift}`);
}

const USER_RW = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;

export function mapPage(m: Machine, pgd: number, va: number, phys: number, alloc: (bytes: number) => number): number {
  const p = entryAt(m, pgd, va, 12, alloc);
  storeEntry(m, p, phys | USER_RW);
  return p;
}

export function mapHuge(m: Machine, pgd: number, va: number, phys: number, alloc: (bytes: number) => number): number {
  const p = entryAt(m, pgd, va, HPAGE_SHIFT, alloc);
  storeEntry(m, p, phys | USER_RW | _PAGE_PSE);
  return p;
}
