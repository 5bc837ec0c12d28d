// One run: boot the machine, drive it, and gather what it did into a result
// that names everything needed to replay it.
import { SPLIT_LOG } from '../kernel-sim/huge_memory.js';
import { SPLIT_LOG_AT_SHADOW, SPLIT_LOG_SLOTS } from '../kernel-sim/kasan.js';
import { DEFAULTS, defaultWatchdogMs, type RunConfig } from './config.js';
import type { CpuTracer, OopsRecord, Stall } from '../emulator/cpu.js';
import { bootMachine, systemOf, WORKER_ENTRY, type Booted } from './boot.js';
import { runDeterministic, type DriverOutcome } from '../emulator/driver/deterministic.js';
import { makePolicy } from '../emulator/explore/index.js';
import type { PolicySummary } from '../emulator/explore/policy.js';
import { runParallel } from '../emulator/driver/parallel.js';
import { isInterrupted, whileActive } from '../emulator/interrupt.js';
import { EVENT_COUNT, EVENT_NAMES } from '../emulator/events.js';
import { DUMP_BYTES, M, OOPS_BYTES, STAT_NAMES, STAT_STRIDE } from '../emulator/machine.js';
import { readRecorder, type RecordedEvent } from '../emulator/recorder.js';

export interface CpuResult {
  cpu: number;
  steps: number;
  cycles: number;
  ipisSent: number;
  ipisTaken: number;
  irqOffCycles: number;
  spinCycles: number;
  handlerCycles: number;
  tlbHits: number;
  tlbMisses: number;
  loops: number;
  /** cycles lost to other CPUs' broadcast purges (s390 quiesce) */
  stallCycles: number;
  /** cache lines fetched from another CPU */
  lineTransfers: number;
  /** cycles the hypervisor took this CPU away (steal), and an exploration policy held it back */
  stealCycles: number;
  delayCycles: number;
  /** timer ticks taken */
  ticks: number;
  /** cycles charged per event kind */
  cyclesByEvent: Record<string, number>;
  /** call trace and PSW state when the machine stopped */
  trace: string[];
  irqOn: boolean;
  /** clock when its unbroken busy-wait began, if it was in one when the machine stopped */
  spinningSince: number | null;
  lastEvents: RecordedEvent[];
}

export interface RunResult {
  config: RunConfig;
  seed: number;
  driver: string;
  crashed: boolean;
  /** stopped by Ctrl-C or SIGTERM before its end: the figures cover what ran */
  interrupted: boolean;
  /** host seconds until the crash halted the machine, null without one */
  timeToCrashSeconds: number | null;
  truncated: boolean;
  steps: number;
  simulatedCycles: { perCpu: number[]; max: number; min: number; spread: number };
  simulatedMicroseconds: number;
  hostSeconds: number;
  stepsPerHostSecond: number;
  eventHash: string | null;
  cpus: CpuResult[];
  oops: OopsRecord | null;
  /**
   * --detect kernel: what the silent shadow saw first (the stale access where
   * the race began, as KASAN would have reported it) and how many findings it
   * noted in all; null when it saw nothing.
   */
  shadow: { first: OopsRecord; count: number } | null;
  /** the kernel's warnings (WARN: reported, and the CPU went on): the first, and how many */
  warnings: { first: OopsRecord; count: number } | null;
  /** the taint letters they set (print_tainted: W a WARN, B a bad page or pte) */
  taint: string;
  internalError: DriverOutcome['internalError'];
  workload: Record<string, unknown>;
  /**
   * How the deterministic driver explored: the policy, its decisions and what
   * it saw; a replayed schedule says so. null under the parallel driver.
   */
  schedule: (PolicySummary & { replayed?: number }) | null;
  replay: string;
}

export interface RunOptions {
  /** collect every stall (steal and the policy's) for a schedule file */
  record?: boolean;
  /** replay these stalls instead of drawing any */
  replay?: readonly Stall[];
  /** a trace of the run (deterministic driver) */
  tracer?: CpuTracer;
  /** where the deterministic driver turns from its scan to its heaps (a test's switch; the driver's own otherwise) */
  bucketsAboveCpus?: number;
  /** false: busy-waits without waitWhile's fast path (a test's switch) */
  fastWaits?: boolean;
}

/** The command line that replays `cfg`. */
export function replayLine(cfg: RunConfig): string {
  const params = Object.entries(cfg.params).map(([k, v]) => ` --param ${k}=${v}`).join('');
  const sim = cfg.simMs === null ? '' : ` --sim-ms ${cfg.simMs}`;
  const wd = cfg.watchdogMs === defaultWatchdogMs(cfg.cpus) ? '' : ` --watchdog ${cfg.watchdogMs ?? 'off'}`;
  const t = cfg.timing;
  const timing = (t.noise ? '' : ' --noise off') + ` --steal ${t.steal ? `${t.steal.percent}:${t.steal.meanUs}` : 'off'} --hz ${t.hz ?? 'off'}`;
  const sched = cfg.schedule ? ` --schedule ${cfg.schedule.policy}${cfg.schedule.policy === 'pct' ? ` --depth ${cfg.schedule.depth}` : ''}` : '';
  const scenario = cfg.scenario ? ` --scenario ${cfg.scenario}` : '';
  const detect = cfg.detect === DEFAULTS.detect ? '' : ` --detect ${cfg.detect}`;
  return `s390emu run${scenario} --workload ${cfg.workload} --arch ${cfg.arch} --machine ${cfg.machine} --kernel ${cfg.kernel}` +
    ` --cpus ${cfg.cpus} --mem ${cfg.memMiB} --seed ${cfg.seed} --driver ${cfg.driver}` +
    ` --slack ${Number.isFinite(cfg.slack) ? cfg.slack : 'inf'}${cfg.workers === null ? '' : ` --workers ${cfg.workers}`} --duration ${cfg.durationS}${sim}${wd}${sched}${detect}${timing}${params}`;
}

/** The first record a CPU left in `region` and the count beside it (Cpu.shadowNote, Cpu.warn). */
function noted(m: Booted['machine'], region: Uint8Array, first: number, count: number): { first: OopsRecord; count: number } | null {
  if (Atomics.load(m.v.control, first) < 0) return null;
  return { first: JSON.parse(m.readText(region, 0, OOPS_BYTES)) as OopsRecord, count: Atomics.load(m.v.control, count) };
}

function collect(b: Booted, out: DriverOutcome & { interrupted: boolean }, replayed: number | null): RunResult {
  const m = b.machine;
  const cfg = b.cfg;
  const cpus: CpuResult[] = [];
  for (let i = 0; i < m.ncpus; i++) {
    const st: Record<string, number> = {};
    STAT_NAMES.forEach((n, j) => { st[n] = m.v.stats[i * STAT_STRIDE + j]!; });
    const dump = JSON.parse(m.readText(m.v.dump, i * DUMP_BYTES, DUMP_BYTES) || '{"trace":[],"irqOn":true,"spinSince":-1}') as {
      trace: string[]; irqOn: boolean; spinSince: number;
    };
    cpus.push({
      cpu: i,
      steps: st.steps!, cycles: st.clock!, ipisSent: st.ipisSent!, ipisTaken: st.ipisTaken!,
      irqOffCycles: st.irqOffCycles!, spinCycles: st.spinCycles!, handlerCycles: st.handlerCycles!,
      tlbHits: st.tlbHits!, tlbMisses: st.tlbMisses!, loops: st.loops!,
      stallCycles: st.stallCycles!, lineTransfers: st.lineTransfers!,
      stealCycles: st.stealCycles!, delayCycles: st.delayCycles!, ticks: st.ticks!,
      cyclesByEvent: Object.fromEntries(EVENT_NAMES.map((n, j) => [n, m.v.kindCycles[i * EVENT_COUNT + j]!]).filter(([, v]) => v !== 0)),
      trace: dump.trace, irqOn: dump.irqOn, spinningSince: dump.spinSince >= 0 ? dump.spinSince : null,
      lastEvents: readRecorder(m, i),
    });
  }
  const perCpu = cpus.map((c) => c.cycles);
  const max = Math.max(...perCpu);
  const min = Math.min(...perCpu);
  const steps = cpus.reduce((a, c) => a + c.steps, 0);
  const oopsText = Atomics.load(m.v.control, M.OOPS_CPU) >= 0 ? m.readText(m.v.oops, 0, OOPS_BYTES) : '';
  const oops = oopsText ? (JSON.parse(oopsText) as OopsRecord) : null;
  // the workload explains an oops that does not name its race itself, or adds to one that does
  const named = (oops?.details as { race?: Record<string, unknown> } | undefined)?.race;
  const shadow = noted(m, m.v.shadow, M.SHADOW_CPU, M.SHADOW_COUNT);
  if (oops && b.workload.explain && (named === undefined || b.workload.explainsNamedRaces)) {
    let race = b.workload.explain(b.kernel, oops);
    // without KASAN the crash comes later and elsewhere: the race is the one the shadow saw begin
    if (Object.keys(race).length === 0 && shadow) {
      // (the machine has stopped: the report may put the split log back as it stood at the finding)
      m.v.scratch.copyWithin(SPLIT_LOG, SPLIT_LOG_AT_SHADOW, SPLIT_LOG_AT_SHADOW + SPLIT_LOG_SLOTS);
      const begun = b.workload.explain(b.kernel, shadow.first);
      race = Object.keys(begun).length ? { from: `the shadow's first finding (CPU${shadow.first.cpu}, clock ${shadow.first.clock})`, ...begun } : {};
    }
    if (Object.keys(race).length) oops.details = { ...oops.details, race: { ...named, ...race } };
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
    shadow,
    warnings: noted(m, m.v.warn, M.WARN_CPU, M.WARN_COUNT),
    taint: ((t: number) => `${t & 2 ? 'B' : ''}${t & 1 ? 'W' : ''}`)(Atomics.load(m.v.control, M.TAINT)),
    internalError: out.internalError,
    workload: b.workload.report?.(b.kernel, b.params) ?? {},
    schedule: cfg.driver !== 'deterministic' ? null
      : replayed !== null ? { policy: 'replay', interestingSteps: 0, decisions: replayed, stallCycles: 0, replayed }
      : out.schedule ?? null,
    replay: replayLine(cfg),
  };
}

/** A run, and with `record` every stall it took (what a schedule file holds). */
export async function run(cfg: RunConfig, opts: RunOptions = {}): Promise<RunResult & { stalls?: Stall[] }> {
  const b = bootMachine(cfg);
  const limitCycles = cfg.simMs === null ? Infinity : cfg.simMs * b.costs.ghz * 1e6;
  const stalls: Stall[] = [];
  const out = await whileActive(b.machine, async () => {
    const o = cfg.driver === 'deterministic'
      ? await runDeterministic(systemOf(b), limitCycles, cfg.durationS, {
          ...(cfg.schedule ? { policy: makePolicy(cfg.schedule, cfg.seed) } : {}),
          ...(opts.record ? { record: (s: Stall) => { stalls.push(s); } } : {}),
          ...(opts.replay ? { replay: opts.replay } : {}),
          ...(opts.tracer ? { tracer: opts.tracer } : {}),
          ...(opts.bucketsAboveCpus !== undefined ? { bucketsAboveCpus: opts.bucketsAboveCpus } : {}),
          ...(opts.fastWaits !== undefined ? { fastWaits: opts.fastWaits } : {}),
        })
      : await runParallel(b.machine, WORKER_ENTRY, limitCycles, cfg.durationS);
    return { ...o, interrupted: isInterrupted() };
  });
  const r = collect(b, out, opts.replay ? opts.replay.length : null);
  return opts.record ? { ...r, stalls } : r;
}
