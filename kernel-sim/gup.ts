// get_user_pages_fast, modelled on arch/s390/mm/gup.c and arch/x86/mm/gup.c
// of Linux v4.4/v4.5, and on the generic lockless walk of mm/gup.c (v5.19,
// v6.0) where the kernel's gupFastRef switch says so, with the slow
// get_user_pages fallback of mm/gup.c.
//
// fast_gup walks the page tables with interrupts off. That keeps page tables
// from being freed under it, and, where the TLB flush is an IPI (x86) or the
// split sends one (v4.4 pmdp_splitting_flush), keeps the pmd from being split
// or the page freed before it has its references. Where neither holds (s390
// v4.5), s390 takes them speculatively (add unless zero) and re-reads the
// entry afterwards, undoing them if it changed.
import { vm_normal_page } from './memory.js';
import { kasan_report } from './kasan.js';
import { kernel_access } from './kernel_access.js';
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { loadEntry } from '../emulator/physmem.js';
import type { Kernel } from './kernel.js';
import { K } from './kernel_words.js';
import { pte_lockptr } from './pgtable.js';
import { handle_mm_fault, VM_FAULT_OOM } from './memory.js';
import { get_head_page_multiple, get_page, page_cache_add_speculative, put_page } from './mm.js';
import { local_irq_restore, local_irq_save } from './irqflags.js';
import { down_read, spin_lock, spin_unlock, up_read } from './spinlock.js';
import { count_vm_event } from './vmstat.js';
import { compoundHead, dumpPage, Owner, P, pw } from './mm_types.js';
import * as shared from '../emulator/shared.js';

export interface GupResult {
  /** pinned pages, in address order (subpage pfns) */
  pages: number[];
  /** how many came from the lockless walk */
  fast: number;
  /** for each of those, the pmd value the walk found it through */
  pmds: number[];
}

/**
 * KASAN-like: the lockless walk may only read a frame that is still a page
 * table. Interrupts off hold off the free only where the free waits for them
 * (RCU table freeing, or a flush by IPI).
 */
function checkPageTable(cpu: Cpu, k: Kernel, ptep: number, va: number): void {
  const frame = Math.floor(ptep / k.pageSize);
  const m = cpu.machine;
  if (shared.load(m.v.pages, pw(frame, P.OWNER)) === Owner.PGTABLE) return;
  // the race, named: the walker, and the CPU that last freed the frame (struct page's free record)
  const by = shared.load(m.v.pages, pw(frame, P.FREED_BY)) - 1;
  const freer = by >= 0 ? `CPU${by}` : 'another CPU';
  kasan_report(cpu, 'KASAN: use-after-free', () => ({
    message: `CPU${cpu.id} fast_gup read the pte of 0x${va.toString(16)} from a page table ${freer} freed under it`,
    details: {
      address: `0x${va.toString(16)}`, ptep: `0x${ptep.toString(16)}`, page: dumpPage(m, frame),
      race: { walker: `CPU${cpu.id} (__get_user_pages_fast, interrupts off)`, freer: `${freer} (pte_free, clock ~${shared.load(m.v.pages, pw(frame, P.FREED_KCYCLE))}k)` },
    },
  }));
  // without KASAN the walk reads what the frame holds now, unless DEBUG_PAGEALLOC unmapped it (still free)
  kernel_access(cpu, ptep, false);
}

/**
 * How this kernel's GUP-fast takes a reference (VariantSwitches.gupFastRef):
 * speculatively (add unless zero, then re-read the entry), and whether a pte's
 * reference goes to compound_head() as mm/gup.c's try_grab_folio() does.
 */
function refMode(k: Kernel): { speculative: boolean; head: boolean } {
  switch (k.variant.gupFastRef) {
    case 'arch': return { speculative: k.arch.gupSpeculative, head: k.arch.gupPteRefHead === true };
    case 'get_page': return { speculative: false, head: false };
    case 'speculative': return { speculative: true, head: true };
  }
}

/** gup_huge_pmd: references for the subpages of [addr, end) of a huge pmd. */
function* gup_huge_pmd(cpu: Cpu, k: Kernel, pmdp: number, pmd: number, addr: number, end: number, write: boolean, out: number[]): Fn<boolean> {
  cpu.enter('gup_huge_pmd');
  const pt = k.arch.pt;
  if (!pt.gup_huge_pmd_ok(pmd, write)) { cpu.leave(); return false; }
  const head = k.pfnOf(pt.pmd_phys(pmd));
  const hpage = k.hpageSize;
  const first = (addr % hpage) / k.pageSize;
  const refs = (end - addr) / k.pageSize;
  if (refMode(k).speculative) {
    if (!(yield* page_cache_add_speculative(cpu, head, refs))) { cpu.leave(); return false; }
    // the re-check: a pmd changed since it was read gives the references back
    yield cpu.ev(Ev.load, pmdp);
    if (loadEntry(cpu.machine, pmdp) !== pmd) {
      for (let i = 0; i < refs; i++) yield* put_page(cpu, head);
      cpu.leave();
      return false;
    }
  } else {
    yield* get_head_page_multiple(cpu, head, refs);
  }
  for (let i = 0; i < refs; i++) out.push(head + first + i);
  cpu.leave();
  return true;
}

/**
 * gup_pte_range: references for the pages of [addr, end) under the page
 * table the pmd `pmd` (read from `pmdp`) pointed to.
 */
function* gup_pte_range(cpu: Cpu, k: Kernel, pmdp: number, pmd: number, addr: number, end: number, write: boolean, out: number[]): Fn<boolean> {
  cpu.enter('gup_pte_range');
  const pt = k.arch.pt;
  const m = cpu.machine;
  const mode = refMode(k);
  for (let va = addr; va < end; va += k.pageSize) {
    const ptep = pt.pmd_phys(pmd) + pt.pte_index(va) * 8;
    yield cpu.ev(Ev.load, ptep);
    checkPageTable(cpu, k, ptep, va);
    const pte = loadEntry(m, ptep);
    if (!pt.gup_pte_ok(pte, write)) { cpu.leave(); return false; }
    const page = k.pfnOf(pt.pte_phys(pte));
    if (mode.speculative) {
      // page_cache_get_speculative on the page itself (s390 gup.c: a tail of an unsplit THP has
      // no count, and bails) or on compound_head(page) (the generic fast GUP of mm/gup.c)
      const ref = mode.head ? compoundHead(m, page) : page;
      if (!(yield* page_cache_add_speculative(cpu, ref, 1))) { cpu.leave(); return false; }
      // v6.0 (70cbc3cc78a9) re-reads the pmd too: a table khugepaged has taken out of the tree
      // keeps its ptes until the collapse copies them, so the pte alone looks unchanged
      let moved = false;
      if (k.variant.gupFastPmdRecheck) {
        yield cpu.ev(Ev.load, pmdp);
        moved = loadEntry(m, pmdp) !== pmd;
      }
      if (!moved) yield cpu.ev(Ev.load, ptep);
      if (moved || loadEntry(m, ptep) !== pte) {
        yield* put_page(cpu, ref); // the reference taken, on the page it was taken on
        cpu.leave();
        return false;
      }
    } else {
      yield* get_page(cpu, page);
    }
    out.push(page);
  }
  cpu.leave();
  return true;
}

/**
 * __get_user_pages_fast over [start, start + nr pages) within the THP area;
 * the pages it pinned. `pmds`, if given, receives the pmd each was found through.
 */
export function* __get_user_pages_fast(cpu: Cpu, k: Kernel, start: number, nr: number, write: boolean, pmds?: number[]): Fn<number[]> {
  cpu.enter('__get_user_pages_fast');
  const out: number[] = [];
  const pt = k.arch.pt;
  const hpage = k.hpageSize;
  const end = start + nr * k.pageSize;
  const flags = (yield local_irq_save(cpu)) as boolean;
  for (let addr = start; addr < end;) {
    const next = Math.min(addr - (addr % hpage) + hpage, end);
    const pmdp = (yield k.arch.gupWalkToPmd(cpu, k.pgd(), addr)) as number;
    if (pmdp < 0) break;
    yield cpu.ev(Ev.load, pmdp);
    const pmd = loadEntry(cpu.machine, pmdp);
    // v4.4: a splitting pmd is left to the slow path, which waits for the split
    if (pt.pmd_none(pmd) || (k.variant.thpSplit === 'splitting-flush' && pt.pmd_trans_splitting(pmd))) break;
    const ok = (yield pt.pmd_trans_huge(pmd)
      ? gup_huge_pmd(cpu, k, pmdp, pmd, addr, next, write, out)
      : gup_pte_range(cpu, k, pmdp, pmd, addr, next, write, out)) as boolean;
    while (pmds && pmds.length < out.length) pmds.push(pmd);
    if (!ok) break;
    addr = next;
  }
  yield local_irq_restore(cpu, flags);
  cpu.leave();
  return out;
}

/**
 * follow_page for one address under mmap_sem and the page-table lock: a
 * reference on the page, or -1 if it is not mapped (yet).
 */
function* follow_page(cpu: Cpu, k: Kernel, va: number): Fn<number> {
  const pt = k.arch.pt;
  const m = cpu.machine;
  const pmdp = k.pmdp(va);
  // follow_page_mask (mm/gup.c, v4.5): a huge pmd under the pmd lock (follow_trans_huge_pmd), a pte under its table's
  yield cpu.ev(Ev.load, pmdp);
  const lock = pt.pmd_trans_huge(loadEntry(m, pmdp)) ? K.PAGE_TABLE_LOCK : pte_lockptr(k, pmdp);
  yield* spin_lock(cpu, lock);
  const pmd = loadEntry(m, pmdp);
  let page = -1;
  if (pt.pmd_trans_huge(pmd) && !pt.pmd_trans_splitting(pmd)) {
    page = k.pfnOf(pt.pmd_phys(pmd)) + Math.floor((va % k.hpageSize) / k.pageSize);
  } else if (!pt.pmd_none(pmd) && !pt.pmd_trans_huge(pmd)) {
    const pte = loadEntry(m, pt.pmd_phys(pmd) + pt.pte_index(va) * 8);
    if (pt.pte_present(pte)) page = vm_normal_page(cpu, k, va, pte);
  }
  if (page >= 0) yield* get_page(cpu, page);
  yield* spin_unlock(cpu, lock);
  return page;
}

/** get_user_pages_fast: the lockless walk, then the slow path for what it left. */
export function* get_user_pages_fast(cpu: Cpu, k: Kernel, start: number, nr: number, write: boolean): Fn<GupResult> {
  cpu.enter('get_user_pages_fast');
  const pmds: number[] = [];
  const pages = (yield __get_user_pages_fast(cpu, k, start, nr, write, pmds)) as number[];
  const fast = pages.length;
  count_vm_event(cpu.machine, 'gup_fast_pages', fast);
  count_vm_event(cpu.machine, 'gup_slow_pages', nr - fast);
  if (fast < nr) {
    cpu.enter('get_user_pages_unlocked');
    yield* down_read(cpu, K.MMAP_SEM);
    pin: for (let i = fast; i < nr; i++) {
      const va = start + i * k.pageSize;
      for (let tries = 0; ; tries++) {
        const page = yield* follow_page(cpu, k, va);
        if (page >= 0) { pages.push(page); break; }
        if (tries > 100) cpu.oops('BUG', `get_user_pages: 0x${va.toString(16)} never became present`);
        // a fault that finds no memory ends the pinning (get_user_pages returns what it has, or -ENOMEM)
        if ((yield* handle_mm_fault(cpu, k, va, write)) & VM_FAULT_OOM) break pin;
      }
    }
    yield* up_read(cpu, K.MMAP_SEM);
    cpu.leave();
  }
  cpu.leave();
  return { pages, fast, pmds };
}
