import { Ev } from '../../emulator/events.js';
import { loadEntry, storeEntry } from '../../emulator/physmem.js';
import { mkPmdHugeRw, mkPteRw, pmdOffset } from './dat.js';
import { _PAGE_INVALID, _PAGE_PRESENT, _PAGE_PROTECT, _PAGE_READ, _PAGE_SPECIAL, _PAGE_YOUNG, _REGION_ENTRY_INVALID, _REGION_ENTRY_ORIGIN, _SEGMENT_ENTRY, _SEGMENT_ENTRY_EMPTY, _SEGMENT_ENTRY_INVALID, _SEGMENT_ENTRY_LARGE, _SEGMENT_ENTRY_ORIGIN, _SEGMENT_ENTRY_ORIGIN_LARGE, _SEGMENT_ENTRY_PROTECT, _SEGMENT_ENTRY_READ, _SEGMENT_ENTRY_SPLIT, _SEGMENT_ENTRY_YOUNG, PAGE_MASK, PAGE_TABLE_BYTES, pgdIndex, pmd_large, pmd_none, pmd_trans_splitting, pmdIndex, PTRS_PER_PTE, pteIndex, } from './pgtable.js';
import { pmdp_flush_direct, ptep_flush_direct } from './tlbflush.js';
export const s390Pgtable = {
    PTRS_PER_PTE,
    pteTableBytes: PAGE_TABLE_BYTES,
    pte_empty: _PAGE_INVALID,
    pmd_empty: _SEGMENT_ENTRY_EMPTY,
    pte_index: pteIndex,
    pte_none: (pte) => pte === _PAGE_INVALID,
    pte_present: (pte) => (pte & _PAGE_PRESENT) !== 0,
    pte_phys: (pte) => pte & PAGE_MASK,
    mk_pte: (phys, write) => (write ? mkPteRw(phys) : phys | _PAGE_PRESENT | _PAGE_READ | _PAGE_YOUNG | _PAGE_PROTECT),
    pmd_none,
    pmd_trans_huge: pmd_large, // pmd_trans_huge() tests the large bit, as pmd_large() does
    pmd_trans_splitting,
    pmd_phys: (pmd) => (pmd_large(pmd) ? pmd & _SEGMENT_ENTRY_ORIGIN_LARGE : pmd & _SEGMENT_ENTRY_ORIGIN),
    pmd_populate: (table) => table | _SEGMENT_ENTRY,
    mk_huge_pmd: (phys, write) => (write ? mkPmdHugeRw(phys) : phys | _SEGMENT_ENTRY_LARGE | _SEGMENT_ENTRY_YOUNG | _SEGMENT_ENTRY_READ | _SEGMENT_ENTRY_PROTECT),
    // gup_huge_pmd (v4.4/v4.5): result = write ? 0 : PROTECT; mask = result | INVALID;
    // bail unless (pmd & mask) == result. A read gup of a writable pmd thus bails to the slow
    // path: reversed, and fixed in 2017 ("s390/mm: fix write access check in gup_huge_pmd()").
    gup_huge_pmd_ok: (pmd, write) => {
        const result = write ? 0 : _SEGMENT_ENTRY_PROTECT;
        return (pmd & (result | _SEGMENT_ENTRY_INVALID)) === result;
    },
    // gup_pte_range: bail on protnone, or on (write ? PROTECT : 0) | INVALID | SPECIAL
    gup_pte_ok: (pte, write) => (pte & _PAGE_PRESENT) !== 0 && (pte & _PAGE_READ) !== 0 &&
        (pte & ((write ? _PAGE_PROTECT : 0) | _PAGE_INVALID | _PAGE_SPECIAL)) === 0,
};
export function pmdAlloc(m, pgd, va, alloc) {
    const existing = pmdOffset(m, pgd, va);
    if (existing >= 0)
        return existing;
    // mapPage's upper-level allocation, without the page
    const r3p = pgd + pgdIndex(va) * 8;
    const st = alloc(2048 * 8);
    for (let i = 0; i < 2048; i++)
        storeEntry(m, st + i * 8, _SEGMENT_ENTRY_EMPTY);
    storeEntry(m, r3p, st | 0x07); // _REGION3_ENTRY
    return st + pmdIndex(va) * 8;
}
/** __get_user_pages_fast's walk to the segment entry: region-third entry, then the pmd's address. */
export function* gupWalkToPmd(cpu, pgd, va) {
    const r3p = pgd + pgdIndex(va) * 8;
    yield cpu.ev(Ev.load, r3p);
    const r3 = loadEntry(cpu.machine, r3p);
    if (r3 & _REGION_ENTRY_INVALID)
        return -1;
    return (r3 & _REGION_ENTRY_ORIGIN) + pmdIndex(va) * 8;
}
/**
 * pmdp_splitting_flush (arch/s390/mm/pgtable.c, v4.4): set the splitting bit;
 * if it was clear, smp_call_function(pmdp_splitting_flush_sync, NULL, 1) to
 * wait out every CPU's interrupts-off fast_gup.
 */
export function* pmdp_splitting_flush(cpu, k, pmdp) {
    cpu.enter('pmdp_splitting_flush');
    yield cpu.ev(Ev.atomic, pmdp);
    const m = cpu.machine;
    const old = loadEntry(m, pmdp);
    storeEntry(m, pmdp, old | _SEGMENT_ENTRY_SPLIT);
    if ((old & _SEGMENT_ENTRY_SPLIT) === 0)
        yield* k.smpCallFunctionMany(cpu, k.thpSerialiseTargets(), 'pmdp_splitting_flush_sync', 0, true);
    cpu.leave();
}
/** pmdp_huge_get_and_clear (v4.5): pmdp_flush_direct, then the empty entry. */
export function* pmdp_huge_get_and_clear(cpu, pmdp, va) {
    const old = yield* pmdp_flush_direct(cpu, va, pmdp, true);
    storeEntry(cpu.machine, pmdp, _SEGMENT_ENTRY_EMPTY);
    return old;
}
/** ptep_get_and_clear (v4.5): ptep_flush_direct (IPTE), then the empty entry. */
export function* ptep_get_and_clear(cpu, ptep) {
    const old = yield* ptep_flush_direct(cpu, ptep);
    storeEntry(cpu.machine, ptep, _PAGE_INVALID);
    return old;
}
//# sourceMappingURL=pgtable_ops.js.map