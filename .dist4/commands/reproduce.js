import { HISTORY } from './history.js';
import { isInterrupted } from '../emulator/interrupt.js';
import { oopsReport } from './report.js';
import { run } from '../system/run.js';
import { validateRun } from '../system/args.js';
const median = (xs) => {
    if (!xs.length)
        return null;
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export async function reproduce(o, say) {
    const rows = [];
    for (const h of HISTORY) {
        const times = [];
        const sim = [];
        let first = null;
        for (let seed = 1; seed <= o.seeds && !isInterrupted(); seed++) {
            const cfg = validateRun({
                workload: 'thp-split-vs-gup', arch: h.arch, kernel: h.kernel, cpus: o.cpus, seed, driver: o.driver,
                duration: o.durationS,
            });
            const r = await run(cfg);
            if (r.interrupted)
                break;
            if (r.internalError)
                throw new Error(`internal error on CPU ${r.internalError.cpu}: ${r.internalError.message}`);
            if (r.crashed) {
                times.push(r.hostSeconds);
                sim.push(r.simulatedMicroseconds);
                first ??= r;
            }
            if (!o.json) {
                say(`${h.arch} ${h.kernel} seed ${seed}: ${r.crashed ? `crashed after ${r.hostSeconds.toFixed(2)} s (${r.simulatedMicroseconds.toFixed(0)} us simulated): ${r.oops.kind}` : `no crash in ${r.hostSeconds.toFixed(1)} s`}`);
                if (r.crashed && rows.length === 0 && first === r)
                    say(oopsReport(r));
            }
        }
        if (isInterrupted())
            break;
        rows.push({
            arch: h.arch, kernel: h.kernel, runs: o.seeds, crashes: times.length,
            medianSecondsToCrash: median(times), medianSimulatedUsToCrash: median(sim),
            history: h.history, historyCrashed: h.crashed, agrees: (times.length > 0) === h.crashed,
            firstOops: first?.oops ?? null, replay: first?.replay ?? null,
        });
    }
    return rows;
}
export function reproduceTable(rows) {
    const head = ['configuration', 'runs', 'crashes', 'median time to crash', 'history', 'agrees'];
    const body = rows.map((r) => [
        `${r.arch} ${r.kernel}`, String(r.runs), String(r.crashes),
        r.medianSecondsToCrash === null ? '-' : `${r.medianSecondsToCrash.toFixed(2)} s (${r.medianSimulatedUsToCrash.toFixed(0)} us sim)`,
        r.history, r.agrees ? 'yes' : 'NO',
    ]);
    const all = [head, ...body];
    const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    return all.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()).join('\n');
}
//# sourceMappingURL=reproduce.js.map