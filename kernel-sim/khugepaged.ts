// khugepaged's anonymous collapse, modelled on mm/khugepaged.c of Linux v5.19
// (khugepaged_scan_pmd, collapse_huge_page, __collapse_huge_page_isolate,
// __collapse_huge_page_copy) with v6.1's tlb_remove_table_sync_one() where the
// kernel's collapseTableSync switch says so. A range of small pages under one
// page table becomes a THP: the pmd is cleared and flushed, the pages are
// checked for pins, copied, and the old table is deposited under the new pmd.
//
// The check for pins assumes nobody can find the pages any more once the pmd
// is gone ("this process cannot get an additional pin on the page"). A
// lockless walker that read the pmd before it went still can, unless the
// flush waited for it (an IPI) or it re-checks the pmd (70cbc3cc78a9).
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { loadEntry, storeEntry } from '../emulator/physmem.js';
import type { Kernel } from './kernel.js';
import { K } from './kernel_words.js';
import { logPmdEvent, trylock_page, unlock_page } from './huge_memory.js';
import { get_page, page_add_new_anon_rmap, page_count, page_ref_freeze, page_ref_unfreeze, page_remove_rmap, put_page } from './mm.js';
import { cacheWord, lock_range, Range, rangeOf, unlock_range } from './filemap.js';
import { zap_pte_range } from './memory.js';
import { kwordAddr } from '../emulator/kaddr.js';
import { compoundHead, Owner, P, PG_locked, pw } from './mm_types.js';
import { alloc_pages } from './page_alloc.js';
import { pgtable_trans_huge_deposit, pte_free, pte_lockptr } from './pgtable.js';
import { down_read, down_write, down_write_trylock, spin_lock, spin_unlock, up_read, up_write } from './spinlock.js';
import { count_vm_event } from './vmstat.js';
import * as shared from '../emulator/shared.js';

/** The result codes of mm/khugepaged.c (enum scan_result) the model can return. */
export const Scan = {
  SUCCEED: 'succeeded', PMD_NULL: 'pmd_null', PMD_MAPPED: 'pmd_mapped', EXCEED_NONE_PTE: 'exceed_none_pte',
  PAGE_COMPOUND: 'page_compound', PAGE_LOCK: 'page_lock', PAGE_COUNT: 'page_count', ALLOC_HUGE_PAGE_FAIL: 'alloc_huge_page_fail',
} as const;
export type ScanResult = (typeof Scan)[keyof typeof Scan];

/** The record of the last collapse of each THP-area pmd, for the race explanation (scratch slots COLLAPSE_LOG + 4 * slot). */
export const COLLAPSE_LOG = 256;

/** khugepaged_max_ptes_none: HPAGE_PMD_NR - 1 by default (/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none) */
const maxPtesNone = (k: Kernel): number => k.arch.pt.PTRS_PER_PTE - 1;

/**
 * is_refcount_suitable (v5.19): every reference is a mapping's. A small page
 * here has one per pte (do_anonymous_page), none from an LRU isolation.
 */
function is_refcount_suitable(cpu: Cpu, pfn: number): boolean {
  return page_count(cpu, pfn) === shared.load(cpu.machine.v.pages, pw(pfn, P.MAPCOUNT)) + 1;
}

/**
 * The pte checks khugepaged_scan_pmd and __collapse_huge_page_isolate share:
 * a compound page (a pte-mapped THP) is left alone, as before v5.8's "allow to
 * collapse PTE-mapped compound pages"; the model's splits make order-0 pages.
 */
function pageVerdict(cpu: Cpu, k: Kernel, pte: number): { pfn: number; bad: ScanResult | null } {
  const pfn = k.pfnOf(k.arch.pt.pte_phys(pte));
  const m = cpu.machine;
  if (compoundHead(m, pfn) !== pfn || shared.load(m.v.pages, pw(pfn, P.ORDER)) !== 0) return { pfn, bad: Scan.PAGE_COMPOUND };
  if (shared.load(m.v.pages, pw(pfn, P.OWNER)) !== Owner.ANON) return { pfn, bad: Scan.PAGE_COMPOUND };
  return { pfn, bad: null };
}

/**
 * khugepaged_scan_pmd for the huge page at `haddr` of the THP area: under
 * mmap_lock for read and the table's lock, every pte is looked at; a range
 * worth collapsing goes to collapse_huge_page.
 */
export function* khugepaged_scan_pmd(cpu: Cpu, k: Kernel, haddr: number): Fn<ScanResult> {
  cpu.enter('khugepaged_scan_pmd');
  const m = cpu.machine;
  const pt = k.arch.pt;
  yield* down_read(cpu, K.MMAP_SEM);
  const pmdp = k.pmdp(haddr);
  yield cpu.ev(Ev.load, pmdp);
  const pmd = loadEntry(m, pmdp);
  let result: ScanResult = Scan.SUCCEED;
  if (pt.pmd_none(pmd)) result = Scan.PMD_NULL;
  else if (pt.pmd_trans_huge(pmd)) result = Scan.PMD_MAPPED;
  else {
    const ptl = pte_lockptr(k, pmdp);
    yield* spin_lock(cpu, ptl);
    const table = pt.pmd_phys(loadEntry(m, pmdp));
    let none = 0;
    for (let i = 0; i < pt.PTRS_PER_PTE && result === Scan.SUCCEED; i++) {
      yield cpu.ev(Ev.load, table + i * 8);
      const pte = loadEntry(m, table + i * 8);
      if (!pt.pte_present(pte)) {
        if (++none > maxPtesNone(k)) result = Scan.EXCEED_NONE_PTE;
        continue;
      }
      const { pfn, bad } = pageVerdict(cpu, k, pte);
      if (bad) result = bad;
      else if (shared.load(m.v.pages, pw(pfn, P.FLAGS)) & PG_locked) result = Scan.PAGE_LOCK;
      else if (!is_refcount_suitable(cpu, pfn)) result = Scan.PAGE_COUNT;
    }
    yield* spin_unlock(cpu, ptl);
  }
  if (result !== Scan.SUCCEED) {
    yield* up_read(cpu, K.MMAP_SEM);
    count_vm_event(m, result === Scan.PAGE_COUNT ? 'khugepaged_pinned' : 'khugepaged_scan_failed');
    cpu.leave();
    return result;
  }
  // collapse_huge_page drops mmap_lock to allocate and takes it again for write
  yield* up_read(cpu, K.MMAP_SEM);
  const ret = yield* collapse_huge_page(cpu, k, haddr);
  cpu.leave();
  return ret;
}

/**
 * collapse_huge_page (v5.19): allocate, take mmap_lock for write, clear and
 * flush the pmd (pmdp_collapse_flush under the pmd lock), [v6.1:
 * tlb_remove_table_sync_one()], isolate the pages under the table's lock,
 * copy, then deposit the old table and set the huge pmd.
 */
export function* collapse_huge_page(cpu: Cpu, k: Kernel, haddr: number): Fn<ScanResult> {
  cpu.enter('collapse_huge_page');
  const m = cpu.machine;
  const pt = k.arch.pt;
  const head = yield* alloc_pages(cpu, k.arch.hpageShift - k.pageShift, Owner.ANON); // khugepaged_alloc_page
  if (head < 0) {
    count_vm_event(m, 'thp_collapse_alloc_failed');
    cpu.leave();
    return Scan.ALLOC_HUGE_PAGE_FAIL;
  }
  yield* down_write(cpu, K.MMAP_SEM);
  const pmdp = k.pmdp(haddr);
  // hugepage_vma_revalidate + find_pmd_or_thp_or_none: the pmd must still point to a table
  yield cpu.ev(Ev.load, pmdp);
  const seen = loadEntry(m, pmdp);
  if (pt.pmd_none(seen) || pt.pmd_trans_huge(seen)) {
    yield* up_write(cpu, K.MMAP_SEM);
    yield* put_page(cpu, head);
    cpu.leave();
    return pt.pmd_none(seen) ? Scan.PMD_NULL : Scan.PMD_MAPPED;
  }
  yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
  const _pmd = yield* pmdp_collapse_flush(cpu, k, pmdp, haddr);
  yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
  // 2ba99c5e0881 (v6.1): wait out GUP-fast walkers still in the table before it is reused or freed
  if (k.variant.collapseTableSync) yield* tlb_remove_table_sync_one(cpu, k);
  const table = pt.pmd_phys(_pmd);
  const ptl = pte_lockptr(k, pmdp);
  yield* spin_lock(cpu, ptl);
  const isolated = yield* __collapse_huge_page_isolate(cpu, k, table);
  yield* spin_unlock(cpu, ptl);
  if (typeof isolated === 'string') {
    // the pmd goes back as it was (pmd_populate under the pmd lock)
    yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
    yield cpu.ev(Ev.pte_store, pmdp);
    storeEntry(m, pmdp, pt.pmd_populate(table));
    yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
    yield* up_write(cpu, K.MMAP_SEM);
    yield* put_page(cpu, head);
    count_vm_event(m, isolated === Scan.PAGE_COUNT ? 'khugepaged_pinned' : 'khugepaged_isolate_failed');
    cpu.leave();
    return isolated;
  }
  yield* __collapse_huge_page_copy(cpu, k, table, head, haddr, isolated);
  // the new pmd: rmap, the old table deposited for a later split, set_pmd_at
  yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
  yield* page_add_new_anon_rmap(cpu, head, true);
  yield* pgtable_trans_huge_deposit(cpu, k, pmdp, table);
  logPmdEvent(cpu, k, COLLAPSE_LOG, pmdp, _pmd);
  yield cpu.ev(Ev.pte_store, pmdp);
  storeEntry(m, pmdp, pt.mk_huge_pmd(k.physOf(head), true));
  yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
  yield* up_write(cpu, K.MMAP_SEM);
  count_vm_event(m, 'thp_collapse_alloc');
  cpu.leave();
  return Scan.SUCCEED;
}

/** pmdp_collapse_flush: the arch's, or the generic clear and flush of the whole range. */
function* pmdp_collapse_flush(cpu: Cpu, k: Kernel, pmdp: number, haddr: number): Fn<number> {
  if (k.arch.pmdpCollapseFlush) return yield* k.arch.pmdpCollapseFlush(cpu, k, pmdp, haddr);
  cpu.enter('pmdp_collapse_flush');
  const old = yield* k.arch.pmdpHugeGetAndClear(cpu, k, pmdp, haddr);
  yield* k.arch.tlbFlushRange(cpu, k, haddr, haddr + k.hpageSize);
  cpu.leave();
  return old;
}

/**
 * tlb_remove_table_sync_one (mm/mmu_gather.c, v6.1): an IPI to every CPU,
 * waited for, so that no interrupts-off walker is still inside the table; a
 * no-op without MMU_GATHER_RCU_TABLE_FREE, whose flush was an IPI already.
 */
export function* tlb_remove_table_sync_one(cpu: Cpu, k: Kernel): Fn<void> {
  if (k.variant.pgtableFree !== 'rcu') return;
  cpu.enter('tlb_remove_table_sync_one');
  yield* k.smp.smp_call_function(cpu, 'do_nothing', 0, true);
  cpu.leave();
}

/**
 * __collapse_huge_page_isolate (v5.19), the table's lock held: each page is
 * locked and checked for pins; the pages, or why the collapse fails.
 */
function* __collapse_huge_page_isolate(cpu: Cpu, k: Kernel, table: number): Fn<number[] | ScanResult> {
  cpu.enter('__collapse_huge_page_isolate');
  const m = cpu.machine;
  const pt = k.arch.pt;
  const locked: number[] = [];
  const pages: number[] = new Array<number>(pt.PTRS_PER_PTE).fill(-1);
  let none = 0;
  let result: ScanResult | null = null;
  for (let i = 0; i < pt.PTRS_PER_PTE && result === null; i++) {
    yield cpu.ev(Ev.load, table + i * 8);
    const pte = loadEntry(m, table + i * 8);
    if (!pt.pte_present(pte)) {
      if (++none > maxPtesNone(k)) result = Scan.EXCEED_NONE_PTE;
      continue;
    }
    const { pfn, bad } = pageVerdict(cpu, k, pte);
    if (bad) { result = bad; break; }
    if (!(yield* trylock_page(cpu, pfn))) { result = Scan.PAGE_LOCK; break; }
    locked.push(pfn);
    // "The page table that maps the page has been already unlinked from the page
    // table tree and this process cannot get an additional pin on the page."
    if (!is_refcount_suitable(cpu, pfn)) { result = Scan.PAGE_COUNT; break; }
    pages[i] = pfn;
  }
  if (result !== null) {
    for (const pfn of locked) yield* unlock_page(cpu, pfn); // release_pte_pages
    cpu.leave();
    return result;
  }
  cpu.leave();
  return pages;
}

/**
 * __collapse_huge_page_copy (v5.19): each small page is copied into the huge
 * one (a none pte gives a cleared subpage), then its pte cleared, its mapping
 * dropped and the page released (free_page_and_swap_cache). A pin nobody saw
 * keeps the old page alive, holding what is written through it from now on.
 */
function* __collapse_huge_page_copy(cpu: Cpu, k: Kernel, table: number, head: number, haddr: number, pages: number[]): Fn<void> {
  cpu.enter('__collapse_huge_page_copy');
  const m = cpu.machine;
  const pt = k.arch.pt;
  const words = k.pageSize / 4;
  const ptl = pte_lockptr(k, k.pmdp(haddr));
  for (let i = 0; i < pages.length; i++) {
    const dst = (k.physOf(head + i)) >>> 2;
    const src = pages[i]!;
    yield cpu.ev(Ev.work, k.physOf(head + i), k.pageSize / 64); // copy_user_highpage / clear_user_highpage
    if (src < 0) { m.v.mem.fill(0, dst, dst + words); continue; }
    m.v.mem.copyWithin(dst, k.physOf(src) >>> 2, (k.physOf(src) >>> 2) + words);
    yield* unlock_page(cpu, src); // release_pte_page
    yield* spin_lock(cpu, ptl);
    yield cpu.ev(Ev.pte_store, table + i * 8);
    storeEntry(m, table + i * 8, pt.pte_empty); // pte_clear: the range was flushed by pmdp_collapse_flush
    yield* page_remove_rmap(cpu, src, false);
    yield* spin_unlock(cpu, ptl);
    yield* put_page(cpu, src);
  }
  cpu.leave();
}

/**
 * collapse_file (mm/khugepaged.c v5.19) for one range of the shmem file
 * area: a new THP, locked, takes the range's place in the page cache; each
 * old page is locked, unmapped (unmap_mapping_pages) and frozen at the
 * references the collapse expects (page_ref_freeze: the cache's and ours;
 * the kernel's third is the LRU isolation, not modelled), so a pin taken
 * meanwhile fails it; the pages are copied and freed, and
 * retract_page_tables() takes the now empty page table out, all before the
 * THP is unlocked, so no fault fills the table again.
 */
export function* collapse_file(cpu: Cpu, k: Kernel, haddr: number): Fn<ScanResult> {
  cpu.enter('collapse_file');
  const m = cpu.machine;
  const kw = m.v.kernel;
  const pt = k.arch.pt;
  const range = rangeOf(k, haddr);
  const head = yield* alloc_pages(cpu, k.arch.hpageShift - k.pageShift, Owner.FILE);
  if (head < 0) { count_vm_event(m, 'thp_collapse_alloc_failed'); cpu.leave(); return Scan.ALLOC_HUGE_PAGE_FAIL; }
  if (!(yield* lock_range(cpu, range, Range.SMALL))) {
    yield* put_page(cpu, head);
    cpu.leave();
    return Scan.PAGE_LOCK;
  }
  const first = range * pt.PTRS_PER_PTE;
  const pmdp = k.pmdp(haddr);
  const frozen: number[] = [];
  let result: ScanResult = Scan.SUCCEED;
  for (let i = 0; i < pt.PTRS_PER_PTE; i++) {
    const page = shared.load(kw, cacheWord(first + i)) - 1;
    if (page < 0) continue; // a hole: the THP's subpage stays zero (shmem's nr_none)
    yield* get_page(cpu, page);
    // unmap_mapping_pages: the pte that maps it, cleared and flushed under its table's lock
    yield cpu.ev(Ev.load, pmdp);
    const pmd = loadEntry(m, pmdp);
    if (shared.load(m.v.pages, pw(page, P.MAPCOUNT)) >= 0 && !pt.pmd_none(pmd) && !pt.pmd_trans_huge(pmd)) {
      const ptl = pte_lockptr(k, pmdp);
      yield* spin_lock(cpu, ptl);
      const ptep = pt.pmd_phys(pmd) + i * 8;
      if (pt.pte_present(loadEntry(m, ptep)) && k.pfnOf(pt.pte_phys(loadEntry(m, ptep))) === page) {
        yield* k.arch.ptepGetAndClear(cpu, k, ptep, haddr + i * k.pageSize);
        yield* page_remove_rmap(cpu, page, false);
        yield* put_page(cpu, page);
      }
      yield* spin_unlock(cpu, ptl);
    }
    if (!(yield* page_ref_freeze(cpu, page, 2))) { // a pin, or a mapping it could not take away
      yield* put_page(cpu, page);
      result = Scan.PAGE_COUNT;
      break;
    }
    frozen.push(page);
  }
  if (result !== Scan.SUCCEED) {
    for (const page of frozen) yield* page_ref_unfreeze(cpu, page, 1); // back to the cache's one
    yield* unlock_range(cpu, range, Range.SMALL);
    yield* put_page(cpu, head);
    count_vm_event(m, result === Scan.PAGE_COUNT ? 'khugepaged_pinned' : 'khugepaged_isolate_failed');
    cpu.leave();
    return result;
  }
  // copy, then the THP takes the cache entries (its one reference stands for the cache's)
  const words = k.pageSize / 4;
  for (let i = 0; i < pt.PTRS_PER_PTE; i++) {
    const dst = k.physOf(head + i) >>> 2;
    const old = shared.load(kw, cacheWord(first + i)) - 1;
    yield cpu.ev(Ev.work, k.physOf(head + i), k.pageSize / 64);
    if (old < 0) m.v.mem.fill(0, dst, dst + words);
    else m.v.mem.copyWithin(dst, k.physOf(old) >>> 2, (k.physOf(old) >>> 2) + words);
    yield cpu.ev(Ev.store, kwordAddr(cacheWord(first + i)));
    shared.store(kw, cacheWord(first + i), head + i + 1);
  }
  // the old pages go: unfrozen at one reference, then put (page->mapping = NULL; put_page)
  for (const page of frozen) {
    yield* page_ref_unfreeze(cpu, page, 1);
    yield* put_page(cpu, page);
  }
  yield* retract_page_tables(cpu, k, haddr);
  yield* unlock_range(cpu, range, Range.HUGE);
  count_vm_event(m, 'thp_collapse_alloc');
  cpu.leave();
  return Scan.SUCCEED;
}

/**
 * retract_page_tables (v5.19) for the one mm mapping the file: with
 * mmap_lock taken by trylock (else the table stays, to be retracted on a
 * later scan), collapse_and_free_pmd(): the pmd cleared and flushed under
 * the pmd lock, [v6.1: tlb_remove_table_sync_one()], and the table freed at
 * once by pte_free(), with no grace period.
 */
function* retract_page_tables(cpu: Cpu, k: Kernel, haddr: number): Fn<void> {
  cpu.enter('retract_page_tables');
  const m = cpu.machine;
  const pt = k.arch.pt;
  if (!(yield* down_write_trylock(cpu, K.MMAP_SEM))) { count_vm_event(m, 'khugepaged_retract_busy'); cpu.leave(); return; }
  const pmdp = k.pmdp(haddr);
  yield cpu.ev(Ev.load, pmdp);
  const pmd = loadEntry(m, pmdp);
  if (!pt.pmd_none(pmd) && !pt.pmd_trans_huge(pmd)) {
    cpu.enter('collapse_and_free_pmd');
    yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
    const old = yield* pmdp_collapse_flush(cpu, k, pmdp, haddr);
    yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
    if (k.variant.collapseTableSync) yield* tlb_remove_table_sync_one(cpu, k);
    logPmdEvent(cpu, k, COLLAPSE_LOG, pmdp, old);
    yield* pte_free(cpu, pt.pmd_phys(old));
    count_vm_event(m, 'khugepaged_retract');
    cpu.leave();
  }
  yield* up_write(cpu, K.MMAP_SEM);
  cpu.leave();
}

/**
 * A range already huge in the cache whose pmd still points to a table
 * (retract_page_tables could not take mmap_lock): collapse_pte_mapped_thp
 * (v5.19), under mmap_lock for write, zaps the ptes that map the THP's
 * subpages and retracts the table.
 */
export function* collapse_pte_mapped_thp(cpu: Cpu, k: Kernel, haddr: number): Fn<void> {
  cpu.enter('collapse_pte_mapped_thp');
  const m = cpu.machine;
  const pt = k.arch.pt;
  const range = rangeOf(k, haddr);
  if (!(yield* lock_range(cpu, range, Range.HUGE))) { cpu.leave(); return; }
  const pmdp = k.pmdp(haddr);
  yield cpu.ev(Ev.load, pmdp);
  const pmd = loadEntry(m, pmdp);
  if (!pt.pmd_none(pmd) && !pt.pmd_trans_huge(pmd)) {
    yield* zap_pte_range(cpu, k, pmdp, haddr, haddr + k.hpageSize);
    yield* retract_page_tables(cpu, k, haddr);
  }
  yield* unlock_range(cpu, range, Range.HUGE);
  cpu.leave();
}
