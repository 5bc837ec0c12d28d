// The configuration of one run: everything that, with the seed, replays it.
export const DRIVERS = ['parallel', 'deterministic'];
export { SCHEDULES } from '../emulator/machine_config.js';
export const LIMITS = {
    cpus: { min: 1, max: 256 },
    memMiB: { min: 16, max: 2048 },
    // clocks are compared with wrap-around arithmetic on 32-bit words, so slack must stay below 2^30
    slack: { min: 1, max: 2 ** 30 },
    durationS: { max: 86400 },
    simMs: { max: 60_000 },
    depth: { min: 1, max: 20 },
    stealPercent: { max: 50 },
    stealMeanUs: { max: 1000 },
    hz: { min: 1, max: 10_000 },
};
export const DEFAULTS = {
    workload: 'thp-split-vs-gup',
    arch: 's390',
    kernel: 'v4.5-rc1',
    cpus: 8,
    memMiB: 64,
    seed: 1,
    driver: 'parallel',
    slack: 20_000,
    durationS: 5,
    simMs: 2,
    watchdogMs: 5,
    schedule: 'delay',
    depth: 3,
};
/**
 * The memory a run of an arch gets unless told otherwise, where DEFAULTS.memMiB
 * is too small: ppc64's THPs are 16 MiB (64 KiB pages), so 64 MiB holds three
 * allocator blocks besides the boot memory, which the first page tables and
 * base pages break up, and no THP ever forms. 256 MiB gives 15.
 */
/**
 * The watchdog a run gets unless told otherwise: DEFAULTS.watchdogMs per 16
 * CPUs, never less. The kernel's own thresholds (10 s hard, 20 s soft,
 * kernel/watchdog.c, v4.5) sit orders of magnitude above any wait a correct
 * kernel makes; ours stands in for them in runs of milliseconds, so it must
 * stay above the longest legitimate wait, and that grows with the CPU count:
 * x86's split_huge_page flushes each of 512 ptes with an IPI round to every
 * other CPU under the page-table lock (about 5 ms at 64 CPUs here).
 */
export const defaultWatchdogMs = (cpus) => Math.max(DEFAULTS.watchdogMs, (DEFAULTS.watchdogMs * cpus) / 16);
export const ARCH_DEFAULT_MEM_MIB = { ppc64: 256 };
export const defaultMemMiB = (arch) => ARCH_DEFAULT_MEM_MIB[arch] ?? DEFAULTS.memMiB;
/** Where an arch's entry word cannot address LIMITS.memMiB.max: ppc64's pte keeps the RPN from bit 19 of one word. */
export const ARCH_MAX_MEM_MIB = { ppc64: 512 };
export const maxMemMiB = (arch) => ARCH_MAX_MEM_MIB[arch] ?? LIMITS.memMiB.max;
//# sourceMappingURL=config.js.map