// The per-CPU control words every thread reads and writes with Atomics: a
// leaf module, so that the address map (kaddr.ts) and the machine can share it.
/** Per-CPU Int32 words, one 64-byte line per CPU so CPUs do not share host lines. */
export const CPU_STRIDE = 16;
export const C = {
    PENDING: 0, // pending interrupt bits (arch-defined)
    IRQ_ON: 1, // mirror of the PSW external-interrupt mask: 1 = enabled
    CLOCK: 2, // published virtual clock >> CLOCK_SHIFT, compared with wrap-around
    ACTIVE: 3, // 1 while the CPU's program runs; 0 once it has ended
    RING_HEAD: 4, // next flight-recorder slot
    ARCH0: 5, // four words for the arch (s390: pcpu ec_mask)
    CSQ_HEAD: 9, // call_single_queue llist head: csd id + 1, 0 = empty
    STEPS: 10, // progress counter (wraps)
    WAITERS: 11, // CPUs sleeping until this one's clock advances (parallel driver)
    EPOCH: 12, // bumped by this CPU to wake them
    STALL: 13, // cycles other CPUs' broadcasts (s390 quiesce) have cost this one, not yet charged
};
export const CLOCK_SHIFT = 4;
//# sourceMappingURL=cpu_words.js.map