// pgtable_trans_huge_deposit/withdraw as arch/s390/mm/pgtable.c of v4.5 has them
// (__HAVE_ARCH_PGTABLE_DEPOSIT): s390's page tables are 2 KiB fragments, not a
// struct page each, so the FIFO of deposited tables is a struct list_head in
// the first 16 bytes of each table itself, over pte[0] and pte[1]; withdraw
// unlinks the table and writes _PAGE_INVALID back into both. The head
// (pmd_huge_pte) is per pmd-table page with split pmd ptlocks (s390 selects
// ARCH_ENABLE_SPLIT_PMD_PTLOCK; include/linux/mm.h v4.5): every THP-area pmd
// lies in one segment table here, so one word holds it, under the pmd lock.
// A store through a stale translation into a deposited table thus corrupts
// the list, and CONFIG_DEBUG_LIST says so (kernel-sim/list_debug.ts).
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import { kwordAddr } from '../../emulator/kaddr.js';
import { kernel_load, kernel_store } from '../../kernel-sim/kernel_access.js';
import { K } from '../../kernel-sim/kernel_words.js';
import { INIT_LIST_HEAD, list_add, list_del, list_empty } from '../../kernel-sim/list_debug.js';
import type { KernelEntry } from '../arch.js';
import { _PAGE_INVALID } from './pgtable.js';

export function* pgtable_trans_huge_deposit(cpu: Cpu, _k: KernelEntry, _pmdp: number, pgtable: number): Fn<void> {
  const kw = cpu.machine.v.kernel;
  yield cpu.ev(Ev.store, kwordAddr(K.PMD_HUGE_PTE_LIST));
  const head = kw[K.PMD_HUGE_PTE_LIST]! >>> 0;
  if (head === 0) INIT_LIST_HEAD(cpu, pgtable);
  else list_add(cpu, pgtable, head);
  kw[K.PMD_HUGE_PTE_LIST] = pgtable;
}

export function* pgtable_trans_huge_withdraw(cpu: Cpu, _k: KernelEntry, _pmdp: number): Fn<number> {
  cpu.enter('pgtable_trans_huge_withdraw');
  const kw = cpu.machine.v.kernel;
  yield cpu.ev(Ev.load, kwordAddr(K.PMD_HUGE_PTE_LIST));
  // NULL only once the list is corrupt (every huge pmd has its table deposited): the kernel
  // goes on with NULL, whose first bytes are the lowcore, and so does this
  const pgtable = kw[K.PMD_HUGE_PTE_LIST]! >>> 0;
  if (list_empty(cpu, pgtable)) kw[K.PMD_HUGE_PTE_LIST] = 0;
  else {
    kw[K.PMD_HUGE_PTE_LIST] = kernel_load(cpu, pgtable);
    cpu.enter('list_del');
    list_del(cpu, pgtable);
    cpu.leave();
  }
  kernel_store(cpu, pgtable, _PAGE_INVALID);
  kernel_store(cpu, pgtable + 8, _PAGE_INVALID);
  cpu.leave();
  return pgtable;
}
