// s390emu bench races: how fast each exploration policy finds a race. For
// every race and policy, a search per seed: runs of the deterministic driver
// (run seeds s, s + 10, s + 20, ...) until one crashes or the host budget is
// spent; the figures are runs and host seconds to the first crash, median over
// the seeds. Races that must stay clean (controls) are searched the same way:
// a crash there is a search that invents races.
import { fileURLToPath } from 'node:url';
import { run } from '../system/run.js';
import { loadScenario } from '../system/scenario.js';
import { validateRun } from '../system/args.js';
import { isInterrupted } from '../emulator/interrupt.js';
/** The kernels and mixes the races use beyond the presets. */
export const RACES_SCENARIO = fileURLToPath(new URL('../../scenarios/races.json', import.meta.url));
export const RACES = [
    { name: 'wide', arch: 's390', kernel: 'v4.5-rc1', workload: 'thp-split-vs-gup', crashes: true, why: '2016: a stale huge TLB entry lives for milliseconds' },
    { name: 'narrow', arch: 's390', kernel: 'v4.5-after-flush', workload: 'munmap-only', crashes: true, why: 'fast_gup between its pmd and pte loads while munmap frees the table (IDTE waits for no one)' },
    { name: 'narrow-arm64', arch: 'arm64', kernel: 'v4.5-after-flush', workload: 'munmap-only', crashes: true, why: 'the same on arm64: TLBI ...IS waits for no one (why arm64 selects HAVE_RCU_TABLE_FREE, 5e5f6dc10546)' },
    { name: 'control-rcu', arch: 's390', kernel: 'v4.5', workload: 'munmap-only', crashes: false, why: 'tlb_remove_table waits for the interrupts-off walker' },
    { name: 'control-x86', arch: 'x86', kernel: 'v4.5-after-flush', workload: 'munmap-only', crashes: false, why: "x86's flush IPI waits for the interrupts-off walker" },
];
const median = (xs) => {
    if (xs.length === 0)
        return null;
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** One seed's search: runs until a crash or the budget is spent. */
export async function search(race, policy, seed, o, sc) {
    let runs = 0;
    let host = 0;
    let decisions = 0;
    while (host < o.budgetS && !isInterrupted()) {
        const runSeed = seed + 10 * runs;
        const r = await run(validateRun({
            arch: race.arch, kernel: race.kernel, workload: race.workload, driver: 'deterministic', schedule: policy,
            seed: runSeed, simMs: o.simMs, duration: Math.max(60, o.budgetS),
        }, sc));
        if (r.internalError)
            throw new Error(`${race.name} ${policy} seed ${runSeed}: ${r.internalError.message}`);
        runs++;
        host += r.hostSeconds;
        decisions += r.schedule?.decisions ?? 0;
        if (r.crashed)
            return { seed, crashed: true, runs, hostSeconds: host, runSeed, oops: `${r.oops.kind}: ${r.oops.message}`, decisions };
    }
    return { seed, crashed: false, runs, hostSeconds: host, decisions };
}
export function benchRacesPlan(o) {
    return o.races.length * o.policies.length * o.seeds;
}
export async function benchRaces(o, tick) {
    const t0 = performance.now();
    const sc = loadScenario(RACES_SCENARIO);
    const rows = [];
    for (const name of o.races) {
        const race = RACES.find((r) => r.name === name);
        for (const policy of o.policies) {
            const searches = [];
            for (let seed = 1; seed <= o.seeds && !isInterrupted(); seed++) {
                searches.push(await search(race, policy, seed, o, sc));
                tick(`${race.name} ${policy}`);
            }
            const hit = searches.filter((s) => s.crashed);
            rows.push({
                race: race.name, arch: race.arch, kernel: race.kernel, workload: race.workload, expect: race.crashes ? 'crash' : 'clean', policy,
                seeds: searches.length, crashedSeeds: hit.length,
                medianRuns: median(hit.map((s) => s.runs)), medianHostSeconds: median(hit.map((s) => s.hostSeconds)),
                runs: searches.reduce((n, s) => n + s.runs, 0), decisions: searches.reduce((n, s) => n + s.decisions, 0), searches,
            });
        }
    }
    return { options: o, rows, hostSeconds: (performance.now() - t0) / 1000 };
}
export function benchRacesTable(r) {
    const head = ['race', 'arch', 'kernel', 'workload', 'policy', 'expect', 'seeds crashed', 'runs to crash', 'host s to crash', 'runs', 'decisions'];
    const body = r.rows.map((x) => [
        x.race, x.arch, x.kernel, x.workload, x.policy, x.expect, `${x.crashedSeeds}/${x.seeds}`,
        x.medianRuns === null ? '-' : String(x.medianRuns), x.medianHostSeconds === null ? '-' : x.medianHostSeconds.toFixed(1),
        String(x.runs), String(x.decisions),
    ]);
    const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells) => cells.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
    const o = r.options;
    const wrong = r.rows.filter((x) => (x.expect === 'clean' ? x.crashedSeeds > 0 : false));
    return [
        `bench races: ${o.seeds} seeds, a search per seed of ${o.simMs} ms runs until a crash or ${o.budgetS} s of host time; medians over the seeds that crashed`,
        line(head), ...body.map(line),
        ...wrong.map((x) => `${x.race} (${x.policy}) crashed, and must not: ${x.searches.find((s) => s.crashed).oops}`),
    ].join('\n');
}
//# sourceMappingURL=races.js.map