// x86-64 4-level paging entry formats: Intel SDM vol. 3A, ch. 4.5 "4-Level
// Paging"; bit names from arch/x86/include/asm/pgtable_types.h, Linux v4.5.
// Entries are kept in the machine's doubleword form (emulator/physmem.ts):
// simulated memory stays below 2 GiB, so every bit below is in the low word.
import { pow2 } from '../../emulator/pow2.js';
export const _PAGE_PRESENT = 1 << 0;
export const _PAGE_RW = 1 << 1;
export const _PAGE_USER = 1 << 2;
export const _PAGE_ACCESSED = 1 << 5;
export const _PAGE_DIRTY = 1 << 6;
export const _PAGE_PSE = 1 << 7;     // a PMD that maps a 2 MiB page
export const _PAGE_PROTNONE = 1 << 8; // _PAGE_BIT_GLOBAL reused when not present
export const PTE_PFN_MASK = ~0xfff;
export const HPAGE_SHIFT = 21;
export const PTRS_PER_TABLE = 512;
export const TABLE_BYTES = 4096;
/** the kernel's table bits for an upper-level entry (_KERNPG_TABLE | _PAGE_USER) */
export const _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;

export const index = (va: number, shift: number): number => Math.floor(va / pow2(shift)) % PTRS_PER_TABLE;
/** the shifts of PML4, PDPT, PD and PT indices */
export const LEVEL_SHIFTS = [39, 30, 21, 12] as const;
