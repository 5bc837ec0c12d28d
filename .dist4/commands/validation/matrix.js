import { validateRun } from '../../system/args.js';
import { crashRate, spread } from './stats.js';
/** Every job of the matrix, arch-major, then kernel, workload, seed. */
export function jobsOf(spec) {
    const jobs = [];
    for (const arch of spec.arches) {
        for (const kernel of spec.kernels) {
            for (const workload of spec.workloads) {
                for (let s = 0; s < spec.seeds; s++)
                    jobs.push({ index: jobs.length, arch, kernel, workload, seed: spec.firstSeed + s });
            }
        }
    }
    return jobs;
}
/** The K-th (1-based) of N slices: every N-th job, so slow and fast cells spread over all shards. */
export function shardJobs(jobs, k, n) {
    return jobs.filter((j) => j.index % n === k - 1);
}
export function configOf(spec, job, sc) {
    return validateRun({
        arch: job.arch, kernel: job.kernel, workload: job.workload, seed: job.seed, driver: spec.driver,
        cpus: spec.cpus, mem: spec.memMiB ?? undefined, duration: spec.durationS, simMs: spec.simMs ?? undefined,
        ...(spec.schedule ? { schedule: spec.schedule.policy, ...(spec.schedule.policy === 'pct' ? { depth: spec.schedule.depth } : {}) } : {}),
    }, sc);
}
export function recordOf(job, r) {
    return {
        ...job,
        crashed: r.crashed,
        truncated: r.truncated,
        simulatedUs: r.simulatedMicroseconds,
        hostSeconds: r.hostSeconds,
        eventHash: r.eventHash,
        oops: r.oops ? { kind: r.oops.kind, cpu: r.oops.cpu, message: r.oops.message, clock: r.oops.clock } : null,
        internalError: r.internalError ? `CPU ${r.internalError.cpu}: ${r.internalError.message}` : null,
        replay: r.replay,
        ...(r.schedule ? { decisions: r.schedule.decisions } : {}),
    };
}
function expectationFor(list, arch, kernel, workload) {
    return list.find((e) => e.arch === arch && e.kernel === kernel && (e.workload === undefined || e.workload === workload));
}
/** The cells of `spec` from its runs, in matrix order. */
export function cellsOf(spec, runs, expect) {
    const cells = [];
    for (const arch of spec.arches) {
        for (const kernel of spec.kernels) {
            for (const workload of spec.workloads) {
                const mine = runs.filter((r) => r.arch === arch && r.kernel === kernel && r.workload === workload).sort((a, b) => a.seed - b.seed);
                if (mine.length === 0)
                    continue;
                const crashed = mine.filter((r) => r.crashed);
                const first = new Map();
                for (const r of crashed) {
                    if (!first.has(r.oops.kind))
                        first.set(r.oops.kind, { kind: r.oops.kind, seed: r.seed, cpu: r.oops.cpu, message: r.oops.message, replay: r.replay });
                }
                const e = expectationFor(expect, arch, kernel, workload);
                cells.push({
                    arch, kernel, workload,
                    runs: mine.length,
                    crashes: crashed.length,
                    truncated: mine.filter((r) => r.truncated).length,
                    crashRate: crashRate(crashed.length, mine.length),
                    timeToCrash: { simulatedUs: spread(crashed.map((r) => r.simulatedUs)), hostSeconds: spread(crashed.map((r) => r.hostSeconds)) },
                    firstOops: [...first.values()],
                    expected: e ? { crashes: e.crashes, why: e.why ?? '', agrees: (crashed.length > 0) === e.crashes } : null,
                    ...(spec.schedule ? {
                        explored: {
                            policy: spec.schedule.policy, ...(spec.schedule.policy === 'pct' ? { depth: spec.schedule.depth } : {}),
                            decisions: mine.reduce((n, r) => n + (r.decisions ?? 0), 0),
                        },
                    } : {}),
                });
            }
        }
    }
    return cells;
}
//# sourceMappingURL=matrix.js.map