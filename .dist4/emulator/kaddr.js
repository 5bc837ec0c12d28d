// Addresses of the simulated kernel's shared data, in one space, so that an
// event's argument names what it touches and the machine can tell which cache
// line that is. Physical memory (page tables, user data) sits at its physical
// address; the other regions at fixed bases above the 2 GiB memory limit,
// where s390 Linux keeps vmemmap and kernel data too.
import { CPU_STRIDE } from './cpu_words.js';
export const VMEMMAP = 0x80000000; // struct page array, as large as the kernel's struct page (kernel-sim/mm_types.ts)
export const KDATA = 0xa0000000; // kernel scalars and locks (the 'kernel' region)
export const CSD = 0xa1000000; // call_single_data
export const PERCPU = 0xa2000000; // per-CPU words (call_single_queue, ec_mask)
const END = 0xa3000000;
export const kwordAddr = (word) => KDATA + word * 4;
export const csdAddr = (word) => CSD + word * 4;
export const percpuAddr = (cpu, word) => PERCPU + (cpu * CPU_STRIDE + word) * 4;
/** The line index of `addr` for lines of 2^shift bytes, in a space sized by lineSpace; -1 outside it. */
export function lineOf(addr, shift, memBytes) {
    // addresses are whole and below 2^32, so an unsigned shift is the floor of the division
    if (addr < memBytes)
        return addr >= 0 ? addr >>> shift : Math.floor(addr / 2 ** shift);
    if (addr >= VMEMMAP && addr < END)
        return (memBytes + (addr - VMEMMAP)) >>> shift;
    return -1;
}
/** How many lines of 2^shift bytes lineOf can return for `memBytes` of memory and `ncpus` CPUs. */
export function lineSpace(memBytes, shift) {
    return Math.ceil((memBytes + (END - VMEMMAP)) / 2 ** shift);
}
//# sourceMappingURL=kaddr.js.map