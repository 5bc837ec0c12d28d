/** A parameter's default on a machine of `cpus` CPUs. */
export const paramDefault = (spec, cpus) => spec.perCpu === undefined ? spec.default : Math.max(spec.min, Math.round(spec.perCpu * cpus));
//# sourceMappingURL=workload.js.map