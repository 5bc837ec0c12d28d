// Assembling a system: the machine told what to hold (the arch's page and
// line, the kernel's struct page), the simulated kernel and the workload on
// it. The main thread boots with setup (it allocates and lays out shared
// state); a worker attaches to the buffer the main thread made and boots just
// its CPUs.
import type { CostTable } from '../arch/arch.js';
import type { EventName } from '../emulator/events.js';
import { ARCHES, MACHINES } from '../arch/index.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { KERNEL_VARIANTS } from '../kernel-sim/variants.js';
import { WORKLOADS } from '../workloads/index.js';
import type { Params, Workload } from '../workloads/workload.js';
import type { RunConfig } from './config.js';
import type { Cpu } from '../emulator/cpu.js';
import type { System } from '../emulator/driver/system.js';
import { Machine, type MachineShape } from '../emulator/machine.js';
import { PAGE_WORDS } from '../kernel-sim/mm_types.js';

export interface Booted {
  /** the run this system was assembled for (the machine keeps its own part) */
  cfg: RunConfig;
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
  kernel.comm = cfg.workload;
  return { cfg, machine, kernel, workload, params: cfg.params as Params, costs };
}

/** What the machine holds: the arch's line and base page (an unknown arch is refused by resolve), the kernel's struct page. */
const shapeOf = (cfg: RunConfig): MachineShape => ({
  lineShift: costTable(cfg.machine).lineShift.cycles,
  pageShift: ARCHES[cfg.arch]?.pageShift ?? 12,
  pageWords: PAGE_WORDS,
});

/** Main thread: a new machine, its workload set up. */
export function bootMachine(cfg: RunConfig): Booted {
  const b = resolve(cfg, Machine.create(cfg, shapeOf(cfg)));
  b.kernel.boot({ kasan: cfg.detect === 'kasan' });
  b.workload.setup?.(b.kernel, b.params);
  return b;
}

/** A worker: the machine the main thread made. */
export function attachMachine(cfg: RunConfig, buffer: SharedArrayBuffer): Booted {
  return resolve(cfg, Machine.attach(cfg, buffer, shapeOf(cfg)));
}

/** Simulated CPU `id`, running its workload program. */
export function bootCpu(b: Booted, id: number): Cpu {
  const cpu = b.kernel.newCpu(id);
  cpu.start(b.workload.program(b.kernel, cpu, b.params));
  return cpu;
}

/** What the drivers run: the machine and how its CPUs come up. */
export function systemOf(b: Booted): System {
  return {
    machine: b.machine,
    ghz: b.costs.ghz,
    pageBytes: b.kernel.pageSize,
    bootCpu: (id) => bootCpu(b, id),
    isTableEntry: (addr) => b.kernel.isTableEntry(addr),
  };
}

/** The parallel driver's worker entry (compiled, beside this file under dist/). */
export const WORKER_ENTRY = new URL('./worker.js', import.meta.url);
