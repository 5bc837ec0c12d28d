// Kernel variants as data: a named set of mechanism switches, each preset
// naming the real kernel it models.
/** The mechanism switches a kernel variant sets; a fix candidate is a new set of them. */
export interface VariantSwitches {
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
  /**
   * How free_pgtables() frees a page table on munmap. 'rcu': tlb_remove_table()
   * (HAVE_RCU_TABLE_FREE, s390/ppc64/arm64 in v4.5), freed only once every CPU
   * has left the interrupts-off section it was in; 'after-flush': freed when the
   * TLB flush returns, as archs without it did (x86 in v4.5), which protects an
   * interrupts-off walker only where that flush is an IPI.
   */
  readonly pgtableFree: 'rcu' | 'after-flush';
  /**
   * split_huge_page() freezes the head's refcount (page_ref_freeze(head,
   * 1 + extra_pins), as v4.8's mm/huge_memory.c does) instead of comparing it:
   * a speculative reference taken meanwhile fails instead of slipping in.
   */
  readonly splitRefFreeze: boolean;
  /**
   * Whom the THP serialisation IPI (kick_all_cpus_sync(), v4.4's splitting
   * flush) goes to: every online CPU, or only the mm's CPUs (mm_cpumask), as
   * serialize_against_pte_lookup() later did on powerpc.
   */
  readonly thpIpiTargets: 'all' | 'mm-cpumask';
  /**
   * The arch prepares a huge pmd before __split_huge_pmd_locked() withdraws
   * its deposited page table (pmdp_huge_split_prepare()), and the arch's
   * pmdp_invalidate() then waits out lockless page-table walkers
   * (kick_all_cpus_sync()). PowerPC's fix for the rework: c777e2a8b654
   * "powerpc/mm: Fix Multi hit ERAT cause by recent THP update" (A. Kumar
   * K.V., Feb 2016; not in v4.5-rc4, in v4.5). Without it ppc64 withdraws the
   * table that records the THP's HPTEs before flushing them, so they stay
   * in the hashed page table. Archs that keep nothing in the deposited table
   * (s390, x86, arm64) have nothing to prepare and ignore it.
   */
  readonly splitPrepare: boolean;
  /**
   * How GUP-fast takes its reference on a page it found through a pte or a
   * huge pmd: 'arch', as each arch's own gup.c of v4.5 did (s390
   * speculatively, x86 outright); 'get_page', outright, relying on the flush
   * IPI to keep the page (x86 gup.c of v4.4-v4.12); 'speculative', the
   * generic mm/gup.c's way: a reference on the head only if its count is not
   * zero, then the entry read again (x86 from v4.13, e585513b76f7; the 2019
   * stable fix for paravirt guests).
   */
  readonly gupFastRef: 'arch' | 'get_page' | 'speculative';
  /**
   * After taking its reference, GUP-fast re-reads the pmd as well as the pte
   * and gives the page back if either changed: 70cbc3cc78a9 "mm: gup: fix the
   * fast GUP race against THP collapse" (v6.0). Without it a walker that read
   * the pmd before khugepaged's pmdp_collapse_flush() pins a page the collapse
   * is about to copy and replace.
   */
  readonly gupFastPmdRecheck: boolean;
  /**
   * khugepaged calls tlb_remove_table_sync_one() (an IPI to every CPU, waited
   * for) after pmdp_collapse_flush(), before the old page table is deposited
   * or freed: 2ba99c5e0881 "mm/khugepaged: fix GUP-fast interaction by
   * sending IPI" (v6.1). It waits out interrupts-off walkers where the flush
   * itself does not.
   */
  readonly collapseTableSync: boolean;
  /**
   * How x86 makes other CPUs' TLBs forget a translation: 'ipi', flush_tlb_others
   * by IPI, waited for (native, v4.5); 'hypercall', one hypercall that has the
   * hypervisor flush the other vCPUs (Xen PV, Hyper-V), interrupting no guest
   * CPU; 'invlpgb', AMD's broadcast INVLPGB + TLBSYNC (v6.15), the same for
   * GUP-fast. Other archs have one way and ignore it.
   */
  readonly tlbFlush: 'ipi' | 'hypercall' | 'invlpgb';
}

export interface KernelVariant extends VariantSwitches {
  readonly name: string;
  readonly description: string;
}

/** Each switch's allowed values and meaning: what `list` shows and scenario files are checked against. */
export const VARIANT_SWITCHES: { readonly [K in keyof VariantSwitches]: { readonly values: readonly VariantSwitches[K][]; readonly description: string } } = {
  thpSplit: { values: ['splitting-flush', 'pmdp-invalidate'], description: 'v4.4 splitting bit + pmdp_splitting_flush(), or v4.5 pmdp_invalidate()' },
  pmdpInvalidateAddress: { values: ['haddr', 'past-end'], description: 'address __split_huge_pmd_locked() passes to pmdp_invalidate()' },
  kickInPmdpInvalidate: { values: [false, true], description: 'kick_all_cpus_sync() at the end of pmdp_invalidate()' },
  pgtableFree: { values: ['rcu', 'after-flush'], description: 'free_pgtables(): tlb_remove_table() after a grace period, or free once the TLB flush returns' },
  splitRefFreeze: { values: [false, true], description: 'split_huge_page() freezes the refcount with page_ref_freeze()' },
  thpIpiTargets: { values: ['all', 'mm-cpumask'], description: 'THP serialisation IPIs go to all CPUs or to mm_cpumask()' },
  splitPrepare: { values: [false, true], description: 'pmdp_huge_split_prepare() before the deposited table is withdrawn, and a kick in the arch\'s pmdp_invalidate() (ppc64 hash)' },
  gupFastRef: { values: ['arch', 'get_page', 'speculative'], description: 'GUP-fast\'s page reference: the arch\'s own gup.c of v4.5, get_page() outright (x86 v4.4), or add-unless-zero then re-check (mm/gup.c)' },
  gupFastPmdRecheck: { values: [false, true], description: 'GUP-fast re-checks the pmd after pinning (70cbc3cc78a9, v6.0)' },
  collapseTableSync: { values: [false, true], description: 'tlb_remove_table_sync_one() after khugepaged\'s pmdp_collapse_flush() (2ba99c5e0881, v6.1)' },
  tlbFlush: { values: ['ipi', 'hypercall', 'invlpgb'], description: 'x86 remote TLB flush: IPI waited for, a paravirt hypercall, or INVLPGB broadcast (other archs ignore it)' },
};

/** v4.5's mm as presets share it; a preset names only what differs. */
const V4_5_MM = {
  pgtableFree: 'rcu', splitRefFreeze: false, thpIpiTargets: 'all',
  gupFastRef: 'arch', gupFastPmdRecheck: false, collapseTableSync: false, tlbFlush: 'ipi',
} as const;

/**
 * v5.19's mm where it touches these races: the v4.5 split with the right
 * address and v4.8's refcount freeze, THP IPIs to mm_cpumask, RCU table
 * freeing (x86 with CONFIG_PARAVIRT, as distributions build it), and the
 * generic GUP-fast (s390 since v5.2, x86 since v4.13).
 */
const V5_19_MM = {
  thpSplit: 'pmdp-invalidate', pmdpInvalidateAddress: 'haddr', kickInPmdpInvalidate: false,
  pgtableFree: 'rcu', splitRefFreeze: true, thpIpiTargets: 'mm-cpumask', splitPrepare: true,
  gupFastRef: 'speculative', gupFastPmdRecheck: false, collapseTableSync: false, tlbFlush: 'ipi',
} as const;

/**
 * An x86 Xen PV guest of v4.9 (SUSE's 4.4 and 4.12 kernels, where the crash
 * was seen, had the same three): arch/x86/mm/gup.c's get_page() under
 * interrupts off, tables freed once the flush returns (x86 had no
 * HAVE_RCU_TABLE_FREE before v4.14), xen_flush_tlb_others() a hypercall.
 */
const V4_9_XENPV = {
  thpSplit: 'pmdp-invalidate', pmdpInvalidateAddress: 'haddr', kickInPmdpInvalidate: false,
  pgtableFree: 'after-flush', splitRefFreeze: true, thpIpiTargets: 'all', splitPrepare: true,
  gupFastRef: 'get_page', gupFastPmdRecheck: false, collapseTableSync: false, tlbFlush: 'hypercall',
} as const;

export const KERNEL_VARIANTS: readonly KernelVariant[] = [
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
  // --- the family's later members: the generic lockless walk of mm/gup.c and khugepaged
  {
    name: 'v5.19',
    description: 'v5.19: generic GUP-fast re-checks only the pte; khugepaged\'s collapse sends no IPI where the flush sends none (before 70cbc3cc78a9)',
    ...V5_19_MM,
  },
  {
    name: 'v6.0',
    description: 'v6.0: GUP-fast re-checks the pmd too (70cbc3cc78a9); khugepaged still reuses or frees a table a walker may be in',
    ...V5_19_MM,
    gupFastPmdRecheck: true,
  },
  {
    name: 'v6.1',
    description: 'v6.1: khugepaged calls tlb_remove_table_sync_one() after pmdp_collapse_flush() (2ba99c5e0881)',
    ...V5_19_MM,
    gupFastPmdRecheck: true,
    collapseTableSync: true,
  },
  // --- x86 guests whose TLB flush is a hypercall (Xen PV), and x86 flushes by INVLPGB
  {
    name: 'v4.9-xenpv',
    description: 'x86 Xen PV guest of v4.9: gup.c takes get_page() under interrupts off, page tables freed after the flush, and the flush a hypercall that waits for no guest CPU',
    ...V4_9_XENPV,
  },
  {
    name: 'v4.9-xenpv+d73af79742e7',
    description: 'v4.9-xenpv with the 4.9-stable "x86, mm, gup: prevent get_page() race with munmap in paravirt guest": speculative reference, pte re-checked',
    ...V4_9_XENPV,
    gupFastRef: 'speculative',
  },
  {
    name: 'v4.9-xenpv+9e52fc2b50de',
    description: 'v4.9-xenpv with "x86/mm: Enable RCU based page table freeing" (v4.14) alone: tables wait for walkers, get_page() still races with munmap',
    ...V4_9_XENPV,
    pgtableFree: 'rcu',
  },
  {
    name: 'v4.14-xenpv',
    description: 'x86 Xen PV guest of v4.14: the generic GUP-fast (v4.13, e585513b76f7) and RCU table freeing (9e52fc2b50de)',
    ...V4_9_XENPV,
    gupFastRef: 'speculative',
    pgtableFree: 'rcu',
  },
  {
    name: 'v6.14+invlpgb',
    description: 'hypothetical: bare-metal x86 of v6.14 with the INVLPGB series but not a37259732a7d (which came with it in v6.15): page tables freed after a flush that interrupts nobody',
    ...V5_19_MM,
    gupFastPmdRecheck: true,
    collapseTableSync: true,
    pgtableFree: 'after-flush',
    tlbFlush: 'invlpgb',
  },
  {
    name: 'v6.15',
    description: 'bare-metal x86 of v6.15: INVLPGB flushes, and a37259732a7d makes RCU table freeing unconditional',
    ...V5_19_MM,
    gupFastPmdRecheck: true,
    collapseTableSync: true,
    tlbFlush: 'invlpgb',
  },
];

