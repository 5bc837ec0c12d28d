import { Ev } from '../../emulator/events.js';
import { loadEntry, storeEntry } from '../../emulator/physmem.js';
import { tlbFlushAll, tlbFlushOne } from '../tlb.js';
import { dsbIshCycles } from './costs.js';
import { HPAGE_SHIFT, PAGE_SHIFT, PMD_TABLE_BIT, pmd_mknotpresent } from './pgtable.js';
const PAGE_SIZE = 2 ** PAGE_SHIFT;
const HPAGE_SIZE = 2 ** HPAGE_SHIFT;
/** MAX_TLB_RANGE: above 1024 pages __flush_tlb_range flushes the whole ASID instead */
export const MAX_TLB_RANGE = 1024 * PAGE_SIZE;
/**
 * TLBI VAE1IS / VALE1IS with Xt = ASID << 48 | VA >> 12. The model's TLBs
 * hold leaf translations only (4 KiB and 2 MiB block entries), which both
 * forms drop; VAE1IS would also drop walk-cache entries, which are not modelled.
 * The entries go when the TLBI reaches each PE; the DSB only waits for it.
 */
export function* tlbi_va_is(cpu, va, lastLevel) {
    yield cpu.ev(lastLevel ? Ev.ipte : Ev.idte, va);
    const m = cpu.machine;
    for (let c = 0; c < m.ncpus; c++)
        tlbFlushOne(m, c, va, HPAGE_SHIFT);
}
/** TLBI ASIDE1IS: every entry of the ASID on every PE (the model runs one mm). */
export function* tlbi_aside1is(cpu) {
    yield cpu.ev(Ev.csp, 0);
    const m = cpu.machine;
    for (let c = 0; c < m.ncpus; c++)
        tlbFlushAll(m, c);
}
/** DSB ISH: waits until every PE has performed the TLBIs issued before it. */
export function* dsb_ish(cpu) {
    yield cpu.ev(Ev.work, 0, dsbIshCycles(cpu.machine.cfg.machine, cpu.machine.ncpus));
}
/** flush_tlb_mm: DSB ISHST; TLBI ASIDE1IS; DSB ISH. */
export function* flush_tlb_mm(cpu) {
    cpu.enter('flush_tlb_mm');
    yield* tlbi_aside1is(cpu);
    yield* dsb_ish(cpu);
    cpu.leave();
}
/** flush_tlb_page: TLBI VALE1IS of the one page, DSB ISH. */
export function* flush_tlb_page(cpu, uaddr) {
    cpu.enter('flush_tlb_page');
    yield* tlbi_va_is(cpu, uaddr, true);
    yield* dsb_ish(cpu);
    cpu.leave();
}
/**
 * __flush_tlb_range(vma, start, end, last_level): one TLBI per page of
 * [start, end), taken as given (shifted right by 12, not rounded to the range
 * a huge page covers), or flush_tlb_mm beyond MAX_TLB_RANGE.
 */
export function* __flush_tlb_range(cpu, start, end, lastLevel) {
    cpu.enter('__flush_tlb_range');
    if (end - start > MAX_TLB_RANGE) {
        yield* flush_tlb_mm(cpu);
        cpu.leave();
        return;
    }
    for (let a = Math.floor(start / PAGE_SIZE); a < Math.floor(end / PAGE_SIZE); a++)
        yield* tlbi_va_is(cpu, a * PAGE_SIZE, lastLevel);
    yield* dsb_ish(cpu);
    cpu.leave();
}
/** flush_tlb_range: all levels (VAE1IS). */
export function flush_tlb_range(cpu, start, end) {
    return __flush_tlb_range(cpu, start, end, false);
}
/** tlb_flush (asm/tlb.h), at tlb_finish_mmu: the gathered range, last level only. */
export function tlb_flush(cpu, start, end) {
    return __flush_tlb_range(cpu, start, end, true);
}
/** __flush_tlb_pgtable (from __pte_free_tlb): TLBI VAE1IS of the table's address, DSB ISH. */
export function* __flush_tlb_pgtable(cpu, uaddr) {
    cpu.enter('__flush_tlb_pgtable');
    yield* tlbi_va_is(cpu, uaddr, false);
    yield* dsb_ish(cpu);
    cpu.leave();
}
/**
 * The generic pmdp_invalidate (mm/pgtable-generic.c): set_pmd_at(pmd_mknotpresent(*pmdp)),
 * then flush_pmd_tlb_range(vma, address, address + HPAGE_PMD_SIZE), which is
 * flush_tlb_range on arm64. `address` is used as the caller gives it.
 */
export function* pmdp_invalidate(cpu, pmdp, address) {
    const m = cpu.machine;
    yield cpu.ev(Ev.pte_store, pmdp);
    const old = loadEntry(m, pmdp);
    storeEntry(m, pmdp, pmd_mknotpresent(old));
    cpu.enter('flush_pmd_tlb_range');
    yield* flush_tlb_range(cpu, address, address + HPAGE_SIZE);
    cpu.leave();
    return old;
}
/** ptep_get_and_clear (CONFIG_ARM64_HW_AFDBM: an xchg with 0); the flush is the caller's. */
export function* ptep_get_and_clear(cpu, ptep) {
    const m = cpu.machine;
    yield cpu.ev(Ev.atomic, ptep);
    const old = loadEntry(m, ptep);
    storeEntry(m, ptep, 0);
    return old;
}
/** ptep_clear_flush (mm/pgtable-generic.c): ptep_get_and_clear, then flush_tlb_page. */
export function* ptep_clear_flush(cpu, ptep, va) {
    cpu.enter('ptep_clear_flush');
    const old = yield* ptep_get_and_clear(cpu, ptep);
    yield* flush_tlb_page(cpu, va);
    cpu.leave();
    return old;
}
/**
 * Clearing a pmd as the generic mm does, with the flush that follows before
 * anything is freed: a huge pmd (zap_huge_pmd: pmdp_huge_get_and_clear, and
 * tlb_remove_pmd_tlb_entry, whose v4.5 __tlb_adjust_range adds one page, so
 * tlb_flush sends a single TLBI VALE1IS at `va`: it drops the whole block);
 * a table (free_pgtables: pmd_clear, then __pte_free_tlb's __flush_tlb_pgtable).
 */
export function* pmdp_huge_get_and_clear(cpu, pmdp, va) {
    const m = cpu.machine;
    if (loadEntry(m, pmdp) & PMD_TABLE_BIT) {
        // pmd_clear: a plain store (set_pmd), under the page-table lock
        yield cpu.ev(Ev.pte_store, pmdp);
        const old = loadEntry(m, pmdp);
        storeEntry(m, pmdp, 0);
        yield* __flush_tlb_pgtable(cpu, va);
        return old;
    }
    // pmdp_huge_get_and_clear (CONFIG_ARM64_HW_AFDBM): ptep_get_and_clear on the pmd
    const old = yield* ptep_get_and_clear(cpu, pmdp);
    yield* tlb_flush(cpu, va, va + PAGE_SIZE);
    return old;
}
//# sourceMappingURL=tlbflush.js.map