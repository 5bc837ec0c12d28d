// Which kernel source each modelled mechanism follows, as `list` shows it: the
// mm stays v4.5-shaped where a later version's difference does not touch the
// races modelled, and a switch says where it does.
export interface Mechanism {
  readonly name: string;
  /** file and version modelled */
  readonly follows: string;
  /** the switches that select between versions, if any */
  readonly switches?: readonly string[];
  readonly note?: string;
}

export const MECHANISMS: readonly Mechanism[] = [
  { name: 'fault path', follows: 'mm/memory.c, mm/huge_memory.c v4.5 (handle_mm_fault, do_anonymous_page, do_huge_pmd_anonymous_page)', note: 'a workload may make huge faults fail (thpFaults=0, collapse-vs-gup): small pages only' },
  { name: 'THP pmd split', follows: 'mm/huge_memory.c v4.5-rc1 / v4.5; v4.4 splitting flush', switches: ['thpSplit', 'pmdpInvalidateAddress', 'kickInPmdpInvalidate', 'splitPrepare'] },
  { name: 'THP page split', follows: 'mm/huge_memory.c v4.5 (split_huge_page_to_list, freeze_page, deferred split queue)', switches: ['splitRefFreeze'], note: 'v4.8\'s page_ref_freeze by switch; later folio rework not modelled (it does not change the races)' },
  { name: 'GUP-fast', follows: 'arch/s390/mm/gup.c, arch/x86/mm/gup.c v4.5; mm/gup.c v5.19 / v6.0 (lockless_pages_from_mm, gup_pte_range)', switches: ['gupFastRef', 'gupFastPmdRecheck'] },
  { name: 'GUP slow path', follows: 'mm/gup.c v4.5 (follow_page_mask under mmap_sem and the pte or pmd lock)' },
  { name: 'khugepaged collapse', follows: 'mm/khugepaged.c v5.19 (khugepaged_scan_pmd, collapse_huge_page, __collapse_huge_page_isolate, __collapse_huge_page_copy); v6.1 tlb_remove_table_sync_one', switches: ['collapseTableSync'], note: 'anonymous ranges of order-0 pages (a pte-mapped THP is left alone, as before v5.8); the shmem file path too (collapse_file, retract_page_tables, collapse_pte_mapped_thp; kernel-sim/filemap.ts holds the page cache)' },
  { name: 'page-table freeing', follows: 'mm/memory.c free_pgtables v4.5, mm/mmu_gather.c tlb_remove_table (RCU or IPI sync), mm/huge_memory.c zap_deposited_table (pte_free at once)', switches: ['pgtableFree'] },
  { name: 'x86 TLB flush', follows: 'arch/x86/mm/tlb.c v4.5 (IPI); arch/x86/xen/mmu.c xen_flush_tlb_others v4.9 (hypercall); arch/x86/mm/tlb.c broadcast_tlb_flush v6.15 (INVLPGB)', switches: ['tlbFlush'] },
  { name: 'THP serialisation IPI', follows: 'kernel/smp.c kick_all_cpus_sync v4.5; arch/powerpc/mm/book3s64 serialize_against_pte_lookup (mm_cpumask)', switches: ['thpIpiTargets'] },
  { name: 'page allocator', follows: 'mm/page_alloc.c v4.5, reduced to order 0 and the huge order (LIFO per block)' },
  { name: 'locks', follows: 'split pte locks (include/linux/mm.h v4.5 USE_SPLIT_PTE_PTLOCKS), mm->page_table_lock as the pmd lock, mmap_sem as a spinning rwsem without writer priority' },
];
