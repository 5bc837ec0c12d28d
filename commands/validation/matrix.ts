// The validation matrix: arches x kernels x workloads x seeds, cut into jobs
// in one fixed order so that any shard of it, and any merge of shards, names
// the same runs. A cell's figures are computed from its runs alone, by one
// function, whether the runs came from one process or from many.
import type { DetectName } from '../../system/config.js';
import type { DriverName, ScheduleName, RunConfig } from '../../system/config.js';
import type { RunResult } from '../../system/run.js';
import type { Expectation, Scenario } from '../../system/scenario.js';
import { validateRun } from '../../system/args.js';
import { crashRate, spread, type RateInterval, type Spread } from './stats.js';

export interface MatrixSpec {
  readonly arches: readonly string[];
  readonly kernels: readonly string[];
  readonly workloads: readonly string[];
  /** seeds firstSeed .. firstSeed + seeds - 1 per cell */
  readonly seeds: number;
  readonly firstSeed: number;
  readonly driver: DriverName;
  readonly cpus: number;
  /** null: each arch's default */
  readonly memMiB: number | null;
  readonly durationS: number;
  readonly simMs: number | null;
  /** the scenario file that defines names used here, or null */
  readonly scenario: string | null;
  /** the exploration policy of every run (deterministic driver), null under the parallel driver */
  readonly schedule?: { readonly policy: ScheduleName; readonly depth: number } | null;
  /**
   * The cells themselves, where the matrix is an expectation list's rows
   * (`validate --expect history`) rather than arches x kernels x workloads;
   * a cell's simMs, if given, is its runs' simulated length.
   */
  readonly cells?: readonly CellSpec[];
  /** what reports a crash, an axis of its own (--detect); absent in reports from before it: kasan */
  readonly detects?: readonly DetectName[];
}

export interface CellSpec {
  readonly arch: string;
  readonly kernel: string;
  readonly workload: string;
  readonly simMs?: number;
  readonly detect?: DetectName;
}

/** The matrix's cells in its fixed order: the given list, else arch-major, then kernel, workload. */
export function cellSpecsOf(spec: MatrixSpec): CellSpec[] {
  const base: CellSpec[] = [];
  if (spec.cells) base.push(...spec.cells);
  else for (const arch of spec.arches) for (const kernel of spec.kernels) for (const workload of spec.workloads) base.push({ arch, kernel, workload });
  // each detection mode is a copy of the matrix (one mode: the cells as they were)
  const detects = spec.detects ?? ['kasan'];
  return detects.flatMap((detect) => base.map((c) => ({ ...c, detect })));
}

/** A run's detection mode (records from before --detect: kasan). */
export const detectOf = (x: { detect?: DetectName }): DetectName => x.detect ?? 'kasan';

export interface Job {
  readonly index: number;
  readonly arch: string;
  readonly kernel: string;
  readonly workload: string;
  readonly seed: number;
  /** the cell's own simulated length (MatrixSpec.cells) */
  readonly simMs?: number;
  readonly detect?: DetectName;
}

/** What a validation keeps of one run. */
export interface RunRecord extends Job {
  readonly crashed: boolean;
  /** stopped by the wall-clock cap before its simulated length */
  readonly truncated: boolean;
  readonly simulatedUs: number;
  readonly hostSeconds: number;
  readonly eventHash: string | null;
  readonly oops: { kind: string; cpu: number; message: string; clock: number; function?: string } | null;
  readonly internalError: string | null;
  readonly replay: string;
  /** the exploration policy's decisions (stalls) in this run */
  readonly decisions?: number;
}

export interface Symptom {
  readonly kind: string;
  readonly function: string;
  readonly runs: number;
}

export interface FirstOops {
  readonly kind: string;
  readonly seed: number;
  readonly cpu: number;
  readonly message: string;
  readonly replay: string;
}

export interface Cell {
  readonly arch: string;
  readonly kernel: string;
  readonly workload: string;
  /** --detect kernel; absent: kasan */
  readonly detect?: DetectName;
  readonly runs: number;
  readonly crashes: number;
  readonly truncated: number;
  readonly crashRate: RateInterval;
  readonly timeToCrash: { readonly simulatedUs: Spread | null; readonly hostSeconds: Spread | null };
  /** the lowest seed's oops of each kind */
  readonly firstOops: readonly FirstOops[];
  /** how often each first symptom came up: the check that fired and the function it fired in, most runs first */
  readonly symptoms: readonly Symptom[];
  readonly expected: { readonly crashes: boolean; readonly why: string; readonly agrees: boolean } | null;
  /** what the runs explored: the policy and its decisions over all runs of the cell */
  readonly explored?: { readonly policy: string; readonly depth?: number; readonly decisions: number };
}

/** Every job of the matrix, cell by cell (cellSpecsOf), then seed. */
export function jobsOf(spec: MatrixSpec): Job[] {
  const jobs: Job[] = [];
  for (const { arch, kernel, workload, simMs, detect } of cellSpecsOf(spec)) {
    for (let s = 0; s < spec.seeds; s++) {
      jobs.push({ index: jobs.length, arch, kernel, workload, seed: spec.firstSeed + s, ...(simMs === undefined ? {} : { simMs }), ...(detect === 'kasan' ? {} : { detect }) });
    }
  }
  return jobs;
}

/** The K-th (1-based) of N slices: every N-th job, so slow and fast cells spread over all shards. */
export function shardJobs(jobs: readonly Job[], k: number, n: number): Job[] {
  return jobs.filter((j) => j.index % n === k - 1);
}

export function configOf(spec: MatrixSpec, job: Job, sc?: Scenario): RunConfig {
  return validateRun({
    arch: job.arch, kernel: job.kernel, workload: job.workload, seed: job.seed, driver: spec.driver,
    cpus: spec.cpus, mem: spec.memMiB ?? undefined, duration: spec.durationS, simMs: job.simMs ?? spec.simMs ?? undefined, detect: detectOf(job),
    ...(spec.schedule ? { schedule: spec.schedule.policy, ...(spec.schedule.policy === 'pct' ? { depth: spec.schedule.depth } : {}) } : {}),
  }, sc);
}

/** Frames that report a check rather than make it: the symptom's function is the one below them. */
const REPORTERS = new Set(['kasan_report', 'VM_BUG_ON_PAGE', 'bad_page', 'die', 'oops']);

/** Where an oops fired: the innermost frame of its call trace that is not a reporter. */
export function firedIn(trace: readonly string[]): string {
  for (let i = trace.length - 1; i >= 0; i--) if (!REPORTERS.has(trace[i]!)) return trace[i]!.split(' ')[0] === 'user' ? 'user access' : trace[i]!;
  return '(no kernel frame)';
}

export function recordOf(job: Job, r: RunResult): RunRecord {
  return {
    ...job,
    crashed: r.crashed,
    truncated: r.truncated,
    simulatedUs: r.simulatedMicroseconds,
    hostSeconds: r.hostSeconds,
    eventHash: r.eventHash,
    oops: r.oops ? { kind: r.oops.kind, cpu: r.oops.cpu, message: r.oops.message, clock: r.oops.clock, function: firedIn(r.oops.trace) } : null,
    internalError: r.internalError ? `CPU ${r.internalError.cpu}: ${r.internalError.message}` : null,
    replay: r.replay,
    ...(r.schedule ? { decisions: r.schedule.decisions } : {}),
  };
}

function expectationFor(list: readonly Expectation[], arch: string, kernel: string, workload: string): Expectation | undefined {
  return list.find((e) => e.arch === arch && e.kernel === kernel && (e.workload === undefined || e.workload === workload));
}

function symptomsOf(crashed: readonly RunRecord[]): Symptom[] {
  const n = new Map<string, Symptom>();
  for (const r of crashed) {
    const fn = r.oops!.function ?? '?';
    const key = `${r.oops!.kind}\u0000${fn}`;
    const was = n.get(key);
    n.set(key, { kind: r.oops!.kind, function: fn, runs: (was?.runs ?? 0) + 1 });
  }
  return [...n.values()].sort((a, b) => b.runs - a.runs || a.kind.localeCompare(b.kind) || a.function.localeCompare(b.function));
}

/** The cells of `spec` from its runs, in matrix order. */
export function cellsOf(spec: MatrixSpec, runs: readonly RunRecord[], expect: readonly Expectation[]): Cell[] {
  const cells: Cell[] = [];
  for (const { arch, kernel, workload, detect } of cellSpecsOf(spec)) {
    const mine = runs.filter((r) => r.arch === arch && r.kernel === kernel && r.workload === workload && detectOf(r) === detect).sort((a, b) => a.seed - b.seed);
    if (mine.length === 0) continue;
    const crashed = mine.filter((r) => r.crashed);
    const first = new Map<string, FirstOops>();
    for (const r of crashed) {
      if (!first.has(r.oops!.kind)) first.set(r.oops!.kind, { kind: r.oops!.kind, seed: r.seed, cpu: r.oops!.cpu, message: r.oops!.message, replay: r.replay });
    }
    const e = expectationFor(expect, arch, kernel, workload);
    cells.push({
      arch, kernel, workload,
      ...(detect === 'kasan' ? {} : { detect }),
      runs: mine.length,
      crashes: crashed.length,
      truncated: mine.filter((r) => r.truncated).length,
      crashRate: crashRate(crashed.length, mine.length),
      timeToCrash: { simulatedUs: spread(crashed.map((r) => r.simulatedUs)), hostSeconds: spread(crashed.map((r) => r.hostSeconds)) },
      firstOops: [...first.values()],
      symptoms: symptomsOf(crashed),
      expected: e ? { crashes: e.crashes, why: e.why ?? '', agrees: (crashed.length > 0) === e.crashes } : null,
      ...(spec.schedule ? {
        explored: {
          policy: spec.schedule.policy, ...(spec.schedule.policy === 'pct' ? { depth: spec.schedule.depth } : {}),
          decisions: mine.reduce((n, r) => n + (r.decisions ?? 0), 0),
        },
      } : {}),
    });
  }
  return cells;
}
