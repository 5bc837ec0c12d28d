// Faults and unmapping, modelled on mm/memory.c and mm/madvise.c of Linux
// v4.5: handle_mm_fault with the huge-pmd path, do_anonymous_page,
// __pte_alloc, zap_page_range (MADV_DONTNEED) with split_huge_pmd for a
// partial range, and free_pgtables-style table freeing after a grace period.
import { hasKasan } from './kasan.js';
import { BUG_AT } from './bug_sites.js';
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { loadEntry, storeEntry } from '../emulator/physmem.js';
import { user_access_fault } from './kernel_access.js';
import { cacheWord, do_file_fault, lock_range, Range, rangeOf, rangeState, unlock_range } from './filemap.js';
import { do_huge_pmd_anonymous_page, split_huge_pmd, VM_FAULT_FALLBACK, zap_huge_pmd } from './huge_memory.js';
import type { Kernel } from './kernel.js';
import { K } from './kernel_words.js';
import { page_add_new_anon_rmap, page_remove_rmap, put_page } from './mm.js';
import { dumpPage, Owner, P, pw } from './mm_types.js';
import { alloc_pages } from './page_alloc.js';
import { pgtable_trans_huge_withdraw, pte_alloc_one, pte_free, pte_lockptr } from './pgtable.js';
import { down_read, down_write, spin_lock, spin_unlock, up_read, up_write } from './spinlock.js';
import { count_vm_event } from './vmstat.js';
import * as shared from '../emulator/shared.js';

export const VM_FAULT_OOM = 0x0001;

/** handle_mm_fault for an anonymous, THP-enabled VMA; the caller holds mmap_sem for read. */
export function* handle_mm_fault(cpu: Cpu, k: Kernel, va: number, _write: boolean): Fn<number> {
  cpu.enter('handle_mm_fault');
  count_vm_event(cpu.machine, 'pgfault');
  const m = cpu.machine;
  const pt = k.arch.pt;
  const pmdp = k.pmdp(va);
  for (;;) {
    yield cpu.ev(Ev.load, pmdp);
    const pmd = loadEntry(m, pmdp);
    if (m.v.kernel[K.AREA_FILE] === 1 && (pt.pmd_none(pmd) || !pt.pmd_trans_huge(pmd))) {
      const ptep = pt.pmd_none(pmd) ? -1 : pt.pmd_phys(pmd) + pt.pte_index(va) * 8;
      if (ptep >= 0 && !pt.pte_none(loadEntry(m, ptep))) { cpu.leave(); return 0; }
      const ok = yield* do_file_fault(cpu, k, va);
      cpu.leave();
      return ok ? 0 : VM_FAULT_OOM;
    }
    if (pt.pmd_none(pmd)) {
      if (m.v.kernel[K.FAULT_NO_THP] !== 1) {
        const ret = yield* do_huge_pmd_anonymous_page(cpu, k, pmdp);
        if (!(ret & VM_FAULT_FALLBACK)) { cpu.leave(); return ret; }
      }
      if (!(yield* __pte_alloc(cpu, k, pmdp))) { cpu.leave(); return VM_FAULT_OOM; }
      continue;
    }
    if (pt.pmd_trans_huge(pmd)) {
      // v4.4: wait_split_huge_page; the huge mapping is otherwise already writable
      if (pt.pmd_trans_splitting(pmd)) { yield cpu.ev(Ev.spin, pmdp); continue; }
      // huge_pmd_set_accessed (v4.5 mm/huge_memory.c) takes the pmd lock and checks
      // pmd_same: a fault on a pmd being split waits for the split to finish
      yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
      yield cpu.ev(Ev.load, pmdp);
      const same = loadEntry(m, pmdp) === pmd;
      yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
      if (!same) continue;
      cpu.leave();
      return 0;
    }
    const ptep = pt.pmd_phys(pmd) + pt.pte_index(va) * 8;
    yield cpu.ev(Ev.load, ptep);
    const pte = loadEntry(m, ptep);
    const ret = pt.pte_none(pte) ? yield* do_anonymous_page(cpu, k, pmdp, ptep)
      // (only garbage is neither: under --detect kasan the shadow stopped the run before any)
      : !pt.pte_present(pte) && !hasKasan(cpu) ? do_swap_page(cpu, pte)
      : 0;
    cpu.leave();
    return ret;
  }
}

/** __pte_alloc: a page table for an empty pmd, unless another CPU put one there first. */
/**
 * do_swap_page (mm/memory.c, v4.5) for a pte that is neither none nor present:
 * the kernel takes it for a swap entry. These runs have no swap, so it can only
 * be garbage (a stray store): swapin_readahead finds no page ("swap_dup: Bad
 * swap file entry", mm/swapfile.c __swap_duplicate) and the fault is VM_FAULT_OOM.
 */
function do_swap_page(cpu: Cpu, pte: number): number {
  cpu.enter('do_swap_page');
  cpu.warn('Bad swap file entry', `swap_dup: Bad swap file entry ${swapHex(pte)}`, '__swap_duplicate', { pte: `0x${(pte >>> 0).toString(16)}` });
  cpu.leave();
  return VM_FAULT_OOM;
}

const swapHex = (pte: number): string => (pte >>> 0).toString(16).padStart(16, '0');

/**
 * vm_normal_page (mm/memory.c, v4.5): the page a present pte maps, or -1 (after
 * print_bad_pte) when its pfn is past the last struct page, as a pte a stray
 * store wrote can be.
 */
export function vm_normal_page(cpu: Cpu, k: Kernel, va: number, pte: number, pmd = 0): number {
  const pfn = k.pfnOf(k.arch.pt.pte_phys(pte) >>> 0);
  if (pfn < cpu.machine.frames) return pfn;
  cpu.warn('Bad page map', `BUG: Bad page map in process ${k.comm}  pte:${(pte >>> 0).toString(16).padStart(8, '0')} pmd:${(pmd >>> 0).toString(16).padStart(8, '0')}`,
    'print_bad_pte', { addr: `0x${va.toString(16)}`, at: BUG_AT.print_bad_pte }, 'B');
  return -1;
}

function* __pte_alloc(cpu: Cpu, k: Kernel, pmdp: number): Fn<boolean> {
  const table = yield* pte_alloc_one(cpu, k);
  if (table < 0) return false;
  yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
  yield cpu.ev(Ev.load, pmdp);
  let spare = table;
  if (k.arch.pt.pmd_none(loadEntry(cpu.machine, pmdp))) {
    yield cpu.ev(Ev.pte_store, pmdp);
    storeEntry(cpu.machine, pmdp, k.arch.pt.pmd_populate(table));
    spare = -1;
  }
  yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
  if (spare >= 0) yield* pte_free(cpu, spare);
  return true;
}

/** do_anonymous_page: a zeroed page under an empty pte. */
function* do_anonymous_page(cpu: Cpu, k: Kernel, pmdp: number, ptep: number): Fn<number> {
  cpu.enter('do_anonymous_page');
  const m = cpu.machine;
  const pfn = yield* alloc_pages(cpu, 0, Owner.ANON);
  if (pfn < 0) { cpu.leave(); return VM_FAULT_OOM; }
  yield cpu.ev(Ev.work, pfn, 64); // clear_user_highpage
  const ptl = pte_lockptr(k, pmdp);
  yield* spin_lock(cpu, ptl);
  yield cpu.ev(Ev.load, ptep);
  // the pmd may have been torn down or re-made huge meanwhile: recheck it as pte_offset_map_lock's caller does
  const pmd = loadEntry(m, pmdp);
  const same = !k.arch.pt.pmd_none(pmd) && !k.arch.pt.pmd_trans_huge(pmd) && k.arch.pt.pmd_phys(pmd) === (ptep & ~(k.arch.pt.pteTableBytes - 1));
  if (!same || !k.arch.pt.pte_none(loadEntry(m, ptep))) {
    yield* spin_unlock(cpu, ptl);
    yield* put_page(cpu, pfn);
  } else {
    yield* page_add_new_anon_rmap(cpu, pfn, false);
    yield cpu.ev(Ev.pte_store, ptep);
    storeEntry(m, ptep, k.arch.pt.mk_pte(k.physOf(pfn), true)); // the VMA is writable: no zero-page mapping for reads
    yield* spin_unlock(cpu, ptl);
  }
  cpu.leave();
  return 0;
}

/** zap_pte_range over [start, end) inside one pmd that points to a page table. */
export function* zap_pte_range(cpu: Cpu, k: Kernel, pmdp: number, start: number, end: number): Fn<void> {
  cpu.enter('zap_pte_range');
  const m = cpu.machine;
  const pt = k.arch.pt;
  const ptl = pte_lockptr(k, pmdp);
  yield* spin_lock(cpu, ptl);
  const pmd = loadEntry(m, pmdp);
  const freed: number[] = [];
  if (!pt.pmd_none(pmd) && !pt.pmd_trans_huge(pmd)) {
    for (let va = start; va < end; va += k.pageSize) {
      const ptep = pt.pmd_phys(pmd) + pt.pte_index(va) * 8;
      yield cpu.ev(Ev.load, ptep);
      const pte = loadEntry(m, ptep);
      if (!pt.pte_present(pte) && (pt.pte_none(pte) || hasKasan(cpu))) continue;
      if (!pt.pte_present(pte)) {
        // a "swap entry" in a process without swap: free_swap_and_cache finds no swap device
        // ("swap_free: Bad swap file entry", mm/swapfile.c swap_info_get), print_bad_pte
        // reports the pte, and pte_clear_not_present_full drops it (mm/memory.c, v4.5)
        cpu.warn('Bad page map', `BUG: Bad page map in process ${k.comm}  pte:${(pte >>> 0).toString(16).padStart(8, '0')} pmd:${(pmd >>> 0).toString(16).padStart(8, '0')}`,
          'print_bad_pte', { swap: `swap_free: Bad swap file entry ${swapHex(pte)}`, addr: `0x${va.toString(16)}`, at: BUG_AT.print_bad_pte }, 'B');
        yield cpu.ev(Ev.pte_store, ptep);
        storeEntry(m, ptep, pt.pte_empty);
        continue;
      }
      yield* k.arch.ptepGetAndClearFull(cpu, k, ptep, va);
      const pfn = vm_normal_page(cpu, k, va, pte, pmd);
      if (pfn < 0) continue;
      yield* page_remove_rmap(cpu, pfn, false);
      // zap_pte_range (mm/memory.c v4.5): if (unlikely(page_mapcount(page) < 0)) print_bad_pte(...)
      if (shared.load(m.v.pages, pw(pfn, P.MAPCOUNT)) < -1) {
        cpu.warn('Bad page map', `BUG: Bad page map in process ${k.comm}  pte:${(pte >>> 0).toString(16).padStart(8, '0')} pmd:${(pmd >>> 0).toString(16).padStart(8, '0')}`,
          'print_bad_pte', { addr: `0x${va.toString(16)}`, page: dumpPage(m, pfn), at: BUG_AT.print_bad_pte }, 'B');
      }
      freed.push(pfn);
    }
  }
  yield* spin_unlock(cpu, ptl);
  // tlb_finish_mmu: the TLB is flushed (s390: by each IPTE already) before the pages go
  if (freed.length) yield* k.arch.tlbFlushRange(cpu, k, start, end);
  for (const pfn of freed) yield* put_page(cpu, pfn);
  cpu.leave();
}

/**
 * zap_page_range for MADV_DONTNEED of [start, end) inside the THP area
 * (mmap_sem held for read): a huge pmd wholly inside is zapped, one partly
 * inside is split first, then its ptes are zapped.
 */
export function* madvise_dontneed(cpu: Cpu, k: Kernel, start: number, end: number): Fn<void> {
  cpu.enter('madvise_dontneed');
  count_vm_event(cpu.machine, 'madvise_dontneed');
  yield* down_read(cpu, K.MMAP_SEM);
  const hpage = k.hpageSize;
  for (let addr = start; addr < end;) {
    const haddr = addr - (addr % hpage);
    const next = Math.min(haddr + hpage, end);
    const pmdp = k.pmdp(addr);
    yield cpu.ev(Ev.load, pmdp);
    const pmd = loadEntry(cpu.machine, pmdp);
    if (k.arch.pt.pmd_trans_huge(pmd)) {
      if (addr === haddr && next === haddr + hpage) {
        if (yield* zap_huge_pmd(cpu, k, pmdp, haddr)) { addr = next; continue; }
      } else {
        yield* split_huge_pmd(cpu, k, pmdp, addr);
      }
    }
    yield* zap_pte_range(cpu, k, pmdp, addr, next);
    addr = next;
  }
  yield* up_read(cpu, K.MMAP_SEM);
  cpu.leave();
}

/**
 * munmap + mmap of one huge-page slot (mmap_sem held for write): zap
 * everything, then free_pgtables: clear the pmd, flush, and free the page
 * table after a grace period, so the next touch can fault a THP again.
 * With RCU table freeing the grace period is tlb_remove_table_one's: an IPI
 * to every CPU, waited for, which no interrupts-off walker (fast_gup) can
 * still be inside. (The batched call_rcu_sched path ends the same way for such
 * a walker: its interrupts-off section is an RCU-sched read side.)
 */
export function* unmap_slot(cpu: Cpu, k: Kernel, haddr: number): Fn<void> {
  cpu.enter('vm_munmap');
  count_vm_event(cpu.machine, 'munmap');
  const hpage = k.hpageSize;
  yield* down_write(cpu, K.MMAP_SEM);
  const pmdp = k.pmdp(haddr);
  yield cpu.ev(Ev.load, pmdp);
  const m = cpu.machine;
  if (k.arch.pt.pmd_trans_huge(loadEntry(m, pmdp))) yield* split_huge_pmd(cpu, k, pmdp, haddr);
  yield* zap_pte_range(cpu, k, pmdp, haddr, haddr + hpage);
  // free_pgtables (mm/memory.c, v4.5) unlinks the anon_vma (rmap walkers hold its lock) before the
  // table goes; here the walker (freeze_page) holds the table's lock, so the pmd is cleared under it
  yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
  const ptl = pte_lockptr(k, pmdp);
  yield* spin_lock(cpu, ptl);
  const pmd = loadEntry(m, pmdp);
  let table = -1;
  if (!k.arch.pt.pmd_none(pmd) && !k.arch.pt.pmd_trans_huge(pmd)) {
    table = k.arch.pt.pmd_phys(pmd);
    yield* k.arch.pmdpHugeGetAndClear(cpu, k, pmdp, haddr); // pmd_clear + the flush of free_pgtables
  }
  yield* spin_unlock(cpu, ptl);
  yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
  yield* up_write(cpu, K.MMAP_SEM);
  if (table >= 0) {
    if (k.variant.pgtableFree === 'rcu') {
      cpu.enter('tlb_remove_table');
      yield* k.smp.smp_call_function(cpu, 'do_nothing', 0, true); // tlb_remove_table_smp_sync
      cpu.leave();
    }
    // 'after-flush': the flush above is all that stands between a walker and the free
    yield* pte_free(cpu, table);
  }
  cpu.leave();
}

/** A user load or store at `va`: through the TLB, faulting the page in as needed. Returns the physical address. */
export function* user_access(cpu: Cpu, k: Kernel, va: number, write: boolean, value = 0): Fn<number> {
  for (let tries = 0; ; tries++) {
    cpu.enterAt(write ? 'user store' : 'user load', va);
    const phys = (yield k.arch.translate(cpu, k.pgd(), va, write)) as number;
    cpu.leave();
    // (FAULT is -1; any other negative address is one at or above 2 GiB, through garbage)
    if (phys !== -1) {
      yield cpu.ev(write ? Ev.user_store : Ev.user_load, va);
      // a translation through garbage can lead past the end of memory: the hardware's addressing exception
      if ((phys >>> 0) + 4 > cpu.machine.v.mem.length * 4) user_access_fault(cpu, phys, write);
      if (write) shared.store(cpu.machine.v.mem, phys >>> 2, value);
      return phys;
    }
    if (tries > 1000) cpu.oops('BUG', `user access to 0x${va.toString(16)} faults forever`);
    yield* down_read(cpu, K.MMAP_SEM);
    const ret = yield* handle_mm_fault(cpu, k, va, write);
    yield* up_read(cpu, K.MMAP_SEM);
    if (ret & VM_FAULT_OOM) return -1;
  }
}

/**
 * fallocate(FALLOC_FL_PUNCH_HOLE) over one range of the file area
 * (shmem_fallocate -> unmap_mapping_range + shmem_truncate_range, v5.19):
 * the range's mappings are zapped (a file THP's pmd has no deposited table),
 * then its pages leave the cache. False if the range is locked (a collapse).
 */
export function* shmem_punch_range(cpu: Cpu, k: Kernel, haddr: number): Fn<boolean> {
  cpu.enter('shmem_fallocate');
  const m = cpu.machine;
  const pt = k.arch.pt;
  const range = rangeOf(k, haddr);
  const was = rangeState(k, range);
  if (was === Range.LOCKED || !(yield* lock_range(cpu, range, was))) { cpu.leave(); return false; }
  const hpage = k.hpageSize;
  const pmdp = k.pmdp(haddr);
  yield* spin_lock(cpu, K.PAGE_TABLE_LOCK);
  yield cpu.ev(Ev.load, pmdp);
  let head = -1;
  let deposited = -1;
  if (pt.pmd_trans_huge(loadEntry(m, pmdp))) {
    const old = yield* k.arch.pmdpHugeGetAndClear(cpu, k, pmdp, haddr); // zap_huge_pmd, a file THP
    if (k.arch.needsPgtableDeposit) deposited = yield* pgtable_trans_huge_withdraw(cpu, k, pmdp); // zap_deposited_table
    head = k.pfnOf(pt.pmd_phys(old));
    yield* page_remove_rmap(cpu, head, true);
  }
  yield* spin_unlock(cpu, K.PAGE_TABLE_LOCK);
  if (deposited >= 0) yield* pte_free(cpu, deposited);
  if (head >= 0) yield* put_page(cpu, head);
  else yield* zap_pte_range(cpu, k, pmdp, haddr, haddr + hpage);
  // truncate_inode_pages_range: the cache's references go
  const kw = m.v.kernel;
  const first = range * pt.PTRS_PER_PTE;
  let cachedHead = -1;
  for (let i = first; i < first + pt.PTRS_PER_PTE; i++) {
    const page = shared.exchange(kw, cacheWord(i), 0) - 1;
    if (page < 0) continue;
    if (was === Range.HUGE) { cachedHead = page - (i - first); continue; }
    yield* put_page(cpu, page);
  }
  if (cachedHead >= 0) yield* put_page(cpu, cachedHead);
  yield* unlock_range(cpu, range, Range.SMALL);
  cpu.leave();
  return true;
}
