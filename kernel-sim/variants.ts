// Kernel variants as data: a named set of mechanism switches, each preset
// naming the real kernel it models.
export interface KernelVariant {
  readonly name: string;
  readonly description: string;
  /**
   * How a THP's pmd is split: v4.4 marks it splitting and IPIs every CPU
   * (pmdp_splitting_flush), and splits the page with it; v4.5 splits the pmd
   * under pmdp_invalidate() and leaves the page to split_huge_page() later.
   */
  readonly thpSplit: 'splitting-flush' | 'pmdp-invalidate';
  /**
   * The address __split_huge_pmd_locked() hands pmdp_invalidate(): v4.5-rc1's
   * pte loop advanced `haddr` itself, so it passed haddr + HPAGE_PMD_SIZE,
   * until "thp: call pmdp_invalidate() with correct virtual address" (Feb 2016).
   */
  readonly pmdpInvalidateAddress: 'haddr' | 'past-end';
  /** kick_all_cpus_sync() in pmdp_invalidate(), the first fix tried in the February 2016 thread */
  readonly kickInPmdpInvalidate: boolean;
}

export const KERNEL_VARIANTS: readonly KernelVariant[] = [
  {
    name: 'v4.4',
    description: 'Linux v4.4: PMD splitting bit, pmdp_splitting_flush() IPIs every CPU and waits',
    thpSplit: 'splitting-flush',
    pmdpInvalidateAddress: 'haddr',
    kickInPmdpInvalidate: false,
  },
  {
    name: 'v4.5-rc1',
    description: 'Linux v4.5-rc1: THP refcounting rework; pmd split by pmdp_invalidate(haddr + HPAGE_PMD_SIZE), no IPI',
    thpSplit: 'pmdp-invalidate',
    pmdpInvalidateAddress: 'past-end',
    kickInPmdpInvalidate: false,
  },
  {
    name: 'v4.5-rc1+kick',
    description: 'v4.5-rc1 with kick_all_cpus_sync() added to pmdp_invalidate() (tried in the thread)',
    thpSplit: 'pmdp-invalidate',
    pmdpInvalidateAddress: 'past-end',
    kickInPmdpInvalidate: true,
  },
  {
    name: 'v4.5+kick',
    description: 'v4.5 with kick_all_cpus_sync() in pmdp_invalidate(): what the proposed IPI costs a correct kernel',
    thpSplit: 'pmdp-invalidate',
    pmdpInvalidateAddress: 'haddr',
    kickInPmdpInvalidate: true,
  },
  {
    name: 'v4.5',
    description: 'v4.5: pmdp_invalidate() called with the huge page\'s own address (the fix that ended the crashes)',
    thpSplit: 'pmdp-invalidate',
    pmdpInvalidateAddress: 'haddr',
    kickInPmdpInvalidate: false,
  },
];
