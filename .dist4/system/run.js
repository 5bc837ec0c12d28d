// One run: boot the machine, drive it, and gather what it did into a result
// that names everything needed to replay it.
import { defaultWatchdogMs } from './config.js';
import { bootMachine, systemOf, WORKER_ENTRY } from './boot.js';
import { runDeterministic } from '../emulator/driver/deterministic.js';
import { makePolicy } from '../emulator/explore/index.js';
import { runParallel } from '../emulator/driver/parallel.js';
import { isInterrupted, whileActive } from '../emulator/interrupt.js';
import { EVENT_COUNT, EVENT_NAMES } from '../emulator/events.js';
import { DUMP_BYTES, M, OOPS_BYTES, STAT_NAMES, STAT_STRIDE } from '../emulator/machine.js';
import { readRecorder } from '../emulator/recorder.js';
/** The command line that replays `cfg`. */
export function replayLine(cfg) {
    const params = Object.entries(cfg.params).map(([k, v]) => ` --param ${k}=${v}`).join('');
    const sim = cfg.simMs === null ? '' : ` --sim-ms ${cfg.simMs}`;
    const wd = cfg.watchdogMs === defaultWatchdogMs(cfg.cpus) ? '' : ` --watchdog ${cfg.watchdogMs ?? 'off'}`;
    const t = cfg.timing;
    const timing = (t.noise ? '' : ' --noise off') + ` --steal ${t.steal ? `${t.steal.percent}:${t.steal.meanUs}` : 'off'} --hz ${t.hz ?? 'off'}`;
    const sched = cfg.schedule ? ` --schedule ${cfg.schedule.policy}${cfg.schedule.policy === 'pct' ? ` --depth ${cfg.schedule.depth}` : ''}` : '';
    const scenario = cfg.scenario ? ` --scenario ${cfg.scenario}` : '';
    return `s390emu run${scenario} --workload ${cfg.workload} --arch ${cfg.arch} --machine ${cfg.machine} --kernel ${cfg.kernel}` +
        ` --cpus ${cfg.cpus} --mem ${cfg.memMiB} --seed ${cfg.seed} --driver ${cfg.driver}` +
        ` --slack ${Number.isFinite(cfg.slack) ? cfg.slack : 'inf'}${cfg.workers === null ? '' : ` --workers ${cfg.workers}`} --duration ${cfg.durationS}${sim}${wd}${sched}${timing}${params}`;
}
function collect(b, out, replayed) {
    const m = b.machine;
    const cfg = b.cfg;
    const cpus = [];
    for (let i = 0; i < m.ncpus; i++) {
        const st = {};
        STAT_NAMES.forEach((n, j) => { st[n] = m.v.stats[i * STAT_STRIDE + j]; });
        const dump = JSON.parse(m.readText(m.v.dump, i * DUMP_BYTES, DUMP_BYTES) || '{"trace":[],"irqOn":true,"spinSince":-1}');
        cpus.push({
            cpu: i,
            steps: st.steps, cycles: st.clock, ipisSent: st.ipisSent, ipisTaken: st.ipisTaken,
            irqOffCycles: st.irqOffCycles, spinCycles: st.spinCycles, handlerCycles: st.handlerCycles,
            tlbHits: st.tlbHits, tlbMisses: st.tlbMisses, loops: st.loops,
            stallCycles: st.stallCycles, lineTransfers: st.lineTransfers,
            stealCycles: st.stealCycles, delayCycles: st.delayCycles, ticks: st.ticks,
            cyclesByEvent: Object.fromEntries(EVENT_NAMES.map((n, j) => [n, m.v.kindCycles[i * EVENT_COUNT + j]]).filter(([, v]) => v !== 0)),
            trace: dump.trace, irqOn: dump.irqOn, spinningSince: dump.spinSince >= 0 ? dump.spinSince : null,
            lastEvents: readRecorder(m, i),
        });
    }
    const perCpu = cpus.map((c) => c.cycles);
    const max = Math.max(...perCpu);
    const min = Math.min(...perCpu);
    const steps = cpus.reduce((a, c) => a + c.steps, 0);
    const oopsText = Atomics.load(m.v.control, M.OOPS_CPU) >= 0 ? m.readText(m.v.oops, 0, OOPS_BYTES) : '';
    const oops = oopsText ? JSON.parse(oopsText) : null;
    // the workload explains an oops that does not name its race itself
    if (oops && b.workload.explain && oops.details?.race === undefined) {
        const race = b.workload.explain(b.kernel, oops);
        if (Object.keys(race).length)
            oops.details = { ...oops.details, race };
    }
    return {
        config: cfg,
        seed: cfg.seed,
        driver: cfg.driver,
        crashed: oopsText !== '',
        interrupted: out.interrupted,
        timeToCrashSeconds: oopsText !== '' ? out.hostSeconds : null,
        truncated: out.truncated,
        steps,
        simulatedCycles: { perCpu, max, min, spread: max - min },
        simulatedMicroseconds: max / (b.costs.ghz * 1000),
        hostSeconds: out.hostSeconds,
        stepsPerHostSecond: out.hostSeconds > 0 ? steps / out.hostSeconds : 0,
        eventHash: out.eventHash,
        cpus,
        oops,
        internalError: out.internalError,
        workload: b.workload.report?.(b.kernel, b.params) ?? {},
        schedule: cfg.driver !== 'deterministic' ? null
            : replayed !== null ? { policy: 'replay', interestingSteps: 0, decisions: replayed, stallCycles: 0, replayed }
                : out.schedule ?? null,
        replay: replayLine(cfg),
    };
}
/** A run, and with `record` every stall it took (what a schedule file holds). */
export async function run(cfg, opts = {}) {
    const b = bootMachine(cfg);
    const limitCycles = cfg.simMs === null ? Infinity : cfg.simMs * b.costs.ghz * 1e6;
    const stalls = [];
    const out = await whileActive(b.machine, async () => {
        const o = cfg.driver === 'deterministic'
            ? await runDeterministic(systemOf(b), limitCycles, cfg.durationS, {
                ...(cfg.schedule ? { policy: makePolicy(cfg.schedule, cfg.seed) } : {}),
                ...(opts.record ? { record: (s) => { stalls.push(s); } } : {}),
                ...(opts.replay ? { replay: opts.replay } : {}),
                ...(opts.tracer ? { tracer: opts.tracer } : {}),
            })
            : await runParallel(b.machine, WORKER_ENTRY, limitCycles, cfg.durationS);
        return { ...o, interrupted: isInterrupted() };
    });
    const r = collect(b, out, opts.replay ? opts.replay.length : null);
    return opts.record ? { ...r, stalls } : r;
}
//# sourceMappingURL=run.js.map