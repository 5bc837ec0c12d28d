// The generic kernel's view of x86-64 entries: arch/x86/include/asm/pgtable.h
// and pgtable_types.h (Linux v4.5; v4.4 for _PAGE_SPLITTING) and the checks of
// arch/x86/mm/gup.c of that time.
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import type { Machine } from '../../emulator/machine.js';
import { loadEntry, storeEntry } from '../../emulator/physmem.js';
import type { KernelEntry, PgtableOps } from '../arch.js';
import {
  _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_PSE, _PAGE_RW, _PAGE_TABLE, _PAGE_USER,
  HPAGE_SHIFT, index, PTE_PFN_MASK, PTRS_PER_TABLE, TABLE_BYTES,
} from './pgtable.js';
import { flush_tlb_mm_range } from './tlb.js';

/** _PAGE_SPLITTING (_PAGE_BIT_SOFTW2, v4.4 only) */
export const _PAGE_SPLITTING = 1 << 10;
const HPAGE_SIZE = 2 ** HPAGE_SHIFT;
const USER = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

export const x86Pgtable: PgtableOps = {
  PTRS_PER_PTE: PTRS_PER_TABLE,
  pteTableBytes: TABLE_BYTES,
  pte_empty: 0,
  pmd_empty: 0,
  pte_index: (va) => index(va, 12),
  pte_none: (pte) => pte === 0,
  pte_present: (pte) => (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) !== 0,
  pte_phys: (pte) => pte & PTE_PFN_MASK,
  mk_pte: (phys, write) => phys | USER | (write ? _PAGE_RW | _PAGE_DIRTY : 0),
  pmd_none: (pmd) => pmd === 0,
  pmd_trans_huge: (pmd) => (pmd & _PAGE_PSE) !== 0,
  pmd_trans_splitting: (pmd) => (pmd & _PAGE_SPLITTING) !== 0,
  pmd_phys: (pmd) => (pmd & _PAGE_PSE ? pmd & PTE_PFN_MASK & ~(HPAGE_SIZE - 1) : pmd & PTE_PFN_MASK),
  pmd_populate: (table) => table | _PAGE_TABLE,
  mk_huge_pmd: (phys, write) => phys | USER | _PAGE_PSE | (write ? _PAGE_RW | _PAGE_DIRTY : 0),
  // gup_huge_pmd: mask = _PAGE_PRESENT|_PAGE_USER (| _PAGE_RW for a write)
  gup_huge_pmd_ok: (pmd, write) => {
    const mask = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);
    return (pmd & mask) === mask;
  },
  // gup_pte_range: the same mask on the pte, and not protnone
  gup_pte_ok: (pte, write) => {
    const mask = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);
    return (pte & mask) === mask;
  },
};

export function pmdAlloc(m: Machine, pgd: number, va: number, alloc: (bytes: number) => number): number {
  let table = pgd;
  for (const shift of [39, 30]) {
    const p = table + index(va, shift) * 8;
    if ((loadEntry(m, p) & _PAGE_PRESENT) === 0) {
      const t = alloc(TABLE_BYTES);
      for (let i = 0; i < PTRS_PER_TABLE; i++) storeEntry(m, t + i * 8, 0);
      storeEntry(m, p, t | _PAGE_TABLE);
    }
    table = loadEntry(m, p) & PTE_PFN_MASK;
  }
  return table + index(va, 21) * 8;
}

/** get_user_pages_fast's walk to the pmd: PML4 and PDPT entries. */
export function* gupWalkToPmd(cpu: Cpu, pgd: number, va: number): Fn<number> {
  let table = pgd;
  for (const shift of [39, 30]) {
    const p = table + index(va, shift) * 8;
    yield cpu.ev(Ev.load, p);
    const e = loadEntry(cpu.machine, p);
    if ((e & _PAGE_PRESENT) === 0) return -1;
    table = e & PTE_PFN_MASK;
  }
  return table + index(va, 21) * 8;
}

/** v4.4 pmdp_splitting_flush: set _PAGE_SPLITTING, then flush_tlb_range over the huge page (an IPI). */
export function* pmdp_splitting_flush(cpu: Cpu, k: KernelEntry, pmdp: number, va: number): Fn<void> {
  cpu.enter('pmdp_splitting_flush');
  yield cpu.ev(Ev.atomic, pmdp);
  storeEntry(cpu.machine, pmdp, loadEntry(cpu.machine, pmdp) | _PAGE_SPLITTING);
  const start = va - (va % HPAGE_SIZE);
  yield* flush_tlb_mm_range(cpu, k, start, start + HPAGE_SIZE);
  cpu.leave();
}

/** pmdp_huge_get_and_clear + flush_tlb_range (zap_huge_pmd's tlb_remove_pmd_tlb_entry) */
export function* pmdp_huge_get_and_clear(cpu: Cpu, k: KernelEntry, pmdp: number, va: number): Fn<number> {
  yield cpu.ev(Ev.pte_store, pmdp);
  const old = loadEntry(cpu.machine, pmdp);
  storeEntry(cpu.machine, pmdp, 0);
  const start = va - (va % HPAGE_SIZE);
  yield* flush_tlb_mm_range(cpu, k, start, start + HPAGE_SIZE);
  return old;
}


/**
 * pmdp_collapse_flush (mm/pgtable-generic.c, v5.19) on x86: native_pmdp_get_and_clear
 * is a plain exchange, so the one flush is flush_tlb_range over the huge page.
 */
export function* pmdp_collapse_flush(cpu: Cpu, k: KernelEntry, pmdp: number, haddr: number): Fn<number> {
  cpu.enter('pmdp_collapse_flush');
  yield cpu.ev(Ev.pte_store, pmdp);
  const old = loadEntry(cpu.machine, pmdp);
  storeEntry(cpu.machine, pmdp, 0);
  yield* flush_tlb_mm_range(cpu, k, haddr, haddr + HPAGE_SIZE);
  cpu.leave();
  return old;
}
