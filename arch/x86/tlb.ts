// x86 TLB shootdown, modelled on arch/x86/mm/tlb.c of Linux v4.5:
// flush_tlb_mm_range flushes locally, then flush_tlb_others ->
// native_flush_tlb_others -> smp_call_function_many(mm_cpumask, flush_tlb_func,
// info, wait=1). The flush cannot complete while a target has interrupts off:
// that wait is what kept x86's lockless fast_gup safe. Where the kernel's
// tlbFlush switch says so, the other CPUs are flushed without interrupting
// them: a paravirt guest's hypercall (arch/x86/xen/mmu.c xen_flush_tlb_others,
// v4.9; arch/x86/hyperv/mmu.c hyperv_flush_tlb_others, v4.18) or AMD's
// INVLPGB broadcast (arch/x86/mm/tlb.c broadcast_tlb_flush, v6.15).
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import { loadEntry, storeEntry } from '../../emulator/physmem.js';
import type { KernelEntry } from '../arch.js';
import { tlbFlushAll, tlbFlushOne } from '../tlb.js';
import { _PAGE_PRESENT, _PAGE_PROTNONE, HPAGE_SHIFT } from './pgtable.js';

/** info word of flush_tlb_func: a page address, or TLB_FLUSH_ALL */
export const TLB_FLUSH_ALL = -1;
// tlb_single_page_flush_ceiling: above this many pages, a full flush
const CEILING = 33;

/** flush_tlb_func on the target CPU (the mm is the only one and is active). */
export function* flush_tlb_func(cpu: Cpu, info: number): Fn<void> {
  cpu.enter('flush_tlb_func');
  yield cpu.ev(Ev.tlb_flush_local, info);
  if (info === TLB_FLUSH_ALL) tlbFlushAll(cpu.machine, cpu.id);
  else tlbFlushOne(cpu.machine, cpu.id, info, HPAGE_SHIFT);
  cpu.leave();
}

/** flush_tlb_mm_range(mm, start, end) */
export function* flush_tlb_mm_range(cpu: Cpu, k: KernelEntry, start: number, end: number): Fn<void> {
  cpu.enter('flush_tlb_mm_range');
  const pages = (end - start) / 4096;
  let info = start;
  if (pages > CEILING) {
    yield cpu.ev(Ev.tlb_flush_local, TLB_FLUSH_ALL);
    tlbFlushAll(cpu.machine, cpu.id);
    info = TLB_FLUSH_ALL;
  } else {
    for (let a = start; a < end; a += 4096) {
      yield cpu.ev(Ev.tlb_flush_local, a);
      tlbFlushOne(cpu.machine, cpu.id, a, HPAGE_SHIFT);
    }
    // one page is all a single flush_tlb_func info names here
    if (pages > 1) info = TLB_FLUSH_ALL;
  }
  yield* flush_tlb_others(cpu, k, info);
  cpu.leave();
}

/** flush_tlb_others(mm_cpumask, info): the IPI that is waited for, or a flush that waits for no guest CPU. */
function* flush_tlb_others(cpu: Cpu, k: KernelEntry, info: number): Fn<void> {
  const how = k.variant.tlbFlush;
  if (how === 'ipi') return yield* k.smpCallFunctionMany(cpu, k.mmCpumask(), 'flush_tlb_func', info, true);
  cpu.enter(how === 'hypercall' ? 'xen_flush_tlb_others' : 'broadcast_tlb_flush');
  // one hypercall (MMUEXT_TLB_FLUSH_MULTI / MMUEXT_INVLPG_MULTI) or one INVLPGB + TLBSYNC; it returns
  // when every TLB has dropped the entries, whether or not their CPUs have interrupts on
  yield cpu.ev(how === 'hypercall' ? Ev.hypercall : Ev.invlpgb, info);
  for (const id of k.mmCpumask()) {
    if (id === cpu.id) continue;
    if (info === TLB_FLUSH_ALL) tlbFlushAll(cpu.machine, id);
    else tlbFlushOne(cpu.machine, id, info, HPAGE_SHIFT);
  }
  cpu.leave();
}

/** native_ptep_get_and_clear: clear the pte; the caller's mmu_gather flushes later. */
export function* ptep_get_and_clear_full(cpu: Cpu, _k: KernelEntry, ptep: number): Fn<number> {
  yield cpu.ev(Ev.pte_store, ptep);
  const old = loadEntry(cpu.machine, ptep);
  storeEntry(cpu.machine, ptep, 0);
  return old;
}

/** ptep_clear_flush: clear the pte, then flush_tlb_page. */
export function* ptep_clear_flush(cpu: Cpu, k: KernelEntry, ptep: number, va: number): Fn<number> {
  cpu.enter('ptep_clear_flush');
  yield cpu.ev(Ev.pte_store, ptep);
  const old = loadEntry(cpu.machine, ptep);
  storeEntry(cpu.machine, ptep, 0);
  yield* flush_tlb_mm_range(cpu, k, va & ~0xfff, (va & ~0xfff) + 4096);
  cpu.leave();
  return old;
}

/** The generic pmdp_invalidate (mm/pgtable-generic.c, v4.5): pmd_mknotpresent, then flush_pmd_tlb_range. */
export function* pmdp_invalidate(cpu: Cpu, k: KernelEntry, pmdp: number, va: number, hpageBytes: number): Fn<number> {
  cpu.enter('pmdp_invalidate');
  yield cpu.ev(Ev.pte_store, pmdp);
  const old = loadEntry(cpu.machine, pmdp);
  storeEntry(cpu.machine, pmdp, old & ~(_PAGE_PRESENT | _PAGE_PROTNONE));
  const start = va - (va % hpageBytes);
  yield* flush_tlb_mm_range(cpu, k, start, start + hpageBytes);
  cpu.leave();
  return old;
}
