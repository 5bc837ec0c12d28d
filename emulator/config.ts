// The configuration of one run: everything that, with the seed, replays it.

export type DriverName = 'parallel' | 'deterministic';
export const DRIVERS: readonly DriverName[] = ['parallel', 'deterministic'];

export type ParamValue = number | string | boolean;

/** Exploration policies of the deterministic driver (emulator/explore/). */
export type ScheduleName = 'time' | 'pct' | 'delay';
export const SCHEDULES: readonly ScheduleName[] = ['time', 'pct', 'delay'];

/** The seeded timing variation of a run (both drivers). */
export interface TimingConfig {
  /** every cost figure varies per access by the machine's spread */
  readonly noise: boolean;
  /** hypervisor steal: percent of the time, mean undispatch in us; null = none */
  readonly steal: { readonly percent: number; readonly meanUs: number } | null;
  /** timer ticks per second (CONFIG_HZ); null = none */
  readonly hz: number | null;
}

/** How the deterministic driver explores: a policy and its parameters; null under the parallel driver. */
export interface ScheduleConfig {
  readonly policy: ScheduleName;
  /** PCT's bug depth d: d-1 priority change points per run */
  readonly depth: number;
}

import type { KernelVariant } from '../kernel-sim/variants.js';

export interface RunConfig {
  readonly workload: string;
  readonly arch: string;
  /** cost table of the modelled machine, e.g. z13 */
  readonly machine: string;
  readonly kernel: string;
  readonly cpus: number;
  /** simulated physical memory in MiB */
  readonly memMiB: number;
  readonly seed: number;
  readonly driver: DriverName;
  /** cycles a CPU may run ahead of the slowest (parallel driver); Infinity = free-running */
  readonly slack: number;
  /** parallel driver: worker threads, each stepping a share of the CPUs; null for the deterministic driver */
  readonly workers: number | null;
  /** wall-clock cap in seconds, both drivers */
  readonly durationS: number;
  /** simulated length in milliseconds at the modelled clock; null = until the wall-clock cap */
  readonly simMs: number | null;
  /** lockup watchdog: simulated ms a CPU may busy-wait without a break; null = off */
  readonly watchdogMs: number | null;
  /** workload parameters (validated by the workload) */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** the scenario file that defined a kernel, workload mix or override used here */
  readonly scenario?: string;
  /** the variant's switches, when a scenario defines it (presets are found by name) */
  readonly variant?: KernelVariant;
  /** cost-table cycles a scenario overrides, by event name */
  readonly costOverrides?: Readonly<Record<string, number>>;
  readonly timing: TimingConfig;
  readonly schedule: ScheduleConfig | null;
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
} as const;

/**
 * The memory a run of an arch gets unless told otherwise, where DEFAULTS.memMiB
 * is too small: ppc64's THPs are 16 MiB (64 KiB pages), so 64 MiB holds three
 * allocator blocks besides the boot memory, which the first page tables and
 * base pages break up, and no THP ever forms. 256 MiB gives 15.
 */
export const ARCH_DEFAULT_MEM_MIB: Readonly<Record<string, number>> = { ppc64: 256 };
export const defaultMemMiB = (arch: string): number => ARCH_DEFAULT_MEM_MIB[arch] ?? DEFAULTS.memMiB;

/** Where an arch's entry word cannot address LIMITS.memMiB.max: ppc64's pte keeps the RPN from bit 19 of one word. */
export const ARCH_MAX_MEM_MIB: Readonly<Record<string, number>> = { ppc64: 512 };
export const maxMemMiB = (arch: string): number => ARCH_MAX_MEM_MIB[arch] ?? LIMITS.memMiB.max;
