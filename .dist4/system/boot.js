import { ARCHES, MACHINES } from '../arch/index.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { KERNEL_VARIANTS } from '../kernel-sim/variants.js';
import { WORKLOADS } from '../workloads/index.js';
import { Machine } from '../emulator/machine.js';
import { PAGE_WORDS } from '../kernel-sim/mm_types.js';
export function costTable(name) {
    const t = MACHINES.find((m) => m.name === name);
    if (!t)
        throw new Error(`unknown machine '${name}'`);
    return t;
}
/** A scenario's cost overrides on top of a table, each row saying where it came from. */
function withOverrides(t, o) {
    if (!o || Object.keys(o).length === 0)
        return t;
    const rows = { ...t.rows };
    for (const [k, cycles] of Object.entries(o))
        rows[k] = { ...t.rows[k], cycles, source: `scenario override (table: ${t.rows[k].cycles})` };
    return { ...t, name: `${t.name}+overrides`, rows };
}
function resolve(cfg, machine) {
    const arch = ARCHES[cfg.arch];
    const workload = WORKLOADS[cfg.workload];
    if (!arch || !workload)
        throw new Error(`unknown arch '${cfg.arch}' or workload '${cfg.workload}'`);
    const costs = withOverrides(costTable(cfg.machine), cfg.costOverrides);
    const variant = cfg.variant ?? KERNEL_VARIANTS.find((v) => v.name === cfg.kernel);
    if (!variant)
        throw new Error(`unknown kernel '${cfg.kernel}'`);
    const kernel = new Kernel(machine, arch, costs, variant);
    return { cfg, machine, kernel, workload, params: cfg.params, costs };
}
/** What the machine holds: the arch's line and base page (an unknown arch is refused by resolve), the kernel's struct page. */
const shapeOf = (cfg) => ({
    lineShift: costTable(cfg.machine).lineShift.cycles,
    pageShift: ARCHES[cfg.arch]?.pageShift ?? 12,
    pageWords: PAGE_WORDS,
});
/** Main thread: a new machine, its workload set up. */
export function bootMachine(cfg) {
    const b = resolve(cfg, Machine.create(cfg, shapeOf(cfg)));
    b.kernel.boot();
    b.workload.setup?.(b.kernel, b.params);
    return b;
}
/** A worker: the machine the main thread made. */
export function attachMachine(cfg, buffer) {
    return resolve(cfg, Machine.attach(cfg, buffer, shapeOf(cfg)));
}
/** Simulated CPU `id`, running its workload program. */
export function bootCpu(b, id) {
    const cpu = b.kernel.newCpu(id);
    cpu.start(b.workload.program(b.kernel, cpu, b.params));
    return cpu;
}
/** What the drivers run: the machine and how its CPUs come up. */
export function systemOf(b) {
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
//# sourceMappingURL=boot.js.map