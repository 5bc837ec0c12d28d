// Kernel variants as data: a named set of mechanism switches, each preset
// naming the real kernel it models.
export interface KernelVariant {
  readonly name: string;
  readonly description: string;
  /** THP split: v4.4's splitting bit + pmdp_splitting_flush(), or v4.5's pmdp_invalidate() */
  readonly thpSplit: 'splitting-flush' | 'pmdp-invalidate';
  /** kick_all_cpus_sync() at the end of pmdp_invalidate(), the fix proposed in February 2016 */
  readonly kickInPmdpInvalidate: boolean;
}

export const KERNEL_VARIANTS: readonly KernelVariant[] = [
  {
    name: 'v4.4',
    description: 'Linux v4.4: PMD splitting bit, pmdp_splitting_flush() IPIs every CPU and waits',
    thpSplit: 'splitting-flush',
    kickInPmdpInvalidate: false,
  },
  {
    name: 'v4.5-rc1',
    description: 'Linux v4.5-rc1: THP refcounting rework, split by pmdp_invalidate(), no IPI on s390',
    thpSplit: 'pmdp-invalidate',
    kickInPmdpInvalidate: false,
  },
  {
    name: 'v4.5-rc1+kick',
    description: 'v4.5-rc1 with kick_all_cpus_sync() added to pmdp_invalidate()',
    thpSplit: 'pmdp-invalidate',
    kickInPmdpInvalidate: true,
  },
];
