// Where the kernel's scalars live in the shared 'kernel' region.
export const K = {
  BOOT_NEXT: 0,       // memblock_alloc cursor (bytes)
  MM_PGD: 1,          // the process's pgd (physical address)
  ZONE_LOCK: 2,       // zone->lock of the page allocator
  NR_FREE_BLOCKS: 3,  // entries on the whole-free block stack
  NR_PARTIAL: 4,      // entries on the partly-free block stack
  BLOCK_ORDER: 5,     // order of an allocator block (the arch's huge page)
  FIRST_BLOCK: 6,     // blocks below are memblock (boot) memory
  MMAP_SEM: 7,        // mm->mmap_sem
  PAGE_TABLE_LOCK: 8, // mm->page_table_lock, the pmd lock here (pmd_lockptr; see PTE_PTL)
  SPLIT_QUEUE_LOCK: 9,
  SPLIT_QUEUE_LEN: 10,
  NR_BLOCKS: 11,
  THP_PMD0: 12,       // pmd entry address of the THP area's first huge page
  THP_SLOTS: 13,      // huge pages in the THP area
  FREE_SEQ: 14,       // frees so far (the shadow's clock, see mm_types.ts)
  SPINLOCK_QUEUED: 15, // 1: the arch's spinlocks serve waiters in order (set at boot from Arch.spinlock)
  MM_CPUMASK: 16,     // mm_cpumask(mm): 8 words, a bit per CPU that runs the mm
  FAULT_NO_THP: 24,   // 1: the fault path maps small pages only (its THP allocation fails); khugepaged collapses them
  AREA_FILE: 25,      // 1: the THP area is a shared file (shmem) mapping, its pages in the page cache (filemap.ts)
  PAGE_CACHE_LOCK: 26, // the mapping's xa_lock
  NO_KASAN: 27,       // 1: --detect kernel, a kernel built without KASAN: the shadow only notes (kasan.ts)
  PMD_HUGE_PTE_LIST: 28, // mm->pmd_huge_pte where the arch keeps deposited tables on a list in their own memory (s390)
  WORKLOAD: 64,       // first word of workload-owned scratch
  VM_EVENTS: 96,      // vm event counters (vmstat.ts), up to 32
  SPLIT_QUEUE: 128,   // deferred split queue: head pfns (up to 256)
  PMD_HUGE_PTE: 512,  // deposited page tables, one slot per THP-area pmd (up to 1024)
  ARCH: 2048,         // words the arch keeps for itself (ppc64: hashed page table, native_tlbie_lock)
  PTE_PTL: 2560,      // split pte locks, one per THP-area pmd's page table (up to 1024, see pgtable.ts pte_lockptr)
  FILE_STATE: 3584,   // per range of the file area: its page cache state (filemap.ts Range), up to 32
  PAGE_CACHE: 4096,   // the file's page cache: pfn + 1 per page index, 0 a hole (up to PAGE_CACHE_WORDS)
} as const;
export const PAGE_CACHE_WORDS = 4096;
export const ARCH_WORDS = 64;
export const WORKLOAD_WORDS = 64;
export const SPLIT_QUEUE_MAX = 256;
export const PMD_SLOTS = 1024;

/** scratch slots: the split log of the THP area's pmds, 4 per pmd (huge_memory.ts logPmdEvent) */
export const SPLIT_LOG = 128;
