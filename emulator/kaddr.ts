// Addresses of the simulated kernel's shared data, in one space, so that an
// event's argument names what it touches and the machine can tell which cache
// line that is. Physical memory (page tables, user data) sits at its physical
// address; the other regions at fixed bases above the 2 GiB memory limit,
// where s390 Linux keeps vmemmap and kernel data too.
import { CPU_STRIDE } from './cpu_words.js';

export const VMEMMAP = 0x80000000; // struct page array, as large as the kernel's struct page (kernel-sim/mm_types.ts)
export const KDATA = 0xa0000000;   // kernel scalars and locks (the 'kernel' region)
export const CSD = 0xa1000000;     // call_single_data
export const PERCPU = 0xa2000000;  // per-CPU words (call_single_queue, ec_mask)
const END = 0xa3000000;

export const kwordAddr = (word: number): number => KDATA + word * 4;
export const csdAddr = (word: number): number => CSD + word * 4;
export const percpuAddr = (cpu: number, word: number): number => PERCPU + (cpu * CPU_STRIDE + word) * 4;

/** The line index of `addr` for lines of 2^shift bytes, in a space sized by lineSpace; -1 outside it. */
export function lineOf(addr: number, shift: number, memBytes: number): number {
  // addresses are whole and below 2^32, so an unsigned shift is the floor of the division
  if (addr < memBytes) return addr >= 0 ? addr >>> shift : Math.floor(addr / 2 ** shift);
  if (addr >= VMEMMAP && addr < END) return (memBytes + (addr - VMEMMAP)) >>> shift;
  return -1;
}

/** How many lines of 2^shift bytes lineOf can return for `memBytes` of memory. */
export function lineSpace(memBytes: number, shift: number): number {
  return Math.ceil((memBytes + (END - VMEMMAP)) / 2 ** shift);
}

/**
 * Int32 words a line's ownership takes for `ncpus` CPUs: its last writer, and a
 * bitmap of the CPUs holding a copy, a bit for every CPU (Cpu.lineCost).
 */
export const lineWords = (ncpus: number): number => 1 + ((ncpus + 31) >> 5);
