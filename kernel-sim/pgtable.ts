// Page-table pages and the THP deposit, modelled on mm/pgtable-generic.c and
// arch/s390/mm/pgtable.c (Linux v4.5): pte_alloc_one/pte_free, and
// pgtable_trans_huge_deposit/withdraw, which keep a page table for every
// huge pmd so that splitting it never has to allocate. The deposit is kept per
// pmd here (the kernel keeps a list per mm or per pmd lock).
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { kwordAddr } from '../emulator/kaddr.js';
import { storeEntry } from '../emulator/physmem.js';
import type { Kernel } from './kernel.js';
import { K } from './kernel_words.js';
import { put_page } from './mm.js';
import { Owner } from './mm_types.js';
import { alloc_pages } from './page_alloc.js';
import * as shared from '../emulator/shared.js';

/**
 * pte_alloc_one: a page table in a frame of its own, every entry empty; the
 * address or -1. (s390 v4.5 packs two 2 KiB tables per frame via
 * page->_mapcount; here the second half stays unused.)
 */
export function* pte_alloc_one(cpu: Cpu, k: Kernel): Fn<number> {
  const pfn = yield* alloc_pages(cpu, 0, Owner.PGTABLE);
  if (pfn < 0) return -1;
  const table = k.physOf(pfn);
  const pt = k.arch.pt;
  yield cpu.ev(Ev.work, table, pt.PTRS_PER_PTE); // clearing the table
  for (let i = 0; i < pt.PTRS_PER_PTE; i++) storeEntry(cpu.machine, table + i * 8, pt.pte_empty);
  return table;
}

export function* pte_free(cpu: Cpu, table: number): Fn<void> {
  yield* put_page(cpu, Math.floor(table / cpu.machine.pageBytes));
}

/** The index of the THP-area pmd at `pmdp`. */
function pmdIndex(k: Kernel, pmdp: number): number {
  const i = (pmdp - shared.load(k.machine.v.kernel, K.THP_PMD0)) / 8;
  if (!(i >= 0 && i < shared.load(k.machine.v.kernel, K.THP_SLOTS))) throw new Error(`pmd 0x${pmdp.toString(16)} is outside the THP area`);
  return i;
}

/** The deposit slot of the huge pmd at `pmdp`. */
const slot = (k: Kernel, pmdp: number): number => K.PMD_HUGE_PTE + pmdIndex(k, pmdp);

/**
 * pte_lockptr (include/linux/mm.h, v4.5, USE_SPLIT_PTE_PTLOCKS: NR_CPUS >= 4
 * on every modelled arch): the lock of the page table under the pmd at
 * `pmdp`, the word of its struct page's ptl. Kept per pmd here, so a table
 * freed and replaced under the same pmd reuses the word: never less
 * exclusion than the kernel's. The pmd lock is one word (K.PAGE_TABLE_LOCK):
 * where the arch splits pmd locks (x86, and s390: ARCH_ENABLE_SPLIT_PMD_PTLOCK
 * in arch/s390/Kconfig of v4.5) it is the lock of the one pmd table the THP
 * area lies in, which is the same exclusion.
 */
export const pte_lockptr = (k: Kernel, pmdp: number): number => K.PTE_PTL + pmdIndex(k, pmdp);

/** pgtable_trans_huge_deposit: the caller holds the pmd lock. */
export function* pgtable_trans_huge_deposit(cpu: Cpu, k: Kernel, pmdp: number, table: number): Fn<void> {
  if (k.arch.pgtableDeposit) return yield* k.arch.pgtableDeposit(cpu, k, pmdp, table);
  yield cpu.ev(Ev.store, kwordAddr(slot(k, pmdp)));
  shared.store(k.machine.v.kernel, slot(k, pmdp), table);
}

/** pgtable_trans_huge_withdraw: the caller holds the pmd lock. */
export function* pgtable_trans_huge_withdraw(cpu: Cpu, k: Kernel, pmdp: number): Fn<number> {
  if (k.arch.pgtableWithdraw) return yield* k.arch.pgtableWithdraw(cpu, k, pmdp);
  yield cpu.ev(Ev.load, kwordAddr(slot(k, pmdp)));
  const table = shared.exchange(k.machine.v.kernel, slot(k, pmdp), 0);
  if (table === 0) throw new Error(`no page table deposited for pmd 0x${pmdp.toString(16)}`);
  return table;
}
