// What the machine itself is told about a run: its size, its seed, its timing
// and how it is driven. The layer that assembles a system (system/config.ts)
// extends this with the kernel, the workload and the rest of a run.

/** The seeded timing variation of a run (both drivers). */
export interface TimingConfig {
  /** every cost figure varies per access by the machine's spread */
  readonly noise: boolean;
  /** hypervisor steal: percent of the time, mean undispatch in us; null = none */
  readonly steal: { readonly percent: number; readonly meanUs: number } | null;
  /** timer ticks per second (CONFIG_HZ); null = none */
  readonly hz: number | null;
}

/** Exploration policies of the deterministic driver (emulator/explore/). */
export type ScheduleName = 'time' | 'pct' | 'delay';
export const SCHEDULES: readonly ScheduleName[] = ['time', 'pct', 'delay'];

/** How the deterministic driver explores: a policy and its parameters; null under the parallel driver. */
export interface ScheduleConfig {
  readonly policy: ScheduleName;
  /** PCT's bug depth d: d-1 priority change points per run */
  readonly depth: number;
}

export interface MachineConfig {
  readonly cpus: number;
  /** simulated physical memory in MiB */
  readonly memMiB: number;
  readonly seed: number;
  /** cost table of the modelled machine, e.g. z13 */
  readonly machine: string;
  /** cycles a CPU may run ahead of the slowest (parallel driver); Infinity = free-running */
  readonly slack: number;
  /** parallel driver: worker threads, each stepping a share of the CPUs; null for the deterministic driver */
  readonly workers: number | null;
  /** lockup watchdog: simulated ms a CPU may busy-wait without a break; null = off */
  readonly watchdogMs: number | null;
  readonly timing: TimingConfig;
}
