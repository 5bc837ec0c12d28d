// Page reference and map counts, modelled on include/linux/mm.h,
// include/linux/pagemap.h, mm/swap.c and mm/rmap.c of Linux v4.5 (after the
// THP refcounting rework: tail pages have no count of their own; a
// PMD-mapped THP is counted in compound_mapcount, a PTE-mapped subpage in its
// _mapcount).
import { hasKasan } from './kasan.js';
import { BUG_AT } from './bug_sites.js';
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { K } from './kernel_words.js';
import { compoundHead, dumpPage, P, PG_head, pw, pageAddr } from './mm_types.js';
import { __free_pages } from './page_alloc.js';
import { spin_lock, spin_unlock } from './spinlock.js';
import { count_vm_event } from './vmstat.js';
import * as shared from '../emulator/shared.js';

/** PG_deferred: the head is on the deferred split queue (v4.5 keeps a list_head in the third page). */
export const PG_deferred = 1 << 4;

function vmBugOnPage(cpu: Cpu, cond: boolean, pfn: number, what: string, at?: string): void {
  if (!cond) return;
  cpu.enter('VM_BUG_ON_PAGE');
  cpu.oops('VM_BUG_ON_PAGE', `VM_BUG_ON_PAGE(${what})`, { page: dumpPage(cpu.machine, pfn), check: what, ...(at ? { at } : {}) });
}

export function page_count(cpu: Cpu, pfn: number): number {
  return shared.load(cpu.machine.v.pages, pw(compoundHead(cpu.machine, pfn), P.COUNT));
}

export function isHead(cpu: Cpu, pfn: number): boolean {
  return (shared.load(cpu.machine.v.pages, pw(pfn, P.FLAGS)) & PG_head) !== 0;
}

/** get_page: the reference goes to the compound head. */
export function* get_page(cpu: Cpu, pfn: number): Fn<void> {
  const head = compoundHead(cpu.machine, pfn);
  yield cpu.ev(Ev.atomic, pageAddr(head));
  if (shared.load(cpu.machine.v.pages, pw(head, P.COUNT)) <= 0) {
    // the race, named: who took the reference from where, and who freed the page (struct page's free record)
    const by = shared.load(cpu.machine.v.pages, pw(head, P.FREED_BY)) - 1;
    cpu.enter('VM_BUG_ON_PAGE');
    cpu.oops('VM_BUG_ON_PAGE', 'VM_BUG_ON_PAGE(atomic_read(&page->_count) <= 0)', {
      page: dumpPage(cpu.machine, head), check: 'atomic_read(&page->_count) <= 0', at: BUG_AT.get_page,
      race: {
        taker: `CPU${cpu.id} in ${cpu.trace.slice(0, -1).reverse().join(' < ')}${cpu.irqOn ? '' : ', interrupts off'}`,
        freer: by >= 0 ? `CPU${by} freed it at clock ~${shared.load(cpu.machine.v.pages, pw(head, P.FREED_KCYCLE))}k` : 'never freed',
      },
    });
  }
  shared.add(cpu.machine.v.pages, pw(head, P.COUNT), 1);
}

/** page_ref_add on the head without the speculative check (x86 get_head_page_multiple). */
export function* get_head_page_multiple(cpu: Cpu, head: number, nr: number): Fn<void> {
  yield cpu.ev(Ev.atomic, pageAddr(head));
  vmBugOnPage(cpu, shared.load(cpu.machine.v.pages, pw(head, P.COUNT)) <= 0, head, 'page_count(page) <= 0');
  shared.add(cpu.machine.v.pages, pw(head, P.COUNT), nr);
}

/** page_cache_add_speculative: add `nr` references unless the count is zero (the page is being freed). */
export function* page_cache_add_speculative(cpu: Cpu, pfn: number, nr: number): Fn<boolean> {
  const pg = cpu.machine.v.pages;
  yield cpu.ev(Ev.atomic, pageAddr(pfn));
  for (;;) {
    const c = shared.load(pg, pw(pfn, P.COUNT));
    if (c === 0) return false;
    if (shared.compareExchange(pg, pw(pfn, P.COUNT), c, c + nr) === c) break;
  }
  vmBugOnPage(cpu, compoundHead(cpu.machine, pfn) !== pfn, pfn, 'PageCompound(page) && page != compound_head(page)');
  return true;
}

/**
 * page_ref_freeze (include/linux/page_ref.h, v4.6+): the count goes from
 * `count` to 0 in one atomic step, or not at all; while it is 0 every
 * speculative reference fails.
 */
export function* page_ref_freeze(cpu: Cpu, pfn: number, count: number): Fn<boolean> {
  yield cpu.ev(Ev.atomic, pageAddr(pfn));
  return shared.compareExchange(cpu.machine.v.pages, pw(pfn, P.COUNT), count, 0) === count;
}

/** page_ref_unfreeze: the frozen count is set back. */
export function* page_ref_unfreeze(cpu: Cpu, pfn: number, count: number): Fn<void> {
  yield cpu.ev(Ev.atomic, pageAddr(pfn));
  shared.store(cpu.machine.v.pages, pw(pfn, P.COUNT), count);
}

/** put_page: drop a reference of the compound head; the last one frees it. */
export function* put_page(cpu: Cpu, pfn: number): Fn<void> {
  const m = cpu.machine;
  const head = compoundHead(m, pfn);
  yield cpu.ev(Ev.atomic, pageAddr(head));
  // put_page_testzero: VM_BUG_ON_PAGE(page_ref_count(page) == 0, page)
  vmBugOnPage(cpu, shared.load(m.v.pages, pw(head, P.COUNT)) <= 0, head, 'atomic_read(&page->_count) == 0', BUG_AT.put_page_testzero);
  if (shared.sub(m.v.pages, pw(head, P.COUNT), 1) !== 1) return;
  cpu.enter('__put_page');
  if (isHead(cpu, head)) {
    // __put_compound_page -> free_transhuge_page: off the deferred queue, then the whole order
    yield* deferred_split_remove(cpu, head);
    yield* __free_pages(cpu, head, shared.load(m.v.pages, pw(head, P.ORDER)));
  } else {
    yield* __free_pages(cpu, head, 0);
  }
  cpu.leave();
}

/** compound_mapcount + every subpage's _mapcount + 1, less the double-map bias (total_mapcount, v4.5). */
export function total_mapcount(cpu: Cpu, head: number, nr: number): number {
  const pg = cpu.machine.v.pages;
  let ret = shared.load(pg, pw(head, P.COMPOUND_MAPCOUNT)) + 1;
  for (let i = 0; i < nr; i++) ret += shared.load(pg, pw(head + i, P.MAPCOUNT)) + 1;
  return ret;
}

/** page_add_new_anon_rmap: a fresh page's first mapping (compound: the PMD map). */
export function* page_add_new_anon_rmap(cpu: Cpu, pfn: number, compound: boolean): Fn<void> {
  yield cpu.ev(Ev.store, pageAddr(pfn));
  shared.store(cpu.machine.v.pages, pw(pfn, compound ? P.COMPOUND_MAPCOUNT : P.MAPCOUNT), 0);
}

export function* page_add_anon_rmap(cpu: Cpu, pfn: number): Fn<void> {
  yield cpu.ev(Ev.atomic, pageAddr(pfn));
  shared.add(cpu.machine.v.pages, pw(pfn, P.MAPCOUNT), 1);
}

/**
 * page_remove_rmap(page, compound). A subpage of a THP that loses its last pte
 * puts the THP on the deferred split queue (deferred_split_huge_page).
 */
export function* page_remove_rmap(cpu: Cpu, pfn: number, compound: boolean): Fn<void> {
  const pg = cpu.machine.v.pages;
  yield cpu.ev(Ev.atomic, pageAddr(pfn));
  const field = compound ? P.COMPOUND_MAPCOUNT : P.MAPCOUNT;
  const now = shared.sub(pg, pw(pfn, field), 1) - 1;
  // v4.5 has no check here (zap_pte_range reports a pte whose page's mapcount went below 0,
  // print_bad_pte): this one is the shadow's, and stops a run only under --detect kasan
  if (hasKasan(cpu)) vmBugOnPage(cpu, now < -1, pfn, compound ? 'compound_mapcount(page) < 0' : 'page_mapcount(page) < 0');
  const head = compoundHead(cpu.machine, pfn);
  if (!compound && now === -1 && head !== pfn) yield* deferred_split_huge_page(cpu, head);
}

// --- the deferred split queue (mm/huge_memory.c, v4.5): heads waiting for split_huge_page

export function* deferred_split_huge_page(cpu: Cpu, head: number): Fn<void> {
  const m = cpu.machine;
  const kw = m.v.kernel;
  yield* spin_lock(cpu, K.SPLIT_QUEUE_LOCK);
  if ((shared.load(m.v.pages, pw(head, P.FLAGS)) & PG_deferred) === 0) {
    const n = shared.load(kw, K.SPLIT_QUEUE_LEN);
    if (n < 256) {
      kw[K.SPLIT_QUEUE + n] = head;
      shared.store(kw, K.SPLIT_QUEUE_LEN, n + 1);
      shared.or(m.v.pages, pw(head, P.FLAGS), PG_deferred);
      count_vm_event(m, 'thp_deferred_split_page');
    }
  }
  yield* spin_unlock(cpu, K.SPLIT_QUEUE_LOCK);
}

/** free_transhuge_page's list_del, under split_queue_lock. */
export function* deferred_split_remove(cpu: Cpu, head: number): Fn<void> {
  const m = cpu.machine;
  if ((shared.load(m.v.pages, pw(head, P.FLAGS)) & PG_deferred) === 0) return;
  yield* spin_lock(cpu, K.SPLIT_QUEUE_LOCK);
  dequeue(cpu, head);
  yield* spin_unlock(cpu, K.SPLIT_QUEUE_LOCK);
}

/** Takes `head` off the queue; the caller holds split_queue_lock. */
export function dequeue(cpu: Cpu, head: number): void {
  const m = cpu.machine;
  const kw = m.v.kernel;
  const n = shared.load(kw, K.SPLIT_QUEUE_LEN);
  for (let i = 0; i < n; i++) {
    if (kw[K.SPLIT_QUEUE + i] === head) {
      kw[K.SPLIT_QUEUE + i] = kw[K.SPLIT_QUEUE + n - 1]!;
      shared.store(kw, K.SPLIT_QUEUE_LEN, n - 1);
      break;
    }
  }
  shared.and(m.v.pages, pw(head, P.FLAGS), ~PG_deferred);
}
