// What a workload is: parameters with limits, a setup run once before the
// CPUs start (main thread), a program per CPU (in whichever thread runs that
// CPU), and a report read from shared memory after the run.
import type { Cpu, OopsRecord, Routine } from '../emulator/cpu.js';
import type { Kernel } from '../kernel-sim/kernel.js';

export interface IntParam {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly description: string;
}

export type ParamSpec = IntParam;
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
}
