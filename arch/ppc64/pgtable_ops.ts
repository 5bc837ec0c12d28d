// The generic kernel's view of ppc64 hash entries, and the arch's pmd and pte
// updates, modelled on arch/powerpc/mm/pgtable_64.c and
// arch/powerpc/include/asm/book3s/64/pgtable.h of Linux v4.5 (v4.4 for
// pmdp_splitting_flush). Every update of an entry that may have an HPTE goes
// through an ldarx/stdcx. loop that waits while hash_page holds _PAGE_BUSY,
// and flushes the HPTEs the old value had (_PAGE_HASHPTE).
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import type { Machine } from '../../emulator/machine.js';
import { cmpxchgEntry, fillEntries, loadEntry, storeEntry } from '../../emulator/physmem.js';
import type { KernelEntry, PgtableOps } from '../arch.js';
import { flush_hash_hugepage, flush_hash_page, mmIsLocal } from './hash_utils.js';
import {
  _PAGE_BUSY, _PAGE_HASHPTE, _PAGE_PRESENT, _PAGE_RW, _PAGE_SPECIAL, _PAGE_SPLITTING, _PAGE_USER, mkHugePmd, mkPte,
  PGD_TABLE_BYTES, pgdIndex, pgtableSlot, PMD_MASKED_BITS, pmd_none, pmd_trans_huge, pmd_trans_splitting, PMD_TABLE_BYTES, pmdIndex,
  PAGE_SIZE, PTE_FRAG_SIZE, pte_none, pte_phys, pte_present, pte_protnone, pteIndex, PTRS_PER_PTE,
} from './pgtable.js';

export const ppc64Pgtable: PgtableOps = {
  PTRS_PER_PTE,
  pteTableBytes: PTE_FRAG_SIZE,
  pte_empty: 0,
  pmd_empty: 0,
  pte_index: pteIndex,
  pte_none,
  pte_present,
  pte_phys,
  mk_pte: mkPte,
  pmd_none,
  pmd_trans_huge,
  pmd_trans_splitting,
  pmd_phys: (pmd) => (pmd_trans_huge(pmd) ? pte_phys(pmd) : (pmd & ~PMD_MASKED_BITS) >>> 0),
  // pmd_populate: pmd_set(pmdp, pte fragment); the model keeps physical addresses
  pmd_populate: (table) => table,
  mk_huge_pmd: mkHugePmd,
  // mm/gup.c (v4.5) gup_pmd_range: pmd_protnone goes to the slow path; gup_huge_pmd: write needs pmd_write
  gup_huge_pmd_ok: (pmd, write) => !pte_protnone(pmd) && (!write || (pmd & _PAGE_RW) !== 0),
  // gup_pte_range: !pte_present || pte_special || pte_protnone || (write && !pte_write) bail
  gup_pte_ok: (pte, write) =>
    pte_present(pte) && (pte & _PAGE_SPECIAL) === 0 && !pte_protnone(pte) && (!write || (pte & _PAGE_RW) !== 0),
};

/**
 * The ldarx/stdcx. loop of pte_update and pmd_hugepage_update: wait while
 * _PAGE_BUSY is set (hash_page owns the entry), then (old & ~clr) | set.
 */
function* update_entry(cpu: Cpu, p: number, clr: number, set: number): Fn<number> {
  const m = cpu.machine;
  for (;;) {
    yield cpu.ev(Ev.atomic, p);
    const old = loadEntry(m, p);
    if (old & _PAGE_BUSY) {
      cpu.enter('pte_update');
      const busy = (): boolean => (loadEntry(m, p) & _PAGE_BUSY) !== 0;
      while (busy()) yield cpu.waitWhile(Ev.spin, p, busy);
      cpu.leave();
      continue;
    }
    if (cmpxchgEntry(m, p, old, (old & ~clr) | set) === old) return old;
  }
}

/**
 * pmd_hugepage_update: change a huge pmd, then flush the HPTEs it had
 * (hpte_do_hugepage_flush -> flush_hash_hugepage). Returns the old pmd.
 */
export function* pmd_hugepage_update(cpu: Cpu, addr: number, pmdp: number, clr: number, set: number): Fn<number> {
  cpu.enter('pmd_hugepage_update');
  const old = yield* update_entry(cpu, pmdp, clr, set);
  if (old & _PAGE_HASHPTE) {
    cpu.enter('hpte_do_hugepage_flush');
    yield* flush_hash_hugepage(cpu, addr, pmdp, mmIsLocal(cpu));
    cpu.leave();
  }
  cpu.leave();
  return old;
}

/**
 * pmdp_invalidate (v4.5): clear _PAGE_PRESENT and flush. With PowerPC's fix
 * (the variant's splitPrepare) it then kicks every CPU: "This ensures that
 * generic code that rely on IRQ disabling to prevent a parallel THP split
 * work as expected."
 */
export function* pmdp_invalidate(cpu: Cpu, k: KernelEntry, pmdp: number, address: number): Fn<number> {
  const old = yield* pmd_hugepage_update(cpu, address, pmdp, _PAGE_PRESENT, 0);
  if (k.variant.splitPrepare) yield* k.thpSerialise(cpu);
  return old;
}

/**
 * pmdp_huge_split_prepare (c777e2a8b654, v4.5): clear _PAGE_USER, so that
 * hash_page leaves the pmd to the page fault path (which waits on the page
 * table lock), and flush its HPTEs while the deposited table still records them.
 */
export function* pmdp_huge_split_prepare(cpu: Cpu, k: KernelEntry, pmdp: number, haddr: number): Fn<void> {
  if (!k.variant.splitPrepare) return;
  cpu.enter('pmdp_huge_split_prepare');
  yield* pmd_hugepage_update(cpu, haddr, pmdp, _PAGE_USER, 0);
  cpu.leave();
}

/**
 * pmdp_splitting_flush (v4.4): set _PAGE_SPLITTING (hash_page then retries
 * the access), flush the HPTEs if it was clear, and kick_all_cpus_sync():
 * no interrupts-off walker can still hold the huge pmd afterwards.
 */
export function* pmdp_splitting_flush(cpu: Cpu, k: KernelEntry, pmdp: number, address: number): Fn<void> {
  cpu.enter('pmdp_splitting_flush');
  const old = yield* update_entry(cpu, pmdp, 0, _PAGE_SPLITTING);
  if (!(old & _PAGE_SPLITTING) && old & _PAGE_HASHPTE) {
    cpu.enter('hpte_do_hugepage_flush');
    yield* flush_hash_hugepage(cpu, address, pmdp, mmIsLocal(cpu));
    cpu.leave();
  }
  yield* k.thpSerialise(cpu);
  cpu.leave();
}

/** pgtable_trans_huge_deposit: "we store the pgtable in the second half of PMD" */
export function* pgtable_trans_huge_deposit(cpu: Cpu, _k: KernelEntry, pmdp: number, table: number): Fn<void> {
  yield cpu.ev(Ev.store, pgtableSlot(pmdp));
  storeEntry(cpu.machine, pgtableSlot(pmdp), table);
}

/**
 * pgtable_trans_huge_withdraw: NULL the slot, and zero the table, which held
 * the THP's hpte slot array ("We store HPTE information in the deposited PTE
 * fragment. zero out the content on withdraw"). Whatever HPTEs it recorded
 * and nobody flushed can no longer be found from Linux's side.
 */
export function* pgtable_trans_huge_withdraw(cpu: Cpu, _k: KernelEntry, pmdp: number): Fn<number> {
  cpu.enter('pgtable_trans_huge_withdraw');
  const m = cpu.machine;
  yield cpu.ev(Ev.load, pgtableSlot(pmdp));
  const table = loadEntry(m, pgtableSlot(pmdp)) >>> 0;
  if (table === 0) throw new Error(`no page table deposited for pmd 0x${pmdp.toString(16)}`);
  yield cpu.ev(Ev.store, pgtableSlot(pmdp));
  storeEntry(m, pgtableSlot(pmdp), 0);
  yield cpu.ev(Ev.work, table, PTE_FRAG_SIZE / 128); // memset(pgtable, 0, PTE_FRAG_SIZE)
  m.v.mem.fill(0, table >>> 2, (table + PTE_FRAG_SIZE) >>> 2);
  cpu.leave();
  return table;
}

/**
 * pmdp_huge_get_and_clear (v4.5): clear a huge pmd and flush its HPTEs,
 * zero the hash slots, then kick_all_cpus_sync() to "serialize against
 * find_linux_pte_or_hugepte which does lock-less lookup in page tables with
 * local interrupts disabled" (v4.1+). A pmd that points to a page table
 * (free_pgtables) is just cleared: its ptes were flushed one by one.
 */
export function* pmdp_huge_get_and_clear(cpu: Cpu, k: KernelEntry, pmdp: number, addr: number): Fn<number> {
  const m = cpu.machine;
  yield cpu.ev(Ev.load, pmdp);
  if (!pmd_trans_huge(loadEntry(m, pmdp))) {
    const old = loadEntry(m, pmdp);
    yield cpu.ev(Ev.pte_store, pmdp);
    storeEntry(m, pmdp, 0); // pmd_clear
    return old;
  }
  cpu.enter('pmdp_huge_get_and_clear');
  const old = yield* pmd_hugepage_update(cpu, addr, pmdp, ~0, 0);
  const table = loadEntry(m, pgtableSlot(pmdp)) >>> 0;
  yield cpu.ev(Ev.work, table, PTE_FRAG_SIZE / 128);
  if (table) m.v.mem.fill(0, table >>> 2, (table + PTE_FRAG_SIZE) >>> 2);
  yield* k.thpSerialise(cpu);
  cpu.leave();
  return old;
}

/**
 * ptep_get_and_clear -> pte_update(~0UL): clear the pte and, if it had an
 * HPTE, flush it at once (hpte_need_flush outside a lazy-MMU batch ->
 * flush_hash_page -> tlbie). Returns the old pte.
 */
export function* ptep_get_and_clear(cpu: Cpu, ptep: number, va: number): Fn<number> {
  cpu.enter('ptep_get_and_clear');
  const old = yield* update_entry(cpu, ptep, ~0, 0);
  if (old & _PAGE_HASHPTE) yield* flush_hash_page(cpu, va, old, mmIsLocal(cpu));
  cpu.leave();
  return old;
}

/**
 * pmdp_collapse_flush (arch/powerpc/mm/pgtable_64.c, v4.5; serialize_against_pte_lookup()
 * in its place later): pmd_clear, kick_all_cpus_sync() to wait out every
 * hash_page and lockless walker, then flush_tlb_pmd_range: the HPTE of every
 * pte of the table that has one.
 */
export function* pmdp_collapse_flush(cpu: Cpu, k: KernelEntry, pmdp: number, haddr: number): Fn<number> {
  cpu.enter('pmdp_collapse_flush');
  const m = cpu.machine;
  yield cpu.ev(Ev.load, pmdp);
  const old = loadEntry(m, pmdp);
  yield cpu.ev(Ev.pte_store, pmdp);
  storeEntry(m, pmdp, 0);
  yield* k.thpSerialise(cpu);
  const table = ppc64Pgtable.pmd_phys(old);
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    yield cpu.ev(Ev.load, table + i * 8);
    const pte = loadEntry(m, table + i * 8);
    if (pte & _PAGE_HASHPTE) yield* flush_hash_page(cpu, haddr + i * PAGE_SIZE, pte, mmIsLocal(cpu));
  }
  cpu.leave();
  return old;
}

// --- setup time ----------------------------------------------------------------

export function pgdInit(m: Machine, pgd: number): void {
  fillEntries(m, pgd, PGD_TABLE_BYTES, 0);
}

/** The pmd entry for `va`, allocating the (double-size, THP) PMD table; the PUD is folded. */
export function pmdAlloc(m: Machine, pgd: number, va: number, alloc: (bytes: number) => number): number {
  const pgdp = pgd + pgdIndex(va) * 8;
  if (loadEntry(m, pgdp) === 0) {
    const t = alloc(PMD_TABLE_BYTES);
    fillEntries(m, t, PMD_TABLE_BYTES, 0);
    storeEntry(m, pgdp, t);
  }
  return (loadEntry(m, pgdp) >>> 0) + pmdIndex(va) * 8;
}

export function mapPage(m: Machine, pgd: number, va: number, phys: number, alloc: (bytes: number) => number): number {
  const pmdp = pmdAlloc(m, pgd, va, alloc);
  if (pmd_none(loadEntry(m, pmdp))) {
    const t = alloc(PTE_FRAG_SIZE);
    fillEntries(m, t, PTE_FRAG_SIZE, 0);
    storeEntry(m, pmdp, t);
  }
  const ptep = (loadEntry(m, pmdp) & ~PMD_MASKED_BITS) + pteIndex(va) * 8;
  storeEntry(m, ptep, mkPte(phys, true));
  return ptep;
}

/** A huge pmd, with a deposited table for its hash slots as do_huge_pmd_anonymous_page leaves one. */
export function mapHuge(m: Machine, pgd: number, va: number, phys: number, alloc: (bytes: number) => number): number {
  const pmdp = pmdAlloc(m, pgd, va, alloc);
  const t = alloc(PTE_FRAG_SIZE);
  fillEntries(m, t, PTE_FRAG_SIZE, 0);
  storeEntry(m, pgtableSlot(pmdp), t);
  storeEntry(m, pmdp, mkHugePmd(phys, true));
  return pmdp;
}

/** The lockless walk of fast GUP to the pmd: the pgd entry; -1 when it is empty. */
export function* gupWalkToPmd(cpu: Cpu, pgd: number, va: number): Fn<number> {
  const pgdp = pgd + pgdIndex(va) * 8;
  yield cpu.ev(Ev.load, pgdp);
  const e = loadEntry(cpu.machine, pgdp);
  if (e === 0) return -1;
  return (e >>> 0) + pmdIndex(va) * 8;
}

