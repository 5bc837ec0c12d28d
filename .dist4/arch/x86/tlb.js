import { Ev } from '../../emulator/events.js';
import { loadEntry, storeEntry } from '../../emulator/physmem.js';
import { tlbFlushAll, tlbFlushOne } from '../tlb.js';
import { _PAGE_PRESENT, _PAGE_PROTNONE, HPAGE_SHIFT } from './pgtable.js';
/** info word of flush_tlb_func: a page address, or TLB_FLUSH_ALL */
export const TLB_FLUSH_ALL = -1;
// tlb_single_page_flush_ceiling: above this many pages, a full flush
const CEILING = 33;
/** flush_tlb_func on the target CPU (the mm is the only one and is active). */
export function* flush_tlb_func(cpu, info) {
    cpu.enter('flush_tlb_func');
    yield cpu.ev(Ev.tlb_flush_local, info);
    if (info === TLB_FLUSH_ALL)
        tlbFlushAll(cpu.machine, cpu.id);
    else
        tlbFlushOne(cpu.machine, cpu.id, info, HPAGE_SHIFT);
    cpu.leave();
}
/** flush_tlb_mm_range(mm, start, end) */
export function* flush_tlb_mm_range(cpu, k, start, end) {
    cpu.enter('flush_tlb_mm_range');
    const pages = (end - start) / 4096;
    let info = start;
    if (pages > CEILING) {
        yield cpu.ev(Ev.tlb_flush_local, TLB_FLUSH_ALL);
        tlbFlushAll(cpu.machine, cpu.id);
        info = TLB_FLUSH_ALL;
    }
    else {
        for (let a = start; a < end; a += 4096) {
            yield cpu.ev(Ev.tlb_flush_local, a);
            tlbFlushOne(cpu.machine, cpu.id, a, HPAGE_SHIFT);
        }
        // one page is all a single flush_tlb_func info names here
        if (pages > 1)
            info = TLB_FLUSH_ALL;
    }
    yield* k.smpCallFunctionMany(cpu, k.mmCpumask(), 'flush_tlb_func', info, true);
    cpu.leave();
}
/** native_ptep_get_and_clear: clear the pte; the caller's mmu_gather flushes later. */
export function* ptep_get_and_clear_full(cpu, _k, ptep) {
    yield cpu.ev(Ev.pte_store, ptep);
    const old = loadEntry(cpu.machine, ptep);
    storeEntry(cpu.machine, ptep, 0);
    return old;
}
/** ptep_clear_flush: clear the pte, then flush_tlb_page. */
export function* ptep_clear_flush(cpu, k, ptep, va) {
    cpu.enter('ptep_clear_flush');
    yield cpu.ev(Ev.pte_store, ptep);
    const old = loadEntry(cpu.machine, ptep);
    storeEntry(cpu.machine, ptep, 0);
    yield* flush_tlb_mm_range(cpu, k, va & ~0xfff, (va & ~0xfff) + 4096);
    cpu.leave();
    return old;
}
/** The generic pmdp_invalidate (mm/pgtable-generic.c, v4.5): pmd_mknotpresent, then flush_pmd_tlb_range. */
export function* pmdp_invalidate(cpu, k, pmdp, va, hpageBytes) {
    cpu.enter('pmdp_invalidate');
    yield cpu.ev(Ev.pte_store, pmdp);
    const old = loadEntry(cpu.machine, pmdp);
    storeEntry(cpu.machine, pmdp, old & ~(_PAGE_PRESENT | _PAGE_PROTNONE));
    const start = va - (va % hpageBytes);
    yield* flush_tlb_mm_range(cpu, k, start, start + hpageBytes);
    cpu.leave();
    return old;
}
//# sourceMappingURL=tlb.js.map