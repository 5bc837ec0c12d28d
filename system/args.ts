// Checks every run option and turns raw flag values into a RunConfig. Each
// mistake is reported with the flag's name and what it allows.
import { availableParallelism } from 'node:os';
import { ARCHES, DEFAULT_MACHINE, MACHINES, machinesOf } from '../arch/index.js';
import { KERNEL_VARIANTS } from '../kernel-sim/variants.js';
import { WORKLOADS } from '../workloads/index.js';
import { paramDefault } from '../workloads/workload.js';
import {
  defaultMemMiB, defaultWatchdogMs, DEFAULTS, DETECTS, DRIVERS, LIMITS, maxMemMiB, SCHEDULES, type DetectName, type DriverName, type RunConfig, type ScheduleConfig,
  type ScheduleName, type TimingConfig,
} from './config.js';
import type { Scenario } from './scenario.js';

import { UsageError } from './usage_error.js';
export { UsageError } from './usage_error.js';

export interface RawRunArgs {
  workload?: unknown;
  arch?: unknown;
  machine?: unknown;
  kernel?: unknown;
  cpus?: unknown;
  mem?: unknown;
  seed?: unknown;
  driver?: unknown;
  slack?: unknown;
  workers?: unknown;
  duration?: unknown;
  simMs?: unknown;
  param?: unknown;
  watchdog?: unknown;
  schedule?: unknown;
  depth?: unknown;
  noise?: unknown;
  steal?: unknown;
  hz?: unknown;
  detect?: unknown;
}

const list = (xs: readonly string[]): string => xs.join(', ');

function oneOf(flag: string, v: unknown, allowed: readonly string[]): string {
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new UsageError(`--${flag}: '${String(v)}' is not allowed; choose one of: ${list(allowed)}`);
  }
  return v;
}

function number(flag: string, v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`--${flag}: '${String(v)}' is not a number`);
  return n;
}

export function intIn(flag: string, v: unknown, min: number, max: number): number {
  const n = number(flag, v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag}: must be an integer from ${min} to ${max}, got ${String(v)}`);
  }
  return n;
}

function positive(flag: string, v: unknown, max: number): number {
  const n = number(flag, v);
  if (!(n > 0) || n > max) throw new UsageError(`--${flag}: must be a number greater than 0 and at most ${max}, got ${String(v)}`);
  return n;
}

function params(workload: string, cpus: number, v: unknown, preset: Readonly<Record<string, number>> = {}): Record<string, number> {
  const w = WORKLOADS[workload]!;
  const names = Object.keys(w.params);
  const out: Record<string, number> = {};
  for (const [k, spec] of Object.entries(w.params)) out[k] = preset[k] ?? paramDefault(spec, cpus);
  const items = v === undefined ? [] : Array.isArray(v) ? v : [v];
  for (const item of items) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(String(item));
    if (!m) throw new UsageError(`--param: '${String(item)}' is not NAME=VALUE`);
    const spec = w.params[m[1]!];
    if (!spec) {
      throw new UsageError(`--param: workload ${workload} has no parameter '${m[1]}'; it has: ${names.length ? list(names) : '(none)'}`);
    }
    out[m[1]!] = intIn(`param ${m[1]}`, m[2], spec.min, spec.max);
  }
  return out;
}

/**
 * Flags over the scenario's `run` defaults over the built-in ones. A scenario
 * adds its kernels and workload mixes to the names allowed, and its per-arch
 * machine and cost overrides to the run.
 */
/**
 * --noise on|off, --steal default|off|PERCENT[:MEAN_US], --hz N|off: each
 * defaults to what the machine and the arch's kernel config give.
 */
function timingOf(a: RawRunArgs, arch: string, machine: string): TimingConfig {
  const t = MACHINES.find((m) => m.name === machine)!.timing;
  const noise = a.noise ?? 'on';
  if (noise !== 'on' && noise !== 'off' && noise !== true && noise !== false) {
    throw new UsageError(`--noise: '${String(noise)}' is not allowed; choose one of: on, off`);
  }
  const s = a.steal ?? 'default';
  let steal: TimingConfig['steal'];
  if (s === 'default') steal = t.steal.percent > 0 ? { percent: t.steal.percent, meanUs: t.steal.meanUs } : null;
  else if (s === 'off') steal = null;
  else {
    const m = /^([0-9.]+)(?::([0-9.]+))?$/.exec(String(s));
    const percent = m ? Number(m[1]) : NaN;
    const meanUs = m?.[2] !== undefined ? Number(m[2]) : t.steal.meanUs || 20;
    if (!m || !(percent > 0) || percent > LIMITS.stealPercent.max || !(meanUs > 0) || meanUs > LIMITS.stealMeanUs.max) {
      throw new UsageError(`--steal: '${String(s)}' is not allowed; give default, off, or PERCENT[:MEAN_US] with PERCENT above 0 and at most ${LIMITS.stealPercent.max}, MEAN_US above 0 and at most ${LIMITS.stealMeanUs.max}`);
    }
    steal = { percent, meanUs };
  }
  const h = a.hz ?? 'default';
  const hz = h === 'off' ? null : h === 'default' ? ARCHES[arch]!.hz.value : intIn('hz', h, LIMITS.hz.min, LIMITS.hz.max);
  return { noise: noise === 'on' || noise === true, steal, hz };
}

/** --schedule and --depth: the deterministic driver's exploration; the parallel driver takes none. */
function scheduleOf(a: RawRunArgs, driver: DriverName, d: { schedule?: string; depth?: number }): ScheduleConfig | null {
  if (driver !== 'deterministic') {
    if (a.schedule !== undefined) throw new UsageError('--schedule: needs --driver deterministic (the parallel driver\'s interleaving comes from host thread timing)');
    if (a.depth !== undefined) throw new UsageError('--depth: needs --driver deterministic --schedule pct');
    return null;
  }
  const policy = oneOf('schedule', a.schedule ?? d.schedule ?? DEFAULTS.schedule, SCHEDULES) as ScheduleName;
  if (a.depth !== undefined && policy !== 'pct') throw new UsageError(`--depth: applies to --schedule pct only, not '${policy}'`);
  const depth = intIn('depth', a.depth ?? d.depth ?? DEFAULTS.depth, LIMITS.depth.min, LIMITS.depth.max);
  return { policy, depth };
}

/** --workers: the parallel driver's threads; by default one per host core, never more than CPUs. */
function workersOf(w: unknown, driver: DriverName, cpus: number): number | null {
  if (driver !== 'parallel') {
    if (w !== undefined) throw new UsageError('--workers: needs --driver parallel (the deterministic driver steps every CPU in one thread)');
    return null;
  }
  return w === undefined ? Math.min(cpus, availableParallelism()) : intIn('workers', w, 1, cpus);
}

export function validateRun(a: RawRunArgs, sc?: Scenario): RunConfig {
  const d = sc?.run ?? {};
  const mixes = sc?.workloads ?? {};
  const named = oneOf('workload', a.workload ?? d.workload?.[0] ?? DEFAULTS.workload, [...Object.keys(WORKLOADS), ...Object.keys(mixes)]);
  const mix = mixes[named];
  const workload = mix?.base ?? named;
  const arch = oneOf('arch', a.arch ?? d.arch?.[0] ?? DEFAULTS.arch, Object.keys(ARCHES));
  const over = sc?.arches[arch];
  const machine = oneOf('machine', a.machine ?? over?.machine ?? DEFAULT_MACHINE[arch], machinesOf(arch).map((m) => m.name));
  const scKernels = sc?.kernels ?? {};
  const kernel = oneOf('kernel', a.kernel ?? d.kernel?.[0] ?? DEFAULTS.kernel, [...KERNEL_VARIANTS.map((k) => k.name), ...Object.keys(scKernels)]);
  const minCpus = Math.max(LIMITS.cpus.min, WORKLOADS[workload]!.minCpus);
  const cpus = intIn('cpus', a.cpus ?? d.cpus ?? DEFAULTS.cpus, minCpus, LIMITS.cpus.max);
  const memMiB = intIn('mem', a.mem ?? d.mem ?? defaultMemMiB(arch), LIMITS.memMiB.min, maxMemMiB(arch));
  const seed = intIn('seed', a.seed ?? d.seed ?? DEFAULTS.seed, 0, 2 ** 32 - 1);
  const driver = oneOf('driver', a.driver ?? d.driver ?? DEFAULTS.driver, DRIVERS) as DriverName;
  const slack = a.slack === 'inf' || a.slack === Infinity
    ? Infinity
    : (() => {
        try { return intIn('slack', a.slack ?? DEFAULTS.slack, LIMITS.slack.min, LIMITS.slack.max); }
        catch { throw new UsageError(`--slack: must be 'inf' or an integer from ${LIMITS.slack.min} to ${LIMITS.slack.max} cycles, got ${String(a.slack)}`); }
      })();
  const workers = workersOf(a.workers, driver, cpus);
  const durationS = positive('duration', a.duration ?? d.duration ?? DEFAULTS.durationS, LIMITS.durationS.max);
  const simArg = a.simMs ?? d.simMs;
  const simMs = simArg === undefined
    ? (driver === 'deterministic' ? DEFAULTS.simMs : null)
    : positive('sim-ms', simArg, LIMITS.simMs.max);
  const watchdogMs = a.watchdog === 'off' ? null : positive('watchdog', a.watchdog ?? defaultWatchdogMs(cpus), LIMITS.simMs.max);
  const cfg: RunConfig = {
    workload, arch, machine, kernel, cpus, memMiB, seed, driver, slack, workers, durationS, simMs, watchdogMs,
    params: params(workload, cpus, a.param, mix?.params),
    timing: timingOf(a, arch, machine),
    schedule: scheduleOf(a, driver, {}),
    detect: oneOf('detect', a.detect ?? DEFAULTS.detect, DETECTS) as DetectName,
  };
  if (!sc) return cfg;
  return {
    ...cfg,
    scenario: sc.path,
    ...(scKernels[kernel] ? { variant: scKernels[kernel] } : {}),
    ...(over?.costs ? { costOverrides: over.costs } : {}),
  };
}

export function describeChoices(): Record<string, string[]> {
  return {
    workloads: Object.keys(WORKLOADS),
    arches: Object.keys(ARCHES),
    machines: MACHINES.map((m) => m.name),
    kernels: KERNEL_VARIANTS.map((k) => k.name),
  };
}
