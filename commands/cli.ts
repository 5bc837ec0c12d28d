#!/usr/bin/env node
// s390emu: the command line. Exit codes: 0 no crash, 1 internal error,
// 2 bad input, 3 the simulated kernel crashed.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { MACHINES } from '../arch/index.js';
import { MECHANISMS } from '../kernel-sim/mechanisms.js';
import { KERNEL_VARIANTS } from '../kernel-sim/variants.js';
import { WORKLOADS } from '../workloads/index.js';
import { DEFAULTS, DETECTS, DRIVERS, LIMITS, SCHEDULES, type DetectName } from '../system/config.js';
import { oopsReport, summary } from './report.js';
import { ARCHES } from '../arch/index.js';
import { benchRaces, benchRacesPlan, benchRacesTable, RACES } from '../bench/races.js';
import { interrupt, isInterrupted } from '../emulator/interrupt.js';
// Each command's own modules (progress bars, benchmarks, shrinking, traces, the
// validation pool) load when that command runs: every invocation pays for what
// it imports, and the test suite starts this program dozens of times.
const progressBar = async () => (await import('cli-progress')).default;
import { cannotWrite, writeAtomic } from './output.js';
import { run } from '../system/run.js';
import { intIn, UsageError, validateRun } from '../system/args.js';
import { loadScenario, type Scenario } from '../system/scenario.js';
import { configOf as scheduleConfig, loadScheduleFile, scheduleFile, stallsOf } from '../system/schedule_file.js';
import { costTable } from '../system/boot.js';
import { loadExpectations, EXPECTATION_PRESETS, presetCells, ROW_PRESETS, type ExpectationSet } from './validation/expect.js';
import { configOf, jobsOf, shardJobs, type MatrixSpec } from './validation/matrix.js';
import { parseShard } from './validation/shard.js';
import { buildReport, disagreeing, mergeReports, validateMarkdown, validateTable, type ValidateReport } from './validation/report.js';
import { VARIANT_SWITCHES } from '../kernel-sim/variants.js';

export const EXIT = { OK: 0, INTERNAL: 1, USAGE: 2, CRASHED: 3, DISAGREES: 4, INTERRUPTED: 130 } as const;

// Ctrl-C / SIGTERM: stop every CPU at its next step, report what ran, exit 130
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => interrupt());

/** A flag given twice takes its last value, as most commands do. */
const last = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);

/** A schedule file refused: the reason, on one line. */
function refuse(msg: string): never {
  process.stderr.write(`s390emu: ${msg}\n`);
  process.exit(EXIT.USAGE);
}

function usage(msg: string): never {
  process.stderr.write(`s390emu: ${msg}\nTry 's390emu --help'.\n`);
  process.exit(EXIT.USAGE);
}

// No yargs defaults: a scenario's `run` section sits between the flags and the built-in defaults.
function runOptions(y: Argv) {
  return y
    .option('workload', { type: 'string', describe: `one of: ${Object.keys(WORKLOADS).join(', ')} (default ${DEFAULTS.workload})` })
    .option('arch', { type: 'string', describe: `one of: ${Object.keys(ARCHES).join(', ')} (default ${DEFAULTS.arch})` })
    .option('machine', { type: 'string', describe: 'cost table (default: the arch\'s, see s390emu list)' })
    .option('kernel', { type: 'string', describe: `one of: ${KERNEL_VARIANTS.map((k) => k.name).join(', ')} (default ${DEFAULTS.kernel})` })
    .option('cpus', { type: 'string', describe: `simulated CPUs, ${LIMITS.cpus.min}-${LIMITS.cpus.max} (default ${DEFAULTS.cpus})` })
    .option('mem', { type: 'string', describe: `simulated memory, MiB, ${LIMITS.memMiB.min}-${LIMITS.memMiB.max} (default ${DEFAULTS.memMiB}; ppc64 256, at most 512)` })
    .option('seed', { type: 'string', describe: `seed of every random choice (default ${DEFAULTS.seed})` })
    .option('driver', { type: 'string', describe: `${DRIVERS.join(' or ')} (default ${DEFAULTS.driver})` })
    .option('workers', { type: 'string', describe: 'parallel: worker threads, each stepping a share of the CPUs (default one per host core)' })
    .option('slack', { type: 'string', describe: `cycles a CPU may run ahead of the slowest (parallel), or 'inf' (default ${DEFAULTS.slack})` })
    .option('duration', { type: 'string', describe: `wall-clock cap, seconds (default ${DEFAULTS.durationS})` })
    .option('sim-ms', { type: 'string', describe: `simulated length, ms at the modelled clock (deterministic default ${DEFAULTS.simMs})` })
    .option('watchdog', { type: 'string', describe: `lockup watchdog: simulated ms a CPU may busy-wait, or 'off' (default ${DEFAULTS.watchdogMs}, and ${DEFAULTS.watchdogMs} per 16 CPUs above 16)` })
    .option('param', { type: 'string', array: true, describe: 'workload parameter NAME=VALUE (see s390emu list)' })
    .option('scenario', { type: 'string', describe: 'JSON file defining kernels, workload mixes, arch overrides and run defaults' })
    .option('schedule', { type: 'string', describe: `exploration policy of the deterministic driver: ${SCHEDULES.join(', ')} (default ${DEFAULTS.schedule})` })
    .option('depth', { type: 'string', describe: `PCT's bug depth d, ${LIMITS.depth.min}-${LIMITS.depth.max} (default ${DEFAULTS.depth})` })
    .option('noise', { type: 'string', describe: 'per-access variation of every cost figure: on or off (default on)' })
    .option('detect', { type: 'string', describe: `what reports a crash: ${DETECTS.join(' or ')} (the kernel's own checks, the shadow silent; default ${DEFAULTS.detect})` })
    .option('steal', { type: 'string', describe: "hypervisor steal: default (the machine's), off, or PERCENT[:MEAN_US]" })
    .option('hz', { type: 'string', describe: "timer ticks per second, or 'off' (default: the arch's CONFIG_HZ)" })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
    .option('out', { type: 'string', describe: 'also write the JSON result to this file (whole or not at all)' })
    .option('trace', { type: 'string', describe: 'write a Chrome trace-event JSON of the run\'s last --trace-us (ui.perfetto.dev, chrome://tracing; deterministic driver)' })
    .option('trace-us', { type: 'string', describe: 'simulated microseconds the trace keeps, before the oops or the end (default 2000)' })
    .option('timeline', { type: 'string', describe: 'write an SVG of the last --trace-us before the oops: a lane per CPU, the racing accesses marked (deterministic driver)' })
    .option('record', { type: 'string', describe: 'write the schedule (configuration, every stall, the outcome) to this file, for replay and shrink (deterministic driver)' });
}

const outcomeOf = (r: Awaited<ReturnType<typeof run>>) => ({
  eventHash: r.eventHash,
  oops: r.oops ? { kind: r.oops.kind, message: r.oops.message, cpu: r.oops.cpu, clock: r.oops.clock } : null,
});

function exitOf(r: Awaited<ReturnType<typeof run>>): number {
  if (r.internalError) {
    process.stderr.write(`s390emu: internal error on CPU ${r.internalError.cpu}: ${r.internalError.message}\n` +
      `simulated call trace: ${r.internalError.trace.join(' > ') || '(none)'}\n${r.internalError.stack}\n`);
    return EXIT.INTERNAL;
  }
  return r.interrupted ? EXIT.INTERRUPTED : r.crashed ? EXIT.CRASHED : EXIT.OK;
}

async function replayCommand(a: Record<string, unknown>): Promise<void> {
  let f;
  try { f = loadScheduleFile(String(last(a.file))); } catch (e) {
    if (e instanceof UsageError) refuse(e.message);
    throw e;
  }
  const r = await run(scheduleConfig(f), { replay: stallsOf(f) });
  const got = outcomeOf(r);
  const same = got.eventHash === f.outcome.eventHash && JSON.stringify(got.oops) === JSON.stringify(f.outcome.oops);
  if (a.json) process.stdout.write(JSON.stringify({ ...r, replayed: { stalls: f.stalls.length, exact: same, recorded: f.outcome } }) + '\n');
  else {
    process.stdout.write(summary(r) + '\n');
    if (r.crashed) process.stdout.write(oopsReport(r) + '\n');
    process.stdout.write(same
      ? `replayed ${f.stalls.length} stalls: the same run (eventHash ${got.eventHash}${got.oops ? ', the same oops' : ', no oops'})\n`
      : `replayed ${f.stalls.length} stalls: DIVERGED (eventHash ${got.eventHash}, recorded ${f.outcome.eventHash}; oops ${got.oops?.kind ?? 'none'}, recorded ${f.outcome.oops?.kind ?? 'none'})\n`);
  }
  const code = exitOf(r);
  process.exitCode = !same && code !== EXIT.INTERNAL ? EXIT.DISAGREES : code;
}

async function shrinkCommand(a: Record<string, unknown>): Promise<void> {
  const { shrink } = await import('./shrink.js');
  let f;
  const file = String(last(a.file));
  const out = typeof last(a.out) === 'string' ? String(last(a.out)) : file.replace(/(\.json)?$/, '.min.json');
  try {
    f = loadScheduleFile(file);
    if (!f.outcome.oops) throw new UsageError(`${file}: the recorded run did not crash: nothing to shrink`);
    const why = cannotWrite(dirname(resolve(out)));
    if (why) throw new UsageError(`--out: cannot write '${out}' (${why})`);
  } catch (e) {
    if (e instanceof UsageError) refuse(e.message);
    throw e;
  }
  const r = await shrink(f, (p) => {
    if (process.stderr.isTTY) process.stderr.write(`\rshrink: ${p.phase}, ${p.tries} replays, ${p.stalls} stalls, ${p.cpus} CPUs   `);
    else if (p.tries % 20 === 0) process.stderr.write(`shrink: ${p.phase}, ${p.tries} replays, ${p.stalls} stalls, ${p.cpus} CPUs\n`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const path = resolve(out);
  writeAtomic(dirname(path), basename(path), JSON.stringify(r.file) + '\n');
  const p = (x: Record<string, unknown>) => Object.entries(x).map(([k, v]) => `${k}=${String(v)}`).join(' ');
  process.stdout.write([
    `shrunk in ${r.tries} replays, still "${r.signature}"`,
    `before: ${r.before.stalls} decisions, ${r.before.cpus} CPUs, ${r.before.simMs ?? '-'} ms simulated, ${p(r.before.params)}`,
    `after:  ${r.after.stalls} decisions, ${r.after.cpus} CPUs, ${r.after.simMs ?? '-'} ms simulated, ${p(r.after.params)}`,
    `minimal oops on CPU ${r.file.outcome.oops!.cpu}: ${r.file.outcome.oops!.kind}: ${r.file.outcome.oops!.message}`,
    `wrote ${out} (s390emu replay ${out})`,
  ].join('\n') + '\n');
}

async function runCommand(a: Record<string, unknown>): Promise<void> {
  // a flag given twice takes its last value, as most commands do; '--param' is a list
  const raw = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, k === 'param' ? v : last(v)]));
  let cfg;
  let traceFile: string | null = null;
  let timelineFile: string | null = null;
  let traceUs = 2000;
  try {
    if (typeof raw.out === 'string' && raw.out !== '') {
      const why = cannotWrite(dirname(resolve(raw.out)));
      if (why) throw new UsageError(`--out: cannot write '${raw.out}' (${why})`);
    }
    for (const flag of ['trace', 'timeline'] as const) {
      const v = raw[flag];
      if (typeof v !== 'string' || v === '') continue;
      const why = cannotWrite(dirname(resolve(v)));
      if (why) throw new UsageError(`--${flag}: cannot write '${v}' (${why})`);
    }
    traceFile = typeof raw.trace === 'string' && raw.trace !== '' ? raw.trace : null;
    timelineFile = typeof raw.timeline === 'string' && raw.timeline !== '' ? raw.timeline : null;
    if (raw['trace-us'] !== undefined) {
      if (!traceFile && !timelineFile) throw new UsageError('--trace-us: needs --trace FILE or --timeline FILE');
      traceUs = intIn('trace-us', raw['trace-us'], 1, 100_000);
    }
    if (typeof raw.record === 'string' && raw.record !== '') {
      const why = cannotWrite(dirname(resolve(raw.record)));
      if (why) throw new UsageError(`--record: cannot write '${raw.record}' (${why})`);
    }
    const sc = typeof raw.scenario === 'string' ? loadScenario(raw.scenario) : undefined;
    cfg = validateRun({ ...raw, simMs: raw['sim-ms'] }, sc);
    if ((traceFile || timelineFile) && cfg.driver !== 'deterministic') throw new UsageError(`--${traceFile ? 'trace' : 'timeline'}: needs --driver deterministic (one thread sees every CPU)`);
    if (raw.record !== undefined && cfg.driver !== 'deterministic') throw new UsageError('--record: needs --driver deterministic (a parallel run\'s interleaving comes from host thread timing and cannot be replayed)');
  } catch (e) {
    if (e instanceof UsageError) usage(e.message);
    throw e;
  }
  const record = typeof raw.record === 'string' && raw.record !== '' ? raw.record : null;
  const { ChromeTracer } = await import('./trace/chrome.js');
  const tracer = traceFile || timelineFile ? new ChromeTracer(cfg.cpus, costTable(cfg.machine).ghz, traceUs) : null;
  const r = await run(cfg, { ...(record ? { record: true } : {}), ...(tracer ? { tracer } : {}) });
  if (tracer) {
    const trace = tracer.finish(r.cpus.map((c) => ({ id: c.cpu, clock: c.cycles })));
    if (traceFile) writeAtomic(dirname(resolve(traceFile)), basename(traceFile), JSON.stringify(trace) + '\n');
    if (timelineFile) {
      const d = r.oops?.details as { race?: { freer?: string }; page?: { page?: string } } | undefined;
      const freer = /^CPU(\d+)/.exec(d?.race?.freer ?? '')?.[1];
      const pfn = /^pfn (0x[0-9a-f]+)/.exec(d?.page?.page ?? '')?.[1];
      const oops = r.oops ? { cpu: r.oops.cpu, kind: r.oops.kind, message: r.oops.message, ...(freer ? { freer: Number(freer) } : {}), ...(pfn ? { pfn } : {}) } : null;
      const { timelineSvg } = await import('./trace/timeline.js');
      writeAtomic(dirname(resolve(timelineFile)), basename(timelineFile), timelineSvg(trace, cfg.cpus, oops));
    }
  }
  if (record) {
    const path = resolve(record);
    writeAtomic(dirname(path), basename(path), JSON.stringify(scheduleFile(cfg, r.stalls ?? [], outcomeOf(r))) + '\n');
  }
  if (typeof raw.out === 'string' && raw.out !== '') {
    const path = resolve(raw.out);
    writeAtomic(dirname(path), basename(path), JSON.stringify(r, null, 2) + '\n');
  }
  if (a.json) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    process.stdout.write(summary(r) + '\n');
    if (r.crashed) process.stdout.write(oopsReport(r) + '\n');
  }
  process.exitCode = exitOf(r);
}

async function reproduceCommand(a: Record<string, unknown>): Promise<void> {
  const { reproduce, reproduceTable } = await import('./reproduce.js');
  let o;
  try {
    o = {
      seeds: intIn('seeds', last(a.seeds), 1, 1000),
      durationS: intIn('duration', last(a.duration), 1, 3600),
      cpus: intIn('cpus', last(a.cpus), 2, LIMITS.cpus.max),
      driver: validateRun({ driver: last(a.driver) }).driver,
      json: Boolean(a.json),
    };
  } catch (e) {
    if (e instanceof UsageError) usage(e.message);
    throw e;
  }
  const rows = await reproduce(o, (line) => process.stdout.write(line + '\n'));
  if (isInterrupted()) process.exitCode = EXIT.INTERRUPTED;
  if (o.json) process.stdout.write(JSON.stringify({ rows }) + '\n');
  else process.stdout.write('\n' + reproduceTable(rows) + '\n');
}

/** A comma-separated list flag: every item checked, the whole list named in the error. */
function listOf<T>(flag: string, v: unknown, item: (s: string) => T): T[] {
  const items = String(v).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--${flag}: give at least one value`);
  return items.map(item);
}

async function benchRacesCommand(a: Record<string, unknown>): Promise<void> {
  const cliProgress = await progressBar();
  let o;
  try {
    const names = RACES.map((r) => r.name);
    o = {
      races: listOf('race', last(a.race), (s) => {
        if (!names.includes(s)) throw new UsageError(`--race: '${s}' is not allowed; choose from: ${names.join(', ')}`);
        return s;
      }),
      policies: listOf('schedule', last(a.schedule), (s) => {
        if (!(SCHEDULES as readonly string[]).includes(s)) throw new UsageError(`--schedule: '${s}' is not allowed; choose from: ${SCHEDULES.join(', ')}`);
        return s as (typeof SCHEDULES)[number];
      }),
      seeds: intIn('seeds', last(a.seeds) ?? '10', 1, 100),
      budgetS: intIn('budget', last(a.budget), 1, 3600),
      simMs: intIn('sim-ms', last(a['sim-ms']), 1, 1000),
    };
    if (typeof a.out === 'string' && a.out !== '') {
      const why = cannotWrite(dirname(resolve(a.out)));
      if (why) throw new UsageError(`--out: cannot write '${a.out}' (${why})`);
    }
  } catch (e) {
    if (e instanceof UsageError) usage(e.message);
    throw e;
  }
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'bench races [{bar}] {value}/{total} searches {what}' },
    cliProgress.Presets.shades_classic);
  bar.start(benchRacesPlan(o), 0, { what: '' });
  const r = await benchRaces(o, (what) => bar.increment({ what }));
  bar.stop();
  if (isInterrupted()) {
    process.stderr.write('s390emu: interrupted; no benchmark figures are reported from a partial sweep\n');
    process.exit(EXIT.INTERRUPTED);
  }
  process.stdout.write((a.json ? JSON.stringify(r) : benchRacesTable(r)) + '\n');
  if (typeof a.out === 'string' && a.out !== '') {
    const path = resolve(a.out);
    writeAtomic(dirname(path), basename(path), JSON.stringify(r, null, 2) + '\n');
  }
}

async function benchIpiCommand(a: Record<string, unknown>): Promise<void> {
  const cliProgress = await progressBar();
  const { benchCsv, benchIpi, benchPlan, benchTable } = await import('../bench/ipi.js');
  const { latencyPlot } = await import('./svg.js');
  let o;
  try {
    o = {
      arches: listOf('arch', last(a.arch), (s) => {
        if (!(s in ARCHES)) throw new UsageError(`--arch: '${s}' is not allowed; choose from: ${Object.keys(ARCHES).join(', ')}`);
        return s;
      }),
      cpus: listOf('cpus', last(a.cpus), (s) => intIn('cpus', s, 2, LIMITS.cpus.max)),
      calls: intIn('calls', last(a.calls), 1, 8192),
      held: listOf('held', last(a.held), (s) => intIn('held', s, 0, 127)),
      hold: intIn('hold', last(a.hold), 0, 100_000_000),
      seeds: intIn('seeds', last(a.seeds) ?? '1', 1, 100),
      fixSeeds: intIn('fix-seeds', last(a['fix-seeds']) ?? '5', 2, 100),
      fixSimMs: intIn('fix-sim-ms', last(a['fix-sim-ms']), 1, 1000),
    };
    if (typeof a.out === 'string' && a.out !== '') {
      const why = cannotWrite(a.out);
      if (why) throw new UsageError(`--out: cannot write into '${a.out}' (${why})`);
    }
  } catch (e) {
    if (e instanceof UsageError) usage(e.message);
    throw e;
  }
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'bench ipi [{bar}] {value}/{total} runs' },
    cliProgress.Presets.shades_classic);
  bar.start(benchPlan(o), 0);
  const r = await benchIpi(o, () => bar.increment());
  bar.stop();
  if (isInterrupted()) {
    process.stderr.write('s390emu: interrupted; no benchmark figures are reported from a partial sweep\n');
    process.exit(EXIT.INTERRUPTED);
  }
  const csv = benchCsv(r);
  if (a.json) process.stdout.write(JSON.stringify(r) + '\n');
  else if (a.csv) process.stdout.write(csv.latency + '\n' + csv.fixes);
  else process.stdout.write(benchTable(r) + '\n');
  if (typeof a.out === 'string' && a.out !== '') {
    const dir = a.out;
    const written = [
      writeAtomic(dir, 'ipi-latency.svg', latencyPlot(r.latency, r.hold)),
      writeAtomic(dir, 'ipi-latency.csv', csv.latency),
      writeAtomic(dir, 'fix-price.csv', csv.fixes),
      writeAtomic(dir, 'bench-ipi.json', JSON.stringify(r, null, 2) + '\n'),
    ];
    process.stderr.write(`wrote ${written.join(', ')}\n`);
  }
}

function emitReport(r: ValidateReport, a: Record<string, unknown>, out: string | null): void {
  if (out) writeAtomic(dirname(out), basename(out), JSON.stringify(r, null, 2) + '\n');
  if (a.json) process.stdout.write(JSON.stringify(r) + '\n');
  else if (a.markdown) process.stdout.write(validateMarkdown(r) + '\n');
  else process.stdout.write(validateTable(r) + '\n');
  const internal = r.runs.filter((x) => x.internalError);
  for (const x of internal) process.stderr.write(`s390emu: internal error in ${x.arch} ${x.kernel} ${x.workload} seed ${x.seed}: ${x.internalError}\n  replay: ${x.replay}\n`);
  // a shard's verdict is the merge's: a slice that disagrees is still a slice done
  process.exitCode = internal.length ? EXIT.INTERNAL : disagreeing(r).length && !r.shard ? EXIT.DISAGREES : EXIT.OK;
}

/** `--out FILE`; a folder (an existing one, or a path ending in '/') takes a name made from the shard. */
function outPath(v: unknown, shard: { index: number; count: number } | null = null): string | null {
  const o = last(v);
  if (typeof o !== 'string' || o === '') return null;
  const folder = o.endsWith('/') || (existsSync(o) && statSync(o).isDirectory());
  const file = folder ? join(o, shard ? `validate-shard-${shard.index}-of-${shard.count}.json` : 'validate.json') : o;
  const why = cannotWrite(dirname(resolve(file)));
  if (why) throw new UsageError(`--out: cannot write '${file}' (${why})`);
  return resolve(file);
}

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];
/** a preset's rows run to their simulated length: the wall-clock cap only stops a run gone wrong */
const ROWS_DURATION_S = 120;

async function validateCommand(a: Record<string, unknown>): Promise<void> {
  const cliProgress = await progressBar();
  const { poolSize, runJobs } = await import('./validation/pool.js');
  let spec: MatrixSpec;
  let sc: Scenario | undefined;
  let plan;
  let shard;
  let expectations: ExpectationSet | null;
  let out: string | null;
  let size: number;
  try {
    sc = typeof last(a.scenario) === 'string' ? loadScenario(String(last(a.scenario))) : undefined;
    const d = sc?.validate ?? {};
    const pick = (flag: string, fallback: unknown): unknown => last(a[flag]) ?? fallback;
    const names = (flag: string, allowed: string[], fallback: readonly string[]): string[] => {
      const v = last(a[flag]);
      const xs = v === undefined ? [...fallback] : listOf(flag, v, (s) => s);
      for (const x of xs) if (!allowed.includes(x)) throw new UsageError(`--${flag}: '${x}' is not allowed; choose from: ${allowed.join(', ')}`);
      if (new Set(xs).size !== xs.length) throw new UsageError(`--${flag}: a name is given twice in '${xs.join(',')}'`);
      return xs;
    };
    // a preset named with no matrix of its own runs its rows, deterministically, each as long as its race needs
    const exArg = last(a.expect);
    const preset = typeof exArg === 'string' ? EXPECTATION_PRESETS[exArg] : undefined;
    const rowsMode = preset !== undefined && ROW_PRESETS.includes(String(exArg)) && !sc && ['arch', 'kernel', 'workload'].every((f) => last(a[f]) === undefined);
    const driver = validateRun({ driver: pick('driver', d.driver ?? (rowsMode ? 'deterministic' : DEFAULTS.driver)) }).driver;
    spec = {
      arches: names('arch', Object.keys(ARCHES), d.arch ?? ['s390', 'x86']),
      kernels: names('kernel', [...KERNEL_VARIANTS.map((k) => k.name), ...Object.keys(sc?.kernels ?? {})], d.kernel ?? ['v4.4', 'v4.5-rc1', 'v4.5-rc1+kick', 'v4.5']),
      workloads: names('workload', [...Object.keys(WORKLOADS), ...Object.keys(sc?.workloads ?? {})], d.workload ?? [DEFAULTS.workload]),
      seeds: intIn('seeds', pick('seeds', d.seeds ?? 4), 1, 10_000),
      firstSeed: intIn('first-seed', pick('first-seed', 1), 0, 2 ** 32 - 1),
      driver,
      cpus: intIn('cpus', pick('cpus', d.cpus ?? DEFAULTS.cpus), 1, LIMITS.cpus.max),
      // null: each arch its own default (ppc64's 16 MiB THPs need more than the others')
      memMiB: pick('mem', d.mem) === undefined ? null : intIn('mem', pick('mem', d.mem), LIMITS.memMiB.min, LIMITS.memMiB.max),
      durationS: validateRun({ duration: pick('duration', d.duration ?? (rowsMode ? ROWS_DURATION_S : DEFAULTS.durationS)) }).durationS,
      simMs: (() => {
        const v = pick('sim-ms', d.simMs);
        return v === undefined ? (driver === 'deterministic' ? DEFAULTS.simMs : null) : validateRun({ simMs: v }).simMs;
      })(),
      scenario: sc?.path ?? null,
      ...(() => {
        const detects = names('detect', [...DETECTS], [DEFAULTS.detect]) as DetectName[];
        // (one mode, kasan: the report has no detect axis, as before it existed)
        return detects.length === 1 && detects[0] === 'kasan' ? {} : { detects };
      })(),
      // the policy every run explores with (deterministic driver), as run takes it
      schedule: (() => {
        const given = Object.fromEntries((['schedule', 'depth'] as const).map((k) => [k, pick(k, undefined)]).filter(([, v]) => v !== undefined));
        const c = validateRun({ driver, ...given });
        return c.schedule ? { policy: c.schedule.policy, depth: c.schedule.depth } : null;
      })(),
    };
    if (rowsMode) {
      const cells = presetCells(preset, last(a['sim-ms']) !== undefined);
      spec = { ...spec, cells, arches: uniq(cells.map((c) => c.arch)), kernels: uniq(cells.map((c) => c.kernel)), workloads: uniq(cells.map((c) => c.workload)) };
    }
    if (spec.firstSeed + spec.seeds - 1 > 2 ** 32 - 1) throw new UsageError('--first-seed: the last seed would pass 2^32-1');
    const jobs = jobsOf(spec);
    shard = parseShard(last(a.shard), process.env);
    const mine = shard ? shardJobs(jobs, shard.index, shard.count) : jobs;
    // every configuration is checked before the first run: bad input leaves no partial report
    plan = { total: jobs.length, items: mine.map((job) => ({ job, cfg: configOf(spec, job, sc) })) };
    const ex = last(a.expect);
    expectations = ex === 'none' ? null
      : typeof ex === 'string' ? loadExpectations(ex)
      : sc?.expect.length ? { source: sc.path, list: sc.expect }
      : loadExpectations('lkml-2016');
    out = outPath(a.out, shard);
    size = poolSize(spec.driver, plan.items.length, a.jobs === undefined ? undefined : intIn('jobs', last(a.jobs), 1, 256));
  } catch (e) {
    if (e instanceof UsageError) usage(e.message);
    throw e;
  }
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'validate [{bar}] {value}/{total} runs, {crashes} crashed' },
    cliProgress.Presets.shades_classic);
  let crashes = 0;
  bar.start(plan.items.length, 0, { crashes });
  const t0 = performance.now();
  const res = await runJobs(plan.items, size, (rec) => {
    if (rec.crashed) crashes++;
    bar.increment(1, { crashes });
  });
  bar.stop();
  if (res.interrupted) {
    process.stderr.write(`s390emu: interrupted after ${res.records.length} of ${plan.items.length} runs; no report is written from a partial matrix\n`);
    process.exit(EXIT.INTERRUPTED);
  }
  const report = buildReport(spec, shard, plan.total, res.records, expectations, { seconds: (performance.now() - t0) / 1000, parallelRuns: size });
  emitReport(report, a, out);
}

function mergeCommand(a: Record<string, unknown>): void {
  let report: ValidateReport;
  let out: string | null;
  try {
    report = mergeReports((a.reports as string[] | undefined ?? []).map(String));
    out = outPath(a.out);
  } catch (e) {
    if (e instanceof UsageError) usage(e.message);
    throw e;
  }
  emitReport(report, a, out);
}

function listCommand(a: Record<string, unknown>): void {
  const data = {
    workloads: Object.values(WORKLOADS).map((w) => ({
      name: w.name, description: w.description, minCpus: w.minCpus,
      params: Object.fromEntries(Object.entries(w.params).map(([k, p]) => [k, { default: p.default, ...(p.perCpu !== undefined ? { perCpu: p.perCpu } : {}), min: p.min, max: p.max, description: p.description }])),
    })),
    machines: MACHINES.map((m) => ({ name: m.name, arch: m.arch, ghz: m.ghz, description: m.description })),
    kernels: KERNEL_VARIANTS,
    switches: VARIANT_SWITCHES,
    mechanisms: MECHANISMS,
    expectationPresets: Object.keys(EXPECTATION_PRESETS),
  };
  if (a.json) return void process.stdout.write(JSON.stringify(data, null, 2) + '\n');
  const out: string[] = ['Workloads:'];
  for (const w of data.workloads) {
    out.push(`  ${w.name}: ${w.description}`);
    for (const [k, p] of Object.entries(w.params)) out.push(`      ${k}=${p.perCpu !== undefined ? `${p.perCpu} x cpus, at least ${p.min} (${p.default} at 8)` : p.default}  (${p.min}..${p.max}) ${p.description}`);
  }
  out.push('Machines (cost tables):');
  for (const m of data.machines) out.push(`  ${m.name} [${m.arch}]: ${m.description}`);
  out.push('Kernels:');
  for (const k of data.kernels) out.push(`  ${k.name}: ${k.description}`);
  out.push('Kernel switches (scenario files set them):');
  for (const [k, sw] of Object.entries(data.switches)) out.push(`  ${k}: ${sw.values.join(' | ')}  ${sw.description}`);
  out.push('Mechanisms (the source each follows):');
  for (const x of data.mechanisms) out.push(`  ${x.name}: ${x.follows}${x.switches ? ` [${x.switches.join(', ')}]` : ''}${x.note ? `; ${x.note}` : ''}`);
  out.push(`Expectation presets (validate --expect): ${data.expectationPresets.join(', ')}`);
  process.stdout.write(out.join('\n') + '\n');
}

await yargs(hideBin(process.argv))
  .scriptName('s390emu')
  .usage('$0 <command> [options]')
  .command('run', 'run a workload on the simulated machine', runOptions, runCommand)
  .command('replay <file>', 'replay a schedule file written by run --record or shrink: the same run, or it says how it diverged',
    (y) => y.positional('file', { type: 'string', describe: 'the schedule file' }).option('json', { type: 'boolean', default: false }),
    replayCommand)
  .command('shrink <file>', 'a crashing schedule made minimal: fewer decisions (ddmin), CPUs, roles and sizes, a shorter run; the same crash',
    (y) => y.positional('file', { type: 'string', describe: 'the schedule file' })
      .option('out', { type: 'string', describe: 'where the minimal schedule goes (default FILE.min.json)' }),
    shrinkCommand)
  .command('reproduce', 'the 2016 crash on s390 v4.5-rc1, then the same stress on the configurations history gives',
    (y) => y
      .option('seeds', { type: 'string', default: '3', describe: 'runs per configuration (seeds 1..N)' })
      .option('duration', { type: 'string', default: '3', describe: 'wall-clock cap per run, seconds' })
      .option('cpus', { type: 'string', default: String(DEFAULTS.cpus), describe: 'simulated CPUs' })
      .option('driver', { type: 'string', default: DEFAULTS.driver, describe: DRIVERS.join(' or ') })
      .option('json', { type: 'boolean', default: false }),
    reproduceCommand)
  .command('bench <what>', 'benchmarks: ipi (IPI latency against CPUs, and the price of each fix)',
    (y) => y
      .positional('what', { choices: ['ipi', 'races'] as const, describe: 'the benchmark' })
      .option('race', { type: 'string', default: RACES.map((r) => r.name).join(','), describe: 'races: comma-separated races (scenarios/races.json defines their kernels and mixes)' })
      .option('schedule', { type: 'string', default: SCHEDULES.join(','), describe: 'races: comma-separated exploration policies' })
      .option('budget', { type: 'string', default: '30', describe: 'races: host seconds a search may spend per seed' })
      .option('sim-ms', { type: 'string', default: String(DEFAULTS.simMs), describe: 'races: simulated ms per run' })
      .option('arch', { type: 'string', default: 's390,x86', describe: 'comma-separated arches' })
      .option('cpus', { type: 'string', default: '2,4,8,16,32,64', describe: 'comma-separated CPU counts' })
      .option('calls', { type: 'string', default: '30', describe: 'calls measured per run' })
      .option('held', { type: 'string', default: '0,1', describe: 'comma-separated counts of CPUs held interrupts-off' })
      .option('hold', { type: 'string', default: '20000', describe: 'cycles a held CPU stays interrupts-off after its IPI arrives' })
      .option('seeds', { type: 'string', describe: 'ipi: seeds per configuration (default 1); races: searches per race and policy (default 10)' })
      .option('fix-seeds', { type: 'string', describe: 'ipi: runs per kernel of the fix price, 2-100 (default 5): each figure gets a 95% interval' })
      .option('fix-sim-ms', { type: 'string', default: '5', describe: 'simulated ms of thp-split-vs-gup per fix run' })
      .option('json', { type: 'boolean', default: false })
      .option('csv', { type: 'boolean', default: false })
      .option('out', { type: 'string', describe: 'folder for ipi-latency.svg, the CSVs and the JSON' }),
    (a) => (a.what === 'races' ? benchRacesCommand(a) : benchIpiCommand(a)))
  .command('validate', 'a fix-validation matrix: arches x kernels x workloads x seeds, with crash rates and expectations',
    (y) => y
      .option('arch', { type: 'string', describe: 'comma-separated arches (default s390,x86)' })
      .option('kernel', { type: 'string', describe: 'comma-separated kernels (default v4.4,v4.5-rc1,v4.5-rc1+kick,v4.5)' })
      .option('workload', { type: 'string', describe: `comma-separated workloads (default ${DEFAULTS.workload})` })
      .option('seeds', { type: 'string', describe: 'runs per cell, seeds first-seed.. (default 4)' })
      .option('first-seed', { type: 'string', describe: 'first seed (default 1)' })
      .option('schedule', { type: 'string', describe: `exploration policy of every run (deterministic driver): ${SCHEDULES.join(', ')} (default ${DEFAULTS.schedule})` })
      .option('depth', { type: 'string', describe: `PCT's bug depth (default ${DEFAULTS.depth})` })
      .option('detect', { type: 'string', describe: `comma-separated detection modes, each a copy of the matrix: ${DETECTS.join(', ')} (default ${DEFAULTS.detect})` })
      .option('duration', { type: 'string', describe: `wall-clock cap per run, seconds (default ${DEFAULTS.durationS})` })
      .option('sim-ms', { type: 'string', describe: `simulated length per run, ms (deterministic default ${DEFAULTS.simMs})` })
      .option('cpus', { type: 'string', describe: `simulated CPUs (default ${DEFAULTS.cpus})` })
      .option('mem', { type: 'string', describe: `simulated memory, MiB (default: each arch's, see run --help)` })
      .option('driver', { type: 'string', describe: `${DRIVERS.join(' or ')} (default ${DEFAULTS.driver})` })
      .option('jobs', { type: 'string', describe: 'deterministic runs at once (default: host cores)' })
      .option('shard', { type: 'string', describe: 'K/N: run the K-th of N slices; N alone takes K from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID' })
      .option('expect', { type: 'string', describe: `expected outcomes: a preset (${Object.keys(EXPECTATION_PRESETS).join(', ')}), a JSON file, or none (default: the scenario's, else lkml-2016)` })
      .option('scenario', { type: 'string', describe: 'JSON file defining kernels, workload mixes, arch overrides and the matrix' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .option('markdown', { type: 'boolean', default: false, describe: 'print the report as Markdown for a mail to the list' })
      .option('out', { type: 'string', describe: 'write the JSON report to this file (whole or not at all)' }),
    validateCommand)
  .command('merge <reports..>', 'join validate --shard reports into the report of the whole matrix',
    (y) => y
      .positional('reports', { type: 'string', array: true, describe: 'shard report files (validate --out)' })
      .option('json', { type: 'boolean', default: false })
      .option('markdown', { type: 'boolean', default: false })
      .option('out', { type: 'string', describe: 'write the merged JSON report to this file' }),
    mergeCommand)
  .command('list', 'list workloads, machines and kernel variants', (y) => y.option('json', { type: 'boolean', default: false }), listCommand)
  .demandCommand(1, 'name a command: run, replay, shrink, reproduce, bench, validate, merge or list')
  .strict()
  .fail((msg, err) => {
    if (err && !(err instanceof UsageError)) {
      process.stderr.write(`s390emu: internal error: ${err.stack ?? err.message}\n`);
      process.exit(EXIT.INTERNAL);
    }
    usage(msg ?? err?.message ?? 'bad arguments');
  })
  .help()
  .parseAsync();
