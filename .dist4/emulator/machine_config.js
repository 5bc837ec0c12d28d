// What the machine itself is told about a run: its size, its seed, its timing
// and how it is driven. The layer that assembles a system (system/config.ts)
// extends this with the kernel, the workload and the rest of a run.
export const SCHEDULES = ['time', 'pct', 'delay'];
//# sourceMappingURL=machine_config.js.map