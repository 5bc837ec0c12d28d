// Linux's software page table on Book3S 64 with the hash MMU and 64 KiB
// pages: bits of arch/powerpc/include/asm/book3s/64/hash.h and geometry of
// book3s/64/hash-64k.h (Linux v4.5); the v4.4 splitting bit and the hpte slot
// array format of arch/powerpc/include/asm/pgtable-ppc64.h (v4.4).
// The hardware never reads these tables: hash_page() turns an entry into an
// HPTE (mmu_hash.ts) when the hashed page table misses.

// --- pte bits, book3s/64/hash.h and hash-64k.h (v4.5) ----------------------
export const _PAGE_PTE = 0x00001;       // a leaf entry (set_pte_at adds it)
export const _PAGE_PRESENT = 0x00002;   // software: pte contains a translation
export const _PAGE_USER = 0x00004;      // matches one of the PP bits
export const _PAGE_EXEC = 0x00008;      // no-execute when clear (inverted into HPTE_R_N)
export const _PAGE_DIRTY = 0x00080;     // C: page changed
export const _PAGE_ACCESSED = 0x00100;  // R: page referenced
export const _PAGE_RW = 0x00200;        // software: user write access allowed
export const _PAGE_HASHPTE = 0x00400;   // software: pte has an associated HPTE
export const _PAGE_BUSY = 0x00800;      // software: PTE & hash are busy
export const _PAGE_F_GIX = 0x07000;     // full page: hidx bits
export const _PAGE_F_GIX_SHIFT = 12;
export const _PAGE_F_SECOND = 0x08000;  // whether to use the secondary hash
export const _PAGE_SPECIAL = 0x10000;   // software: special page
export const _PAGE_COMBO = 0x20000;     // 64K page hashed as 4K subpages (not modelled)
export const _PAGE_4K_PFN = 0x40000;    // PFN is for a single 4k page
/** THP huge pmds are told from hugetlb ones by this bit (hash.h: _PAGE_THP_HUGE = _PAGE_4K_PFN) */
export const _PAGE_THP_HUGE = _PAGE_4K_PFN;
/** v4.4 pgtable-ppc64.h: "THP pages can't be special. So use the _PAGE_SPECIAL" */
export const _PAGE_SPLITTING = _PAGE_SPECIAL;
/** PTE flags to conserve for HPTE identification (hash-64k.h) */
export const _PAGE_HPTEFLAGS = _PAGE_BUSY | _PAGE_F_SECOND | _PAGE_F_GIX | _PAGE_HASHPTE | _PAGE_COMBO;
/** _PAGE_BASE with _PAGE_COHERENT = 0 on hash */
export const _PAGE_BASE = _PAGE_PRESENT | _PAGE_ACCESSED;

/**
 * The kernel keeps the RPN at PTE_RPN_SHIFT = 30 (hash-64k.h). The machine
 * stores an entry as its low word (emulator/physmem.ts), so the model keeps
 * the RPN in bits 19-31, just above the highest software bit (_PAGE_4K_PFN):
 * every flag keeps its kernel value, and memory is limited to 2^13 64 KiB
 * pages (512 MiB).
 */
export const PTE_RPN_SHIFT = 19;
export const MAX_PFNS = 2 ** (32 - PTE_RPN_SHIFT);

// --- geometry: hash-64k.h (v4.5), 3 levels with the PUD folded -------------
export const PAGE_SHIFT = 16;
export const PAGE_SIZE = 2 ** PAGE_SHIFT;
export const PTE_INDEX_SIZE = 8;
export const PMD_INDEX_SIZE = 10;
export const PGD_INDEX_SIZE = 12;
export const PTRS_PER_PTE = 2 ** PTE_INDEX_SIZE;   // 256 ptes: one per 64 KiB page of a 16 MiB pmd
export const PTRS_PER_PMD = 2 ** PMD_INDEX_SIZE;
export const PTRS_PER_PGD = 2 ** PGD_INDEX_SIZE;
export const PMD_SHIFT = PAGE_SHIFT + PTE_INDEX_SIZE; // 24: a pmd maps 16 MiB
export const PGDIR_SHIFT = PMD_SHIFT + PMD_INDEX_SIZE; // 34
export const HPAGE_SHIFT = PMD_SHIFT;
/** a pte table is a 4 KiB fragment: 2 KiB of ptes, 2 KiB of subpage hash slots (PTE_FRAG_SIZE) */
export const PTE_FRAG_SIZE = 4096;
/** PMD_CACHE_INDEX = PMD_INDEX_SIZE + 1 with THP: the second half holds each huge pmd's deposited table */
export const PMD_TABLE_BYTES = 2 * 8 * PTRS_PER_PMD;
export const PGD_TABLE_BYTES = 8 * PTRS_PER_PGD;
/** PMD_MASKED_BITS: a pmd that points to a table holds the 4 KiB-aligned fragment */
export const PMD_MASKED_BITS = 0xfff;
/** the second half of the PMD table: where the deposited table of the huge pmd at `pmdp` is kept */
export const pgtableSlot = (pmdp: number): number => pmdp + PTRS_PER_PMD * 8;

// (sizes computed once: `2 ** SHIFT` in a function is a call of pow at every use)
const PGDIR_SIZE = 2 ** PGDIR_SHIFT;
const PMD_SIZE = 2 ** PMD_SHIFT;
const RPN_UNIT = 2 ** PTE_RPN_SHIFT;
export const pgdIndex = (va: number): number => Math.floor(va / PGDIR_SIZE) % PTRS_PER_PGD;
export const pmdIndex = (va: number): number => Math.floor(va / PMD_SIZE) % PTRS_PER_PMD;
export const pteIndex = (va: number): number => Math.floor(va / PAGE_SIZE) % PTRS_PER_PTE;

// --- entries (pfn_pte, set_pte_at, pmd_mkhuge) -------------------------------
export const pte_rpn = (phys: number): number => (Math.floor(phys / PAGE_SIZE) * RPN_UNIT) | 0;
export const pte_phys = (pte: number): number => (pte >>> PTE_RPN_SHIFT) * PAGE_SIZE;

/** mk_pte(page, PAGE_SHARED) made dirty and young, with the _PAGE_PTE set_pte_at adds */
export const mkPte = (phys: number, write: boolean): number =>
  pte_rpn(phys) | _PAGE_PTE | _PAGE_BASE | _PAGE_USER | (write ? _PAGE_RW | _PAGE_DIRTY : 0);
/** pfn_pmd + pmd_mkhuge: a THP pmd is a leaf pte with _PAGE_THP_HUGE */
export const mkHugePmd = (phys: number, write: boolean): number => mkPte(phys, write) | _PAGE_THP_HUGE;

// --- predicates as v4.5 defines them -----------------------------------------
export const pte_none = (pte: number): boolean => (pte & ~_PAGE_HPTEFLAGS) === 0;
export const pte_present = (pte: number): boolean => (pte & _PAGE_PRESENT) !== 0;
/** pte_protnone (CONFIG_NUMA_BALANCING): present but not user-accessible */
export const pte_protnone = (pte: number): boolean => (pte & (_PAGE_PRESENT | _PAGE_USER)) === _PAGE_PRESENT;
export const pmd_none = (pmd: number): boolean => pmd === 0;
export const pmd_trans_huge = (pmd: number): boolean => (pmd & (_PAGE_PTE | _PAGE_THP_HUGE)) === (_PAGE_PTE | _PAGE_THP_HUGE);
/** v4.4: pmd_trans_splitting */
export const pmd_trans_splitting = (pmd: number): boolean => pmd_trans_huge(pmd) && (pmd & _PAGE_SPLITTING) !== 0;

// --- the hpte slot array (v4.4 pgtable-ppc64.h; v4.5 keeps the format) --------
// One byte per 64 KiB subpage of a THP in its deposited table: [1 bit
// secondary | 3 bit hidx | 1 bit valid | 000]. Its address is stored in the
// second half of the PMD table (get_hpte_slot_array).
export const hpte_valid = (b: number): boolean => ((b >> 3) & 0x1) !== 0;
export const hpte_hash_index = (b: number): number => b >> 4;
export const mark_hpte_slot_valid = (hidx: number): number => (hidx << 4) | (0x1 << 3);
