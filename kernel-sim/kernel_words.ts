// Where the kernel's scalars live in the shared 'kernel' region.
export const K = {
  BOOT_NEXT: 0,   // memblock_alloc cursor (bytes)
  MM_PGD: 1,      // the process's pgd (physical address)
  WORKLOAD: 64,   // first word of workload-owned scratch
} as const;
export const WORKLOAD_WORDS = 1024;
