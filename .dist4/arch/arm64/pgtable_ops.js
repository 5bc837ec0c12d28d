import { Ev } from '../../emulator/events.js';
import { loadEntry, storeEntry } from '../../emulator/physmem.js';
import { index, mkHugePmd, mkPte, mkTable, PAGE_SHIFT, PGDIR_SHIFT, PMD_SECT_ADDR_MASK, PMD_SHIFT, pmd_none, pmd_trans_huge, pmd_trans_splitting, PTE_ADDR_MASK, pte_present, pte_protnone, PTE_SPECIAL, pte_special, pte_write, PTRS_PER_TABLE, TABLE_BYTES, } from './pgtable.js';
import { entryAt } from './walk.js';
export const arm64Pgtable = {
    PTRS_PER_PTE: PTRS_PER_TABLE,
    pteTableBytes: TABLE_BYTES,
    pte_empty: 0,
    pmd_empty: 0,
    pte_index: (va) => index(va, PAGE_SHIFT),
    pte_none: (pte) => pte === 0,
    pte_present,
    pte_phys: (pte) => pte & PTE_ADDR_MASK,
    mk_pte: mkPte,
    pmd_none,
    pmd_trans_huge,
    pmd_trans_splitting,
    // pmd_page: a block's 2 MiB frame; pmd_page_vaddr: a table's page
    pmd_phys: (pmd) => (pmd_trans_huge(pmd) ? pmd & PMD_SECT_ADDR_MASK : pmd & PTE_ADDR_MASK),
    pmd_populate: mkTable,
    mk_huge_pmd: mkHugePmd,
    // gup_pmd_range bails on pmd_protnone; gup_huge_pmd on a write to a !pmd_write pmd.
    // Neither looks at PMD_SECT_VALID: a pmd_mknotpresent'ed block passes.
    gup_huge_pmd_ok: (pmd, write) => !pte_protnone(pmd) && (!write || pte_write(pmd)),
    // gup_pte_range: !pte_present || pte_special || pte_protnone || (write && !pte_write) bails
    gup_pte_ok: (pte, write) => pte_present(pte) && !pte_special(pte) && !pte_protnone(pte) && (!write || pte_write(pte)),
};
/** Setup time: the pmd entry for `va`, allocating the level-2 table if the pgd entry is empty. */
export function pmdAlloc(m, pgd, va, alloc) {
    return entryAt(m, pgd, va, PMD_SHIFT, alloc);
}
/** The generic fast GUP's walk to the pmd: pgd_offset, READ_ONCE(*pgdp), pgd_none (the pud is folded). */
export function* gupWalkToPmd(cpu, pgd, va) {
    const pgdp = pgd + index(va, PGDIR_SHIFT) * 8;
    yield cpu.ev(Ev.load, pgdp);
    const pgdval = loadEntry(cpu.machine, pgdp);
    if (pgdval === 0)
        return -1;
    return (pgdval & PTE_ADDR_MASK) + index(va, PMD_SHIFT) * 8;
}
/**
 * v4.4 pmdp_splitting_flush (arch/arm64/mm/flush.c): set_pmd_at(pmd_mksplitting(*pmdp)),
 * then kick_all_cpus_sync(), "dummy IPI to serialise against fast_gup": the
 * generic kernel's kick (or its mm_cpumask form, where the variant says so).
 */
export function* pmdp_splitting_flush(cpu, k, pmdp) {
    cpu.enter('pmdp_splitting_flush');
    const m = cpu.machine;
    yield cpu.ev(Ev.pte_store, pmdp);
    storeEntry(m, pmdp, loadEntry(m, pmdp) | PTE_SPECIAL);
    yield* k.thpSerialise(cpu);
    cpu.leave();
}
//# sourceMappingURL=pgtable_ops.js.map