// Bringing up a machine's simulated kernel and CPUs in one thread. The main
// thread boots with setup (it allocates and lays out shared state); a worker
// attaches to the buffer the main thread made and boots just its CPU.
import type { CostTable } from '../../arch/arch.js';
import type { EventName } from '../events.js';
import { ARCHES, MACHINES } from '../../arch/index.js';
import { Kernel } from '../../kernel-sim/kernel.js';
import { KERNEL_VARIANTS } from '../../kernel-sim/variants.js';
import { WORKLOADS } from '../../workloads/index.js';
import type { Params, Workload } from '../../workloads/workload.js';
import type { RunConfig } from '../config.js';
import type { Cpu } from '../cpu.js';
import { Machine } from '../machine.js';

export interface Booted {
  machine: Machine;
  kernel: Kernel;
  workload: Workload;
  params: Params;
  costs: CostTable;
}

export function costTable(name: string): CostTable {
  const t = MACHINES.find((m) => m.name === name);
  if (!t) throw new Error(`unknown machine '${name}'`);
  return t;
}

/** A scenario's cost overrides on top of a table, each row saying where it came from. */
function withOverrides(t: CostTable, o: RunConfig['costOverrides']): CostTable {
  if (!o || Object.keys(o).length === 0) return t;
  const rows = { ...t.rows };
  for (const [k, cycles] of Object.entries(o)) rows[k as EventName] = { ...t.rows[k as EventName], cycles, source: `scenario override (table: ${t.rows[k as EventName].cycles})` };
  return { ...t, name: `${t.name}+overrides`, rows };
}

function resolve(cfg: RunConfig, machine: Machine): Booted {
  const arch = ARCHES[cfg.arch];
  const workload = WORKLOADS[cfg.workload];
  if (!arch || !workload) throw new Error(`unknown arch '${cfg.arch}' or workload '${cfg.workload}'`);
  const costs = withOverrides(costTable(cfg.machine), cfg.costOverrides);
  const variant = cfg.variant ?? KERNEL_VARIANTS.find((v) => v.name === cfg.kernel);
  if (!variant) throw new Error(`unknown kernel '${cfg.kernel}'`);
  const kernel = new Kernel(machine, arch, costs, variant);
  return { machine, kernel, workload, params: cfg.params as Params, costs };
}

/** The arch's base page, which sizes the struct page array (an unknown arch is refused by resolve). */
const pageShiftOf = (cfg: RunConfig): number => ARCHES[cfg.arch]?.pageShift ?? 12;

/** Main thread: a new machine, its workload set up. */
export function bootMachine(cfg: RunConfig): Booted {
  const b = resolve(cfg, Machine.create(cfg, costTable(cfg.machine).lineShift.cycles, pageShiftOf(cfg)));
  b.kernel.boot();
  b.workload.setup?.(b.kernel, b.params);
  return b;
}

/** A worker: the machine the main thread made. */
export function attachMachine(cfg: RunConfig, buffer: SharedArrayBuffer): Booted {
  return resolve(cfg, Machine.attach(cfg, buffer, costTable(cfg.machine).lineShift.cycles, pageShiftOf(cfg)));
}

/** Simulated CPU `id`, running its workload program. */
export function bootCpu(b: Booted, id: number): Cpu {
  const cpu = b.kernel.newCpu(id);
  cpu.start(b.workload.program(b.kernel, cpu, b.params));
  return cpu;
}
