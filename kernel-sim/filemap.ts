// A shared file mapping whose pages stay in a page cache: the minimum
// khugepaged's file path needs, after mm/shmem.c, mm/filemap.c and mm/memory.c
// of Linux v5.19 (shmem_fault, finish_fault -> do_set_pmd / do_set_pte,
// shmem_fallocate(PUNCH_HOLE) -> unmap_mapping_range + truncate). The area's
// ranges are one file, huge-page aligned; each range's cache holds small
// pages, or one THP (khugepaged's collapse_file), or is locked while one of
// the two is being made.
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { kwordAddr } from '../emulator/kaddr.js';
import { loadEntry, storeEntry } from '../emulator/physmem.js';
import type { Kernel } from './kernel.js';
import { K, PAGE_CACHE_WORDS } from './kernel_words.js';
import { get_page, put_page } from './mm.js';
import { compoundHead, Owner, P, pageAddr, pw } from './mm_types.js';
import { alloc_pages } from './page_alloc.js';
import { pgtable_trans_huge_deposit, pte_alloc_one, pte_free, pte_lockptr } from './pgtable.js';
import { spin_lock, spin_unlock } from './spinlock.js';
import * as shared from '../emulator/shared.js';

/** A range's page cache state (K.FILE_STATE + range). */
export const Range = { SMALL: 0, HUGE: 1, LOCKED: 2 } as const;

export const rangeOf = (k: Kernel, va: number): number => Math.floor((va - k.thpBase()) / k.hpageSize);
const indexOf = (k: Kernel, va: number): number => Math.floor((va - k.thpBase()) / k.pageSize);

/** Setup: the area is a shared file mapping (no anon_vma), every range's cache empty. */
export function setupFileArea(k: Kernel, ranges: number): void {
  if (ranges * k.arch.pt.PTRS_PER_PTE > PAGE_CACHE_WORDS) {
    throw new Error(`the page cache holds ${PAGE_CACHE_WORDS} pages: at most ${Math.floor(PAGE_CACHE_WORDS / k.arch.pt.PTRS_PER_PTE)} ranges on ${k.arch.name}`);
  }
  k.setupThpArea(ranges);
  shared.store(k.machine.v.kernel, K.AREA_FILE, 1);
}

export function rangeState(k: Kernel, range: number): number {
  return shared.load(k.machine.v.kernel, K.FILE_STATE + range);
}

/** The page cache entry of page index `i` (its pfn + 1; 0: a hole). */
export const cacheWord = (i: number): number => K.PAGE_CACHE + i;

/**
 * Takes range `range`'s cache from state `from` to LOCKED (lock_page on what
 * the range holds), under the cache's xa_lock; false if it is in another state.
 */
export function* lock_range(cpu: Cpu, range: number, from: number): Fn<boolean> {
  yield* spin_lock(cpu, K.PAGE_CACHE_LOCK);
  const kw = cpu.machine.v.kernel;
  const ok = shared.load(kw, K.FILE_STATE + range) === from;
  if (ok) shared.store(kw, K.FILE_STATE + range, Range.LOCKED);
  yield* spin_unlock(cpu, K.PAGE_CACHE_LOCK);
  return ok;
}

export function* unlock_range(cpu: Cpu, range: number, to: number): Fn<void> {
  yield cpu.ev(Ev.store, kwordAddr(K.FILE_STATE + range));
  shared.store(cpu.machine.v.kernel, K.FILE_STATE + range, to);
}

/**
 * shmem_fault: the page at `va`, with a reference for the caller (a THP's
 * subpage when the range is huge); a new zeroed small page for a hole. Waits
 * while the range is locked (lock_page of a page being collapsed or truncated).
 */
function* shmem_fault(cpu: Cpu, k: Kernel, va: number): Fn<{ page: number; huge: boolean } | null> {
  const kw = cpu.machine.v.kernel;
  const range = rangeOf(k, va);
  const i = indexOf(k, va);
  for (;;) {
    yield* spin_lock(cpu, K.PAGE_CACHE_LOCK);
    const st = shared.load(kw, K.FILE_STATE + range);
    if (st === Range.LOCKED) {
      yield* spin_unlock(cpu, K.PAGE_CACHE_LOCK);
      yield cpu.ev(Ev.spin, kwordAddr(K.FILE_STATE + range));
      continue;
    }
    yield cpu.ev(Ev.load, kwordAddr(cacheWord(i)));
    let page = shared.load(kw, cacheWord(i)) - 1;
    if (page < 0) {
      // shmem_alloc_and_acct_page: a small page (the mount's huge= option never allocates a THP at fault)
      page = yield* alloc_pages(cpu, 0, Owner.FILE);
      if (page < 0) { yield* spin_unlock(cpu, K.PAGE_CACHE_LOCK); return null; }
      yield cpu.ev(Ev.work, k.physOf(page), k.pageSize / 64); // clear_highpage
      cpu.machine.v.mem.fill(0, k.physOf(page) >>> 2, (k.physOf(page) + k.pageSize) >>> 2);
      shared.store(kw, cacheWord(i), page + 1); // the cache's reference is the allocation's
    }
    yield* get_page(cpu, page);
    yield* spin_unlock(cpu, K.PAGE_CACHE_LOCK);
    return { page, huge: st === Range.HUGE };
  }
}

/**
 * A fault on the file area (do_shared_fault -> finish_fault, v5.19): a THP
 * of the cache is mapped by a huge pmd where the pmd is empty (do_set_pmd; no
 * table is deposited but where the arch needs one: ppc64 hash), else the page by a pte. The
 * caller holds mmap_lock for read.
 */
export function* do_file_fault(cpu: Cpu, k: Kernel, va: number): Fn<boolean> {
  cpu.enter('do_shared_fault'); // do_read_fault for a load: the same steps here
  const m = cpu.machine;
  const pt = k.arch.pt;
  const got = yield* shmem_fault(cpu, k, va);
  if (!got) { cpu.leave(); return false; }
  const { page, huge } = got;
  const pmdp = k.pmdp(va);
  yield cpu.ev(Ev.load, pmdp);
  if (huge && pt.pmd_none(loadEntry(m, pmdp))) {
    // do_set_pmd: where the arch needs one, a table is deposited with the file THP's pmd as well
    const deposit = k.arch.needsPgtableDeposit ? yield* pte_alloc_one(cpu, k) : -1;
    if (k.arch.needsPgtableDeposit && deposit < 0) { yield* put_page(cpu, page); cpu.leave(); return false; }
    yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
    if (pt.pmd_none(loadEntry(m, pmdp)) && shared.load(m.v.kernel, cacheWord(indexOf(k, va))) === page + 1) {
      if (deposit >= 0) yield* pgtable_trans_huge_deposit(cpu, k, pmdp, deposit);
      const head = compoundHead(m, page);
      yield cpu.ev(Ev.atomic, pageAddr(head));
      shared.add(m.v.pages, pw(head, P.COMPOUND_MAPCOUNT), 1); // page_add_file_rmap(compound)
      yield cpu.ev(Ev.pte_store, pmdp);
      storeEntry(m, pmdp, pt.mk_huge_pmd(k.physOf(head), true)); // the reference taken is the mapping's
      yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
      cpu.leave();
      return true;
    }
    yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
    if (deposit >= 0) yield* pte_free(cpu, deposit);
  }
  if (pt.pmd_none(loadEntry(m, pmdp))) {
    const table = yield* pte_alloc_one(cpu, k);
    if (table < 0) { yield* put_page(cpu, page); cpu.leave(); return false; }
    yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
    let spare = table;
    if (pt.pmd_none(loadEntry(m, pmdp))) {
      yield cpu.ev(Ev.pte_store, pmdp);
      storeEntry(m, pmdp, pt.pmd_populate(table));
      spare = -1;
    }
    yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
    if (spare >= 0) yield* pte_free(cpu, spare);
  }
  const pmd = loadEntry(m, pmdp);
  if (pt.pmd_trans_huge(pmd)) { yield* put_page(cpu, page); cpu.leave(); return true; } // mapped huge meanwhile
  const ptl = pte_lockptr(k, pmdp);
  yield* spin_lock(cpu, ptl);
  const ptep = pt.pmd_phys(pmd) + pt.pte_index(va) * 8;
  const same = loadEntry(m, pmdp) === pmd;
  // the kernel holds the page locked from shmem_fault to here, and truncation waits for that lock:
  // a page a hole punch took out of the cache meanwhile is not mapped (the fault is retried)
  const cached = shared.load(m.v.kernel, cacheWord(indexOf(k, va))) === page + 1;
  yield cpu.ev(Ev.load, ptep);
  if (same && cached && pt.pte_none(loadEntry(m, ptep))) {
    yield cpu.ev(Ev.atomic, pageAddr(page));
    shared.add(m.v.pages, pw(page, P.MAPCOUNT), 1); // page_add_file_rmap
    yield cpu.ev(Ev.pte_store, ptep);
    storeEntry(m, ptep, pt.mk_pte(k.physOf(page), true)); // do_set_pte: the reference is the mapping's
    yield* spin_unlock(cpu, ptl);
  } else {
    yield* spin_unlock(cpu, ptl);
    yield* put_page(cpu, page);
  }
  cpu.leave();
  return true;
}
