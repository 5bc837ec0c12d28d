// The configuration of one run: everything that, with the seed, replays it.

export type DriverName = 'parallel' | 'deterministic';
export const DRIVERS: readonly DriverName[] = ['parallel', 'deterministic'];

export type ParamValue = number | string | boolean;

/**
 * What reports a crash: kasan, the shadow's check at the first stale access
 * (today's default); kernel, only the modelled kernel's own checks with the
 * debug options of a 2016 s390 test kernel (DEBUG_VM, DEBUG_LIST,
 * DEBUG_PAGEALLOC, bad page state, BUG_ON, the fault handler's Oops), the
 * shadow noting what it saw silently (kernel-sim/kasan.ts).
 */
export type DetectName = 'kasan' | 'kernel';
export const DETECTS: readonly DetectName[] = ['kasan', 'kernel'];

import type { MachineConfig, ScheduleConfig, ScheduleName } from '../emulator/machine_config.js';
export { SCHEDULES, type ScheduleConfig, type ScheduleName, type TimingConfig } from '../emulator/machine_config.js';
import type { KernelVariant } from '../kernel-sim/variants.js';

/** A run: the machine's part (emulator/machine_config.ts) and what runs on it. */
export interface RunConfig extends MachineConfig {
  readonly workload: string;
  readonly arch: string;
  readonly kernel: string;
  readonly driver: DriverName;
  /** wall-clock cap in seconds, both drivers */
  readonly durationS: number;
  /** simulated length in milliseconds at the modelled clock; null = until the wall-clock cap */
  readonly simMs: number | null;
  /** workload parameters (validated by the workload) */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** the scenario file that defined a kernel, workload mix or override used here */
  readonly scenario?: string;
  /** the variant's switches, when a scenario defines it (presets are found by name) */
  readonly variant?: KernelVariant;
  /** cost-table cycles a scenario overrides, by event name */
  readonly costOverrides?: Readonly<Record<string, number>>;
  readonly schedule: ScheduleConfig | null;
  readonly detect: DetectName;
}

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
} as const;

export const DEFAULTS = {
  workload: 'thp-split-vs-gup',
  arch: 's390',
  kernel: 'v4.5-rc1',
  cpus: 8,
  memMiB: 64,
  seed: 1,
  driver: 'parallel' as DriverName,
  slack: 20_000,
  durationS: 5,
  simMs: 2,
  watchdogMs: 5,
  schedule: 'delay' as ScheduleName,
  depth: 3,
  detect: 'kasan' as DetectName,
} as const;

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
export const defaultWatchdogMs = (cpus: number): number => Math.max(DEFAULTS.watchdogMs, (DEFAULTS.watchdogMs * cpus) / 16);

export const ARCH_DEFAULT_MEM_MIB: Readonly<Record<string, number>> = { ppc64: 256 };
export const defaultMemMiB = (arch: string): number => ARCH_DEFAULT_MEM_MIB[arch] ?? DEFAULTS.memMiB;

/** Where an arch's entry word cannot address LIMITS.memMiB.max: ppc64's pte keeps the RPN from bit 19 of one word. */
export const ARCH_MAX_MEM_MIB: Readonly<Record<string, number>> = { ppc64: 512 };
export const maxMemMiB = (arch: string): number => ARCH_MAX_MEM_MIB[arch] ?? LIMITS.memMiB.max;
