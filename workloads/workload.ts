// What a workload is: parameters with limits, a setup run once before the
// CPUs start (main thread), a program per CPU (in whichever thread runs that
// CPU), and a report read from shared memory after the run.
import type { Cpu, OopsRecord, Routine } from '../emulator/cpu.js';
import type { Kernel } from '../kernel-sim/kernel.js';

export interface IntParam {
  readonly type: 'int';
  /** the default; with perCpu, the default at 8 CPUs (for the listing) */
  readonly default: number;
  /** a share of the CPUs: the default is max(min, round(perCpu * cpus)) */
  readonly perCpu?: number;
  readonly min: number;
  readonly max: number;
  readonly description: string;
}

export type ParamSpec = IntParam;

/** A parameter's default on a machine of `cpus` CPUs. */
export const paramDefault = (spec: ParamSpec, cpus: number): number =>
  spec.perCpu === undefined ? spec.default : Math.max(spec.min, Math.round(spec.perCpu * cpus));
export type Params = Readonly<Record<string, number>>;

export interface Workload {
  readonly name: string;
  readonly description: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly minCpus: number;
  setup?(k: Kernel, p: Params): void;
  program(k: Kernel, cpu: Cpu, p: Params): Routine;
  report?(k: Kernel, p: Params): Record<string, unknown>;
  /** what the workload knows of an oops's cause (the race it names) */
  explain?(k: Kernel, oops: OopsRecord): Record<string, unknown>;
  /** explain() adds to the race an oops names itself (the collapse log says which table went, and how) */
  readonly explainsNamedRaces?: boolean;
}
