// What a driver runs: a machine and how to bring up its CPUs. The layer that
// assembles a system (system/boot.ts) makes one; the drivers never see the
// kernel or the workload behind it.
import type { Cpu } from '../cpu.js';
import type { Machine } from '../machine.js';

export interface System {
  readonly machine: Machine;
  /** the modelled clock, GHz */
  readonly ghz: number;
  /** the arch's base page, bytes */
  readonly pageBytes: number;
  /** simulated CPU `id`, its program started */
  bootCpu(id: number): Cpu;
  /** whether `addr` is a page-table entry (what exploration policies watch) */
  isTableEntry(addr: number): boolean;
}
