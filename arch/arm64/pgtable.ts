// arm64 translation table descriptors for the 4 KiB granule, as Linux v4.4 and
// v4.5 name them: arch/arm64/include/asm/pgtable-hwdef.h (hardware bits) and
// arch/arm64/include/asm/pgtable.h (software bits PTE_WRITE, PTE_DIRTY,
// PTE_SPECIAL, PTE_PROT_NONE). Three levels and a 39-bit VA: the default of
// arch/arm64/Kconfig in v4.4/v4.5 for ARM64_4K_PAGES (ARM64_VA_BITS_39), so a
// pgd entry maps 1 GiB, a pmd entry 2 MiB (a block: the THP), a pte 4 KiB.
//
// An entry is kept as one 32-bit word, as the other archs keep theirs
// (emulator/physmem.ts). Its bits [30:0] are the descriptor's bits [30:0]
// (type, AttrIndx, AP, SH, AF, nG, and the output address: simulated memory
// stays below 2 GiB). Linux's bits of the upper word do not fit. The one the
// modelled kernels read back and cannot derive, PTE_SPECIAL (bit 56, which
// v4.4 sets on a pmd to mark it splitting: arm64 has no PMD_SECT_SPLITTING,
// that is 32-bit ARM LPAE's), is kept in bit 31. The others are
// implied by the rest of the word for every entry the model writes; see
// descriptorOf and wordOf.
import { pow2 } from '../../emulator/pow2.js';

// --- level 3 (pte) and block/table type bits: pgtable-hwdef.h --------------
export const PTE_VALID = 1 << 0;
export const PTE_TYPE_MASK = 3;
export const PTE_TYPE_PAGE = 3;
export const PTE_TABLE_BIT = 1 << 1;
export const PTE_USER = 1 << 6;     // AP[1]: EL0 may access
export const PTE_RDONLY = 1 << 7;   // AP[2]: read-only
export const PTE_SHARED = 3 << 8;   // SH[1:0]: inner shareable
export const PTE_AF = 1 << 10;      // Access Flag
export const PTE_NG = 1 << 11;      // not global: tagged with the ASID
export const PTE_ATTRINDX = (t: number): number => t << 2;
/** arch/arm64/include/asm/memory.h: the MAIR index of normal memory */
export const MT_NORMAL = 4;

// --- level 2 (pmd): pgtable-hwdef.h ----------------------------------------
export const PMD_TYPE_MASK = 3;
export const PMD_TYPE_TABLE = 3;
export const PMD_TYPE_SECT = 1;     // a block: 2 MiB at level 2
export const PMD_TABLE_BIT = 1 << 1;
export const PMD_SECT_VALID = 1 << 0;

/**
 * Bit positions of the upper-word bits Linux v4.4/v4.5 uses in user entries
 * (pgtable-hwdef.h: PTE_DBM, PTE_PXN, PTE_UXN; pgtable.h: PTE_WRITE = PTE_DBM,
 * PTE_DIRTY, PTE_SPECIAL, PTE_PROT_NONE "only when !PTE_VALID").
 */
export const UPPER = { PTE_WRITE: 51, PTE_PXN: 53, PTE_UXN: 54, PTE_DIRTY: 55, PTE_SPECIAL: 56, PTE_PROT_NONE: 58 } as const;

/** PTE_SPECIAL (descriptor bit 56) as the word keeps it. */
export const PTE_SPECIAL = 1 << 31;
/** output address bits [30:12] of a page or table descriptor */
export const PTE_ADDR_MASK = 0x7ffff000;
/** output address bits [30:21] of a level-2 block descriptor */
export const PMD_SECT_ADDR_MASK = 0x7fe00000;

// --- geometry: pgtable-hwdef.h with CONFIG_PGTABLE_LEVELS = 3 ----------------
export const PAGE_SHIFT = 12;
export const PMD_SHIFT = 21;
export const PGDIR_SHIFT = 30;
export const HPAGE_SHIFT = PMD_SHIFT;
export const PTRS_PER_TABLE = 512;
export const TABLE_BYTES = 4096;
export const LEVEL_SHIFTS = [PGDIR_SHIFT, PMD_SHIFT, PAGE_SHIFT] as const;
export const index = (va: number, shift: number): number => Math.floor(va / pow2(shift)) % PTRS_PER_TABLE;

/** _PAGE_DEFAULT: PTE_TYPE_PAGE | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) */
const _PAGE_DEFAULT = PTE_TYPE_PAGE | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL);
/** PAGE_SHARED / PAGE_READONLY less their upper-word bits: PTE_USER | PTE_NG on top */
const USER_PAGE = _PAGE_DEFAULT | PTE_USER | PTE_NG;

/**
 * mk_pte(page, PAGE_SHARED) made dirty (pte_mkdirty), then set_pte_at(): it
 * clears PTE_RDONLY for a PTE_WRITE|PTE_DIRTY entry and sets it otherwise.
 * Read-only: PAGE_READONLY, which has PTE_RDONLY set by set_pte_at().
 */
export const mkPte = (phys: number, write: boolean): number => phys | USER_PAGE | (write ? 0 : PTE_RDONLY);

/** mk_pmd + pmd_mkhuge (clears PMD_TABLE_BIT: a block) + pmd_mkdirty/maybe_pmd_mkwrite, set_pmd_at. */
export const mkHugePmd = (phys: number, write: boolean): number =>
  (phys | USER_PAGE | (write ? 0 : PTE_RDONLY)) & ~PMD_TABLE_BIT;

/** __pmd_populate / __pud_populate: a table descriptor */
export const mkTable = (table: number): number => table | PMD_TYPE_TABLE;

// --- the predicates the generic mm calls, as v4.4/v4.5 pgtable.h defines them ---
export const pte_valid = (pte: number): boolean => (pte & PTE_VALID) !== 0;
export const pte_special = (pte: number): boolean => (pte & PTE_SPECIAL) !== 0;
/** pte_write: PTE_WRITE; the model writes no clean writable entry, so it is the entry without PTE_RDONLY */
export const pte_write = (pte: number): boolean => (pte & PTE_RDONLY) === 0;
/** pte_protnone: PTE_PROT_NONE without PTE_VALID; the model makes no PROT_NONE mapping */
export const pte_protnone = (_pte: number): boolean => false;
/** pte_present: PTE_VALID | PTE_PROT_NONE */
export const pte_present = (pte: number): boolean => pte_valid(pte) || pte_protnone(pte);
export const pmd_none = (pmd: number): boolean => pmd === 0;
/** pmd_trans_huge: pmd_val(pmd) && !(pmd_val(pmd) & PMD_TABLE_BIT): an invalidated block stays "huge" */
export const pmd_trans_huge = (pmd: number): boolean => pmd !== 0 && (pmd & PMD_TABLE_BIT) === 0;
/** v4.4 pmd_trans_splitting: pte_special(pmd_pte(pmd)) */
export const pmd_trans_splitting = (pmd: number): boolean => pte_special(pmd);
/** pmd_mknotpresent: clear PMD_TYPE_MASK */
export const pmd_mknotpresent = (pmd: number): number => pmd & ~PMD_TYPE_MASK;

const bit = (n: number): bigint => 1n << BigInt(n);

/**
 * The 64-bit descriptor an entry word stands for, upper bits included:
 * bit 31 goes back to PTE_SPECIAL; a user entry (PTE_USER) has PTE_PXN and
 * PTE_UXN, as every data mapping Linux makes (PAGE_SHARED, PAGE_READONLY);
 * a writable one (no PTE_RDONLY) PTE_WRITE and PTE_DIRTY, as set_pte_at()
 * requires for it. Table descriptors carry no upper bits.
 */
export function descriptorOf(word: number): bigint {
  let d = BigInt(word & 0x7fffffff);
  if (word & PTE_SPECIAL) d |= bit(UPPER.PTE_SPECIAL);
  if (word & PTE_USER) {
    d |= bit(UPPER.PTE_PXN) | bit(UPPER.PTE_UXN);
    if ((word & PTE_RDONLY) === 0) d |= bit(UPPER.PTE_WRITE) | bit(UPPER.PTE_DIRTY);
  }
  return d;
}

/** The entry word of a 64-bit descriptor; throws for one the word cannot stand for. */
export function wordOf(d: bigint): number {
  const low = Number(d & 0x7fffffffn);
  const word = (low | ((d & bit(UPPER.PTE_SPECIAL)) !== 0n ? PTE_SPECIAL : 0)) | 0;
  if (descriptorOf(word) !== d) {
    throw new Error(`descriptor 0x${d.toString(16)} cannot be kept in one word (kept: 0x${descriptorOf(word).toString(16)})`);
  }
  return word;
}
