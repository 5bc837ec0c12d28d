// `s390emu bench ipi`: what kick_all_cpus_sync() and
// smp_call_function_single() cost in simulated cycles as CPUs grow, idle and
// with CPUs held interrupts-off; what kick_all_cpus_sync() in
// pmdp_invalidate() costs thp-split-vs-gup; and the emulator's own host cost
// per simulated IPI. Every run uses the deterministic driver, so the same
// seeds give the same simulated figures on any host.
import { DEFAULT_MACHINE } from '../arch/index.js';
import { costTable } from '../system/boot.js';
import { isInterrupted } from '../emulator/interrupt.js';
import { run } from '../system/run.js';
import { validateRun } from '../system/args.js';
const quantile = (xs, q) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
/** The configurations the fix comparison runs: the address-fixed kernel with and without the kick, and v4.4's IPI. */
const FIX_KERNELS = { s390: ['v4.4', 'v4.5', 'v4.5+kick'], x86: ['v4.5'] };
/** what each price is measured against: the address-fixed kernel without the kick */
const FIX_BASELINE = { s390: 'v4.5' };
const FIGURES = ['splitsPerSecond', 'gupPagesPerSecond', 'ipiCycleShare'];
export function benchPlan(o) {
    const lat = o.arches.length * o.cpus.filter((c) => c > 0).length * 2 * o.held.length * o.seeds;
    const fix = o.arches.reduce((a, arch) => a + (FIX_KERNELS[arch]?.length ?? 0), 0) * o.fixSeeds;
    return lat + fix;
}
export async function benchIpi(o, tick) {
    const t0 = performance.now();
    const latency = [];
    for (const arch of o.arches) {
        const machine = DEFAULT_MACHINE[arch];
        const ghz = costTable(machine).ghz;
        for (const cpus of o.cpus) {
            for (const mode of [0, 1]) {
                for (const held of o.held) {
                    if (held >= cpus)
                        continue; // CPU 0 makes the calls
                    const samples = [];
                    let host = 0;
                    for (let seed = 1; seed <= o.seeds; seed++) {
                        if (isInterrupted())
                            return { options: o, hold: o.hold, latency, fixes: [], hostSeconds: (performance.now() - t0) / 1000 };
                        const r = await run(validateRun({
                            // a price, not a search: the machine's own noise and steal, no exploration stalls
                            workload: 'ipi-latency', arch, cpus, seed, driver: 'deterministic', schedule: 'time', simMs: 60_000, duration: 600,
                            param: [`mode=${mode}`, `held=${held}`, `calls=${o.calls}`, `hold=${o.hold}`],
                        }));
                        if (r.internalError || r.crashed || r.truncated) {
                            throw new Error(`ipi-latency ${arch} ${cpus} CPUs mode ${mode} held ${held} seed ${seed} did not finish cleanly`);
                        }
                        samples.push(...r.workload.latencyCycles);
                        host += r.hostSeconds;
                        tick();
                    }
                    const ipis = samples.length * (mode === 0 ? cpus - 1 : 1);
                    const med = quantile(samples, 0.5);
                    const p99 = quantile(samples, 0.99);
                    latency.push({
                        arch, machine, cpus, call: mode === 0 ? 'kick_all_cpus_sync' : 'smp_call_function_single', held,
                        samples: samples.length, medianCycles: med, p99Cycles: p99,
                        medianUs: med / (ghz * 1000), p99Us: p99 / (ghz * 1000), hostNsPerIpi: (host * 1e9) / ipis,
                    });
                }
            }
        }
    }
    const fixes = [];
    // loaded here: the statistics library takes a noticeable part of a second to load, and only this needs it
    const { meanInterval, welch } = await import('./price_stats.js');
    for (const arch of o.arches) {
        const perRun = {};
        for (const kernel of FIX_KERNELS[arch] ?? []) {
            let crashes = 0;
            const runs = { splitsPerSecond: [], gupPagesPerSecond: [], ipiCycleShare: [] };
            for (let seed = 1; seed <= o.fixSeeds; seed++) {
                if (isInterrupted())
                    return { options: o, hold: o.hold, latency, fixes, hostSeconds: (performance.now() - t0) / 1000 };
                const r = await run(validateRun({
                    workload: 'thp-split-vs-gup', arch, kernel, cpus: 8, seed, driver: 'deterministic', schedule: 'time', simMs: o.fixSimMs, duration: 600,
                }));
                if (r.internalError)
                    throw new Error(`thp-split-vs-gup ${arch} ${kernel}: ${r.internalError.message}`);
                if (r.crashed)
                    crashes++;
                const ev = r.workload.vmEvents;
                const simS = r.simulatedMicroseconds / 1e6;
                let ipiCycles = 0, allCycles = 0;
                for (const c of r.cpus) {
                    const by = c.cyclesByEvent;
                    ipiCycles += (by.csd_wait ?? 0) + (by.sigp ?? 0) + (by.ipi_send ?? 0) + c.handlerCycles;
                    allCycles += c.cycles;
                }
                // one figure per run: the runs are the samples the intervals and tests are over
                runs.splitsPerSecond.push(ev.thp_split_pmd / simS);
                runs.gupPagesPerSecond.push((ev.gup_fast_pages + ev.gup_slow_pages) / simS);
                runs.ipiCycleShare.push(ipiCycles / allCycles);
                tick();
            }
            perRun[kernel] = runs;
            const intervals = {
                splitsPerSecond: meanInterval(runs.splitsPerSecond),
                gupPagesPerSecond: meanInterval(runs.gupPagesPerSecond),
                ipiCycleShare: meanInterval(runs.ipiCycleShare),
            };
            fixes.push({
                arch, kernel, runs: o.fixSeeds, crashes,
                splitsPerSecond: intervals.splitsPerSecond.mean, gupPagesPerSecond: intervals.gupPagesPerSecond.mean,
                ipiCycleShare: intervals.ipiCycleShare.mean, intervals, vsBaseline: null,
            });
        }
        const base = FIX_BASELINE[arch];
        if (base === undefined || !perRun[base])
            continue;
        for (const row of fixes) {
            if (row.arch !== arch || row.kernel === base)
                continue;
            const p = {};
            const significant = {};
            for (const f of FIGURES) {
                p[f] = welch(perRun[row.kernel][f], perRun[base][f]);
                significant[f] = p[f] < 0.05;
            }
            row.vsBaseline = { kernel: base, p, significant };
        }
    }
    return { options: o, hold: o.hold, latency, fixes, hostSeconds: (performance.now() - t0) / 1000 };
}
const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
function table(head, rows) {
    const all = [head, ...rows];
    const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    return all.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}
export function benchTable(r) {
    const lat = table(['arch', 'call', 'cpus', 'held', 'median cycles', 'p99 cycles', 'median us', 'p99 us', 'host ns/IPI'], r.latency.map((x) => [
        `${x.arch} (${x.machine})`, x.call, String(x.cpus), String(x.held), fmt(x.medianCycles), fmt(x.p99Cycles),
        fmt(x.medianUs, 2), fmt(x.p99Us, 2), fmt(x.hostNsPerIpi),
    ]));
    // mean [95% interval], and * where it differs from the baseline kernel's at p < 0.05 (Welch)
    const cell = (x, f, show) => {
        const i = x.intervals[f];
        const mark = x.vsBaseline === null ? '' : x.vsBaseline.significant[f] ? ' *' : '  ';
        return `${show(i.mean)} [${show(i.low)}-${show(i.high)}]${mark}`;
    };
    const pct = (n) => `${(n * 100).toFixed(2)}%`;
    const fix = table(['arch', 'kernel', 'runs', 'crashes', 'splits/s', 'gup pages/s', 'IPI share of cycles', 'against'], r.fixes.map((x) => [
        x.arch, x.kernel, String(x.runs), String(x.crashes), cell(x, 'splitsPerSecond', (n) => fmt(n)),
        cell(x, 'gupPagesPerSecond', (n) => fmt(n)), cell(x, 'ipiCycleShare', pct), x.vsBaseline?.kernel ?? '-',
    ]));
    return [
        `IPI latency, simulated (held CPUs stay interrupts-off ${fmt(r.hold)} cycles after their IPI arrives):`,
        lat,
        '',
        'The price of the IPI on thp-split-vs-gup (8 CPUs, deterministic, simulated rates):',
        fix,
        'mean [95% interval, Student\'s t over the runs]; * differs from the kernel under "against" at p < 0.05 (Welch\'s t-test)',
        '',
        `host time: ${r.hostSeconds.toFixed(1)} s`,
    ].join('\n');
}
export function benchCsv(r) {
    const latency = ['arch,machine,call,cpus,held,samples,median_cycles,p99_cycles,median_us,p99_us,host_ns_per_ipi',
        ...r.latency.map((x) => [x.arch, x.machine, x.call, x.cpus, x.held, x.samples, x.medianCycles, x.p99Cycles,
            x.medianUs.toFixed(4), x.p99Us.toFixed(4), x.hostNsPerIpi.toFixed(0)].join(','))].join('\n') + '\n';
    const fixes = ['arch,kernel,runs,crashes,splits_per_s,splits_low,splits_high,gup_pages_per_s,gup_low,gup_high,ipi_cycle_share,share_low,share_high,against,p_splits,p_gup,p_share',
        ...r.fixes.map((x) => {
            const i = x.intervals;
            const v = x.vsBaseline;
            return [x.arch, x.kernel, x.runs, x.crashes,
                i.splitsPerSecond.mean.toFixed(0), i.splitsPerSecond.low.toFixed(0), i.splitsPerSecond.high.toFixed(0),
                i.gupPagesPerSecond.mean.toFixed(0), i.gupPagesPerSecond.low.toFixed(0), i.gupPagesPerSecond.high.toFixed(0),
                i.ipiCycleShare.mean.toFixed(5), i.ipiCycleShare.low.toFixed(5), i.ipiCycleShare.high.toFixed(5),
                v?.kernel ?? '', v ? v.p.splitsPerSecond.toPrecision(3) : '', v ? v.p.gupPagesPerSecond.toPrecision(3) : '', v ? v.p.ipiCycleShare.toPrecision(3) : '',
            ].join(',');
        })].join('\n') + '\n';
    return { latency, fixes };
}
//# sourceMappingURL=ipi.js.map