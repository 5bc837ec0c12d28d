/** Each switch's allowed values and meaning: what `list` shows and scenario files are checked against. */
export const VARIANT_SWITCHES = {
    thpSplit: { values: ['splitting-flush', 'pmdp-invalidate'], description: 'v4.4 splitting bit + pmdp_splitting_flush(), or v4.5 pmdp_invalidate()' },
    pmdpInvalidateAddress: { values: ['haddr', 'past-end'], description: 'address __split_huge_pmd_locked() passes to pmdp_invalidate()' },
    kickInPmdpInvalidate: { values: [false, true], description: 'kick_all_cpus_sync() at the end of pmdp_invalidate()' },
    pgtableFree: { values: ['rcu', 'after-flush'], description: 'free_pgtables(): tlb_remove_table() after a grace period, or free once the TLB flush returns' },
    splitRefFreeze: { values: [false, true], description: 'split_huge_page() freezes the refcount with page_ref_freeze()' },
    thpIpiTargets: { values: ['all', 'mm-cpumask'], description: 'THP serialisation IPIs go to all CPUs or to mm_cpumask()' },
    splitPrepare: { values: [false, true], description: 'pmdp_huge_split_prepare() before the deposited table is withdrawn, and a kick in the arch\'s pmdp_invalidate() (ppc64 hash)' },
};
/** v4.5's mm as presets share it; a preset names only what differs. */
const V4_5_MM = { pgtableFree: 'rcu', splitRefFreeze: false, thpIpiTargets: 'all' };
export const KERNEL_VARIANTS = [
    {
        name: 'v4.4',
        description: 'Linux v4.4: PMD splitting bit, pmdp_splitting_flush() IPIs every CPU and waits',
        thpSplit: 'splitting-flush',
        pmdpInvalidateAddress: 'haddr',
        kickInPmdpInvalidate: false,
        ...V4_5_MM,
        splitPrepare: false, // n/a: pmdp_splitting_flush() flushes the hash and kicks before the split
    },
    {
        name: 'v4.5-rc1',
        description: 'Linux v4.5-rc1: THP refcounting rework; pmd split by pmdp_invalidate(haddr + HPAGE_PMD_SIZE), no IPI',
        thpSplit: 'pmdp-invalidate',
        pmdpInvalidateAddress: 'past-end',
        kickInPmdpInvalidate: false,
        ...V4_5_MM,
        splitPrepare: false,
    },
    {
        name: 'v4.5-rc1+kick',
        description: 'v4.5-rc1 with kick_all_cpus_sync() added to pmdp_invalidate() (tried in the thread)',
        thpSplit: 'pmdp-invalidate',
        pmdpInvalidateAddress: 'past-end',
        kickInPmdpInvalidate: true,
        ...V4_5_MM,
        splitPrepare: false,
    },
    {
        name: 'v4.5+kick',
        description: 'v4.5 with kick_all_cpus_sync() in pmdp_invalidate(): what the proposed IPI costs a correct kernel',
        thpSplit: 'pmdp-invalidate',
        pmdpInvalidateAddress: 'haddr',
        kickInPmdpInvalidate: true,
        ...V4_5_MM,
        splitPrepare: true,
    },
    {
        name: 'v4.5',
        description: 'v4.5: pmdp_invalidate() called with the huge page\'s own address (the fix that ended the crashes)',
        thpSplit: 'pmdp-invalidate',
        pmdpInvalidateAddress: 'haddr',
        kickInPmdpInvalidate: false,
        ...V4_5_MM,
        splitPrepare: true,
    },
];
//# sourceMappingURL=variants.js.map