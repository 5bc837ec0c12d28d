// Transparent huge pages, modelled on mm/huge_memory.c of Linux v4.5-rc1
// (and v4.4 where the variant says so): the huge anonymous fault, the PMD
// split, the page split and the deferred split queue, zap of a huge pmd.
import { BUG_AT } from './bug_sites.js';
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { loadEntry, storeEntry } from '../emulator/physmem.js';
import type { Kernel } from './kernel.js';
import { K } from './kernel_words.js';
import {
  dequeue, get_page, page_add_anon_rmap, page_add_new_anon_rmap, page_count, page_ref_freeze, page_ref_unfreeze,
  page_remove_rmap, PG_deferred, put_page, total_mapcount,
} from './mm.js';
import { dumpPage, Owner, P, PG_double_map, PG_head, PG_locked, pw, pageAddr } from './mm_types.js';
import { alloc_pages } from './page_alloc.js';
import { pgtable_trans_huge_deposit, pgtable_trans_huge_withdraw, pte_alloc_one, pte_free, pte_lockptr } from './pgtable.js';
import { spin_lock, spin_unlock } from './spinlock.js';
import { count_vm_event } from './vmstat.js';
import * as shared from '../emulator/shared.js';

export const VM_FAULT_FALLBACK = 0x0800;
const EBUSY = -16;

/** A record of the last split of each THP-area pmd, for the oops (scratch slots 128 + 4 * slot). */
export { SPLIT_LOG } from './kernel_words.js';
import { SPLIT_LOG } from './kernel_words.js';

/**
 * A per-pmd log in scratch slots `log + 4 * slot` (what the race explanation
 * reads): the CPU, its clock, one value, and a mark that the slot is written.
 */
export function logPmdEvent(cpu: Cpu, k: Kernel, log: number, pmdp: number, value: number): void {
  const i = (pmdp - shared.load(k.machine.v.kernel, K.THP_PMD0)) / 8;
  if (i < 0 || i >= 32) return;
  const s = k.machine.v.scratch;
  s[log + i * 4] = cpu.id;
  s[log + i * 4 + 1] = cpu.clock;
  s[log + i * 4 + 2] = value;
  s[log + i * 4 + 3] = 1;
}

/** do_huge_pmd_anonymous_page: a fresh THP behind `pmdp`, with a page table deposited for its split. */
export function* do_huge_pmd_anonymous_page(cpu: Cpu, k: Kernel, pmdp: number): Fn<number> {
  cpu.enter('do_huge_pmd_anonymous_page');
  const m = cpu.machine;
  const pgtable = yield* pte_alloc_one(cpu, k);
  if (pgtable < 0) { cpu.leave(); return VM_FAULT_FALLBACK; }
  const head = yield* alloc_pages(cpu, k.arch.hpageShift - k.pageShift, Owner.ANON);
  if (head < 0) {
    yield* pte_free(cpu, pgtable);
    count_vm_event(m, 'thp_fault_fallback');
    cpu.leave();
    return VM_FAULT_FALLBACK;
  }
  yield cpu.ev(Ev.work, head, k.hpageSize / 64); // clear_huge_page
  yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
  yield cpu.ev(Ev.load, pmdp);
  if (!k.arch.pt.pmd_none(loadEntry(m, pmdp))) {
    yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
    yield* put_page(cpu, head);
    yield* pte_free(cpu, pgtable);
  } else {
    yield* page_add_new_anon_rmap(cpu, head, true);
    yield* pgtable_trans_huge_deposit(cpu, k, pmdp, pgtable);
    yield cpu.ev(Ev.pte_store, pmdp);
    storeEntry(m, pmdp, k.arch.pt.mk_huge_pmd(k.physOf(head), true)); // set_pmd_at
    count_vm_event(m, 'thp_fault_alloc');
    yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
  }
  cpu.leave();
  return 0;
}

/**
 * __split_huge_pmd_locked (v4.5-rc1): every subpage gets a pte in the
 * withdrawn table and a reference and map count of its own, then
 * pmdp_invalidate() and pmd_populate(). The address pmdp_invalidate() is
 * given is the variant's: v4.5-rc1 passed haddr + HPAGE_PMD_SIZE.
 */
export function* __split_huge_pmd_locked(cpu: Cpu, k: Kernel, pmdp: number, haddr: number): Fn<void> {
  cpu.enter('__split_huge_pmd_locked');
  const m = cpu.machine;
  const pt = k.arch.pt;
  const nr = pt.PTRS_PER_PTE;
  yield cpu.ev(Ev.load, pmdp);
  const pmd = loadEntry(m, pmdp);
  const head = k.pfnOf(pt.pmd_phys(pmd));
  if (shared.load(m.v.pages, pw(head, P.COUNT)) <= 0) {
    cpu.oops('VM_BUG_ON_PAGE', 'VM_BUG_ON_PAGE(!page_count(page))', { page: dumpPage(m, head), pmd: hex(pmd), at: BUG_AT.split_pmd_page_count });
  }
  yield cpu.ev(Ev.atomic, pageAddr(head));
  shared.add(m.v.pages, pw(head, P.COUNT), nr - 1); // a reference per pte to be
  // pmdp_huge_split_prepare: nothing, but where the arch keeps state in the deposited table
  if (k.arch.pmdpHugeSplitPrepare) yield* k.arch.pmdpHugeSplitPrepare(cpu, k, pmdp, haddr);
  const table = yield* pgtable_trans_huge_withdraw(cpu, k, pmdp);
  for (let i = 0; i < nr; i++) {
    const ptep = table + i * 8;
    yield cpu.ev(Ev.pte_store, ptep);
    if (!pt.pte_none(loadEntry(m, ptep))) cpu.oops('BUG', 'BUG_ON(!pte_none(*pte))', { pte: hex(loadEntry(m, ptep)), at: BUG_AT.split_pmd_pte_none });
    storeEntry(m, ptep, pt.mk_pte(k.physOf(head + i), true)); // set_pte_at
    shared.add(m.v.pages, pw(head + i, P.MAPCOUNT), 1);
  }
  // the last PMD mapping is gone (one mm, so never double-mapped)
  yield cpu.ev(Ev.atomic, pageAddr(head));
  shared.sub(m.v.pages, pw(head, P.COMPOUND_MAPCOUNT), 1);
  // smp_wmb(): the ptes before the pmd
  const hpage = k.hpageSize;
  const address = k.variant.pmdpInvalidateAddress === 'haddr' ? haddr : haddr + hpage;
  logPmdEvent(cpu, k, SPLIT_LOG, pmdp, address);
  count_vm_event(m, 'thp_split_pmd');
  cpu.enter('pmdp_invalidate');
  yield* k.arch.pmdpInvalidate(cpu, k, pmdp, address);
  if (k.variant.kickInPmdpInvalidate) yield* k.thpSerialise(cpu);
  cpu.leave();
  yield cpu.ev(Ev.pte_store, pmdp);
  storeEntry(m, pmdp, pt.pmd_populate(table));
  cpu.leave();
}

/**
 * split_huge_pmd(vma, pmd, address). v4.4 had no pmd-only split: the THP is
 * marked splitting (pmdp_splitting_flush, an IPI to every CPU) and the page
 * split with it; the refcounting here stays v4.5's for both.
 */
export function* split_huge_pmd(cpu: Cpu, k: Kernel, pmdp: number, va: number): Fn<void> {
  cpu.enter('split_huge_pmd');
  const m = cpu.machine;
  const hpage = k.hpageSize;
  const haddr = va - (va % hpage);
  const splittingFlush = k.variant.thpSplit === 'splitting-flush';
  yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
  yield cpu.ev(Ev.load, pmdp);
  let head = -1;
  if (k.arch.pt.pmd_trans_huge(loadEntry(m, pmdp))) {
    head = k.pfnOf(k.arch.pt.pmd_phys(loadEntry(m, pmdp)));
    if (splittingFlush) {
      yield* get_page(cpu, head);
      yield* k.arch.pmdpSplittingFlush(cpu, k, pmdp, haddr);
    }
    yield* __split_huge_pmd_locked(cpu, k, pmdp, haddr);
  }
  yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
  if (splittingFlush && head >= 0) {
    // v4.4 split the page together with the pmd
    if (yield* trylock_page(cpu, head)) {
      yield* split_huge_page(cpu, k, head);
      yield* unlock_page(cpu, head);
    }
    yield* put_page(cpu, head);
  }
  cpu.leave();
}

export function* trylock_page(cpu: Cpu, pfn: number): Fn<boolean> {
  yield cpu.ev(Ev.atomic, pageAddr(pfn));
  return (shared.or(cpu.machine.v.pages, pw(pfn, P.FLAGS), PG_locked) & PG_locked) === 0;
}

export function* unlock_page(cpu: Cpu, pfn: number): Fn<void> {
  yield cpu.ev(Ev.atomic, pageAddr(pfn));
  shared.and(cpu.machine.v.pages, pw(pfn, P.FLAGS), ~PG_locked);
}

interface Frozen { ptep: number; sub: number; pmdp: number }

/**
 * freeze_page: unmap every pte of the THP (v4.5 puts migration entries in
 * their place; the entries stay cleared here), dropping each map count and
 * reference. The caller holds the page lock.
 */
function* freeze_page(cpu: Cpu, k: Kernel, head: number, nr: number): Fn<Frozen[]> {
  const m = cpu.machine;
  const pt = k.arch.pt;
  const frozen: Frozen[] = [];
  const pmd0 = shared.load(m.v.kernel, K.THP_PMD0);
  const slots = shared.load(m.v.kernel, K.THP_SLOTS);
  const hpage = k.hpageSize;
  // the rmap walk: in this one-mm machine, the ptes of the THP area that map the
  // page, each table under its own lock (mm/rmap.c v4.5 page_check_address: pte_offset_map_lock)
  for (let s = 0; s < slots; s++) {
    const pmdp = pmd0 + s * 8;
    const seen = loadEntry(m, pmdp);
    if (pt.pmd_none(seen) || pt.pmd_trans_huge(seen)) continue;
    const ptl = pte_lockptr(k, pmdp);
    yield* spin_lock(cpu, ptl);
    const pmd = loadEntry(m, pmdp);
    if (pt.pmd_none(pmd) || pt.pmd_trans_huge(pmd)) { yield* spin_unlock(cpu, ptl); continue; }
    const table = pt.pmd_phys(pmd);
    for (let i = 0; i < nr; i++) {
      const ptep = table + i * 8;
      const pte = loadEntry(m, ptep);
      if (!pt.pte_present(pte)) continue;
      const sub = k.pfnOf(pt.pte_phys(pte));
      if (sub < head || sub >= head + nr) continue;
      const va = k.thpBase() + s * hpage + i * k.pageSize;
      yield* k.arch.ptepGetAndClear(cpu, k, ptep, va);
      yield* page_remove_rmap(cpu, sub, false);
      // the reference the pte held (head's count) goes with it
      yield cpu.ev(Ev.atomic, pageAddr(head));
      shared.sub(m.v.pages, pw(head, P.COUNT), 1);
      frozen.push({ ptep, sub, pmdp });
    }
    yield* spin_unlock(cpu, ptl);
  }
  return frozen;
}

/** unfreeze_page: put the ptes back, with their map counts and references. */
function* unfreeze_page(cpu: Cpu, k: Kernel, frozen: Frozen[]): Fn<void> {
  const m = cpu.machine;
  // remove_migration_ptes (mm/migrate.c, v4.5): each table under its own lock (frozen is in table order)
  let ptl = -1;
  for (const f of frozen) {
    const want = pte_lockptr(k, f.pmdp);
    if (want !== ptl) {
      if (ptl >= 0) yield* spin_unlock(cpu, ptl);
      ptl = want;
      yield* spin_lock(cpu, ptl);
    }
    yield cpu.ev(Ev.pte_store, f.ptep);
    storeEntry(m, f.ptep, k.arch.pt.mk_pte(k.physOf(f.sub), true));
    yield* page_add_anon_rmap(cpu, f.sub);
    yield* get_page(cpu, f.sub);
  }
  if (ptl >= 0) yield* spin_unlock(cpu, ptl);
}

/**
 * split_huge_page_to_list (v4.5-rc1): the caller holds a reference and the
 * page lock. Refuses with -EBUSY while anyone else holds a reference (a gup
 * pin); otherwise unmaps, hands each tail a count of its own, and maps the
 * subpages back as ordinary pages. Subpages nobody maps are freed.
 */
export function* split_huge_page(cpu: Cpu, k: Kernel, head: number): Fn<number> {
  cpu.enter('split_huge_page');
  const m = cpu.machine;
  const pg = m.v.pages;
  const nr = k.arch.pt.PTRS_PER_PTE;
  if ((shared.load(pg, pw(head, P.FLAGS)) & PG_head) === 0) { cpu.leave(); return EBUSY; }
  // extra pins: every reference but the caller's must be a mapping
  if (total_mapcount(cpu, head, nr) !== page_count(cpu, head) - 1) { cpu.leave(); return EBUSY; }
  const frozen = yield* freeze_page(cpu, k, head, nr);
  if (shared.load(pg, pw(head, P.COMPOUND_MAPCOUNT)) !== -1) {
    cpu.oops('VM_BUG_ON_PAGE', 'VM_BUG_ON_PAGE(compound_mapcount(head))', { page: dumpPage(m, head), at: BUG_AT.split_compound_mapcount });
  }
  yield* spin_lock(cpu, K.SPLIT_QUEUE_LOCK);
  const count = page_count(cpu, head);
  const mapcount = total_mapcount(cpu, head, nr);
  // v4.5 compares the count; with the freeze switch (v4.8's way) it is frozen at
  // the caller's one reference, so no speculative reference can slip in after
  const freeze = k.variant.splitRefFreeze;
  if (mapcount === 0 && (freeze ? yield* page_ref_freeze(cpu, head, 1) : count === 1)) {
    if (shared.load(pg, pw(head, P.FLAGS)) & PG_deferred) dequeue(cpu, head);
    yield* spin_unlock(cpu, K.SPLIT_QUEUE_LOCK);
    yield* __split_huge_page(cpu, k, head, nr, frozen);
    count_vm_event(m, 'thp_split_page');
    cpu.leave();
    return 0;
  }
  yield* spin_unlock(cpu, K.SPLIT_QUEUE_LOCK);
  if (mapcount) {
    cpu.oops('BUG', `total_mapcount: ${mapcount}, page_count(): ${count}`, { page: dumpPage(m, head), at: BUG_AT.split_total_mapcount });
  }
  yield* unfreeze_page(cpu, k, frozen);
  count_vm_event(m, 'thp_split_page_failed');
  cpu.leave();
  return EBUSY;
}

/** __split_huge_page: tails get a count of their own, the compound is undone, the ptes come back. */
function* __split_huge_page(cpu: Cpu, k: Kernel, head: number, nr: number, frozen: Frozen[]): Fn<void> {
  cpu.enter('__split_huge_page');
  const m = cpu.machine;
  const pg = m.v.pages;
  for (let i = nr - 1; i >= 1; i--) {
    const tail = head + i;
    yield cpu.ev(Ev.atomic, pageAddr(tail)); // __split_huge_page_tail
    if (shared.load(pg, pw(tail, P.MAPCOUNT)) !== -1 || shared.load(pg, pw(tail, P.COUNT)) !== 0) {
      cpu.oops('VM_BUG_ON_PAGE', 'VM_BUG_ON_PAGE(page_tail->_mapcount != -1 || page_tail->_count != 0)', { page: dumpPage(m, tail), at: BUG_AT.split_tail_count });
    }
    shared.add(pg, pw(tail, P.COUNT), 1);
    shared.or(pg, pw(tail, P.FLAGS), PG_locked); // tails come out locked, as the head is
    shared.store(pg, pw(tail, P.COMPOUND_HEAD), 0);
  }
  shared.and(pg, pw(head, P.FLAGS), ~(PG_head | PG_double_map));
  shared.store(pg, pw(head, P.ORDER), 0);
  // a frozen head gets the caller's reference back before the ptes return (v4.8: page_ref_inc(head))
  if (k.variant.splitRefFreeze) yield* page_ref_unfreeze(cpu, head, 1);
  yield* unfreeze_page(cpu, k, frozen);
  for (let i = 1; i < nr; i++) {
    yield* unlock_page(cpu, head + i);
    yield* put_page(cpu, head + i); // a subpage nobody maps is freed here
  }
  cpu.leave();
}

/**
 * deferred_split_scan (the shrinker): take a THP off the queue and try to
 * split it, freeing the subpages a partial unmap left unmapped.
 */
export function* deferred_split_scan(cpu: Cpu, k: Kernel): Fn<number> {
  cpu.enter('deferred_split_scan');
  const m = cpu.machine;
  const kw = m.v.kernel;
  yield* spin_lock(cpu, K.SPLIT_QUEUE_LOCK);
  const n = shared.load(kw, K.SPLIT_QUEUE_LEN);
  let head = -1;
  if (n > 0) {
    const cand = kw[K.SPLIT_QUEUE + cpu.random(n)]!;
    // get_page_unless_zero: a THP being freed is left to its freer
    const c = shared.load(m.v.pages, pw(cand, P.COUNT));
    if (c > 0 && shared.compareExchange(m.v.pages, pw(cand, P.COUNT), c, c + 1) === c) head = cand;
    else dequeue(cpu, cand);
  }
  yield* spin_unlock(cpu, K.SPLIT_QUEUE_LOCK);
  let ret = -1;
  if (head >= 0) {
    if (yield* trylock_page(cpu, head)) {
      ret = yield* split_huge_page(cpu, k, head);
      yield* unlock_page(cpu, head);
    }
    yield* put_page(cpu, head);
  }
  cpu.leave();
  return ret;
}

/** zap_huge_pmd: unmap a whole THP; the deposited table goes back too. Caller holds no lock. */
export function* zap_huge_pmd(cpu: Cpu, k: Kernel, pmdp: number, haddr: number): Fn<boolean> {
  cpu.enter('zap_huge_pmd');
  const m = cpu.machine;
  yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
  yield cpu.ev(Ev.load, pmdp);
  if (!k.arch.pt.pmd_trans_huge(loadEntry(m, pmdp))) {
    yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
    cpu.leave();
    return false;
  }
  const orig = yield* k.arch.pmdpHugeGetAndClear(cpu, k, pmdp, haddr);
  const table = yield* pgtable_trans_huge_withdraw(cpu, k, pmdp);
  const head = k.pfnOf(k.arch.pt.pmd_phys(orig));
  yield* page_remove_rmap(cpu, head, true);
  yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
  yield* pte_free(cpu, table);
  yield* put_page(cpu, head);
  cpu.leave();
  return true;
}

const hex = (x: number): string => `0x${(x >>> 0).toString(16)}`;
