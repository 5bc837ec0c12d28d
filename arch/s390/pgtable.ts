// s390 DAT table entry formats with the Linux software bits.
// Hardware formats: z/Architecture Principles of Operation (SA22-7832-10),
// chapter 3 "Storage", section "Dynamic Address Translation" (region-, segment- and page-table
// entries). Software bits: arch/s390/include/asm/pgtable.h, Linux v4.5
// (v4.4 for _SEGMENT_ENTRY_SPLIT). Only the low word of each 64-bit entry is
// stored (emulator/physmem.ts); every bit below lives in it.

// --- page-table entry -----------------------------------------------------
export const _PAGE_PROTECT = 0x200;  // HW DAT-protection bit 54
export const _PAGE_INVALID = 0x400;  // HW page-invalid bit 53
export const _PAGE_LARGE = 0x800;    // bit 52, large page (hugetlbfs ptes)
export const _PAGE_PRESENT = 0x001;  // SW pte present bit
export const _PAGE_YOUNG = 0x004;    // SW pte young bit
export const _PAGE_DIRTY = 0x008;    // SW pte dirty bit
export const _PAGE_READ = 0x010;     // SW pte read bit
export const _PAGE_WRITE = 0x020;    // SW pte write bit
export const _PAGE_SPECIAL = 0x040;  // SW associated with special page
export const PAGE_MASK = ~0xfff;
/** pte_clear: an empty pte is just the invalid bit */
export const _PAGE_EMPTY = _PAGE_INVALID;

// --- segment-table entry (pmd) --------------------------------------------
export const _SEGMENT_ENTRY_ORIGIN_LARGE = ~0xfffff; // large page address, 1 MiB aligned
export const _SEGMENT_ENTRY_ORIGIN = ~0x7ff;         // page-table origin, 2 KiB aligned
export const _SEGMENT_ENTRY_PROTECT = 0x200;         // HW segment protection bit
export const _SEGMENT_ENTRY_INVALID = 0x20;          // HW invalid segment bit
export const _SEGMENT_ENTRY = 0;
export const _SEGMENT_ENTRY_EMPTY = _SEGMENT_ENTRY_INVALID;
export const _SEGMENT_ENTRY_DIRTY = 0x2000;  // SW segment dirty bit
export const _SEGMENT_ENTRY_YOUNG = 0x1000;  // SW segment young bit
export const _SEGMENT_ENTRY_SPLIT = 0x0800;  // SW THP splitting bit (v4.4 only; gone in v4.5)
export const _SEGMENT_ENTRY_LARGE = 0x0400;  // HW STE-format control: large (1 MiB) page
export const _SEGMENT_ENTRY_READ = 0x0002;   // SW segment read bit
export const _SEGMENT_ENTRY_WRITE = 0x0001;  // SW segment write bit

// --- region-table entries (the pgd of a 3-level, 4 TiB address space is a region-third table)
export const _REGION_ENTRY_ORIGIN = ~0xfff;  // origin of the next-lower table
export const _REGION_ENTRY_INVALID = 0x20;   // HW region invalid bit
export const _REGION_ENTRY_TYPE_MASK = 0x0c; // HW region table type mask
export const _REGION_ENTRY_TYPE_R3 = 0x04;   // HW region-third table type
export const _REGION_ENTRY_LENGTH = 0x03;    // HW region table length
export const _REGION3_ENTRY = _REGION_ENTRY_TYPE_R3 | _REGION_ENTRY_LENGTH;
export const _REGION3_ENTRY_EMPTY = _REGION_ENTRY_TYPE_R3 | _REGION_ENTRY_INVALID;

// --- geometry: PoP chapter 3; PTRS_PER_* in asm/pgtable.h v4.5 -------------
export const PTRS_PER_PTE = 256;   // a page table is 2 KiB: two per 4 KiB frame
export const PTRS_PER_PMD = 2048;  // a segment table is 16 KiB (crst, order 2)
export const PTRS_PER_PUD = 2048;  // region-third table, 16 KiB
export const PAGE_TABLE_BYTES = PTRS_PER_PTE * 8;
export const CRST_TABLE_BYTES = PTRS_PER_PMD * 8;
export const PMD_SHIFT = 20;       // a segment maps 1 MiB
export const PUD_SHIFT = 31;       // a region-third entry maps 2 GiB
export const HPAGE_SHIFT = PMD_SHIFT;
export const HPAGE_PMD_ORDER = HPAGE_SHIFT - 12; // 8

// (sizes computed once: `2 ** SHIFT` in a function is a call of pow at every use)
const PUD_SIZE = 2 ** PUD_SHIFT;
const PMD_SIZE = 2 ** PMD_SHIFT;
export const pgdIndex = (va: number): number => Math.floor(va / PUD_SIZE) % PTRS_PER_PUD;
export const pmdIndex = (va: number): number => Math.floor(va / PMD_SIZE) % PTRS_PER_PMD;
export const pteIndex = (va: number): number => Math.floor(va / 4096) % PTRS_PER_PTE;

// --- predicates as v4.5 defines them --------------------------------------
export const pmd_none = (pmd: number): boolean => pmd === _SEGMENT_ENTRY_INVALID;
export const pmd_present = (pmd: number): boolean => pmd !== _SEGMENT_ENTRY_INVALID;
export const pmd_large = (pmd: number): boolean => (pmd & _SEGMENT_ENTRY_LARGE) !== 0;
export const pmd_trans_splitting = (pmd: number): boolean => pmd_large(pmd) && (pmd & _SEGMENT_ENTRY_SPLIT) !== 0; // v4.4
export const pte_present = (pte: number): boolean => (pte & _PAGE_PRESENT) !== 0;
