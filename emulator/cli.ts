#!/usr/bin/env node
// s390emu: the command line. Exit codes: 0 no crash, 1 internal error,
// 2 bad input, 3 the simulated kernel crashed.
import { basename, dirname, resolve } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { MACHINES } from '../arch/index.js';
import { KERNEL_VARIANTS } from '../kernel-sim/variants.js';
import { WORKLOADS } from '../workloads/index.js';
import { DEFAULTS, DRIVERS, LIMITS } from './config.js';
import { oopsReport, summary } from './report.js';
import cliProgress from 'cli-progress';
import { ARCHES } from '../arch/index.js';
import { benchCsv, benchIpi, benchPlan, benchTable } from './bench_ipi.js';
import { interrupt, isInterrupted } from './interrupt.js';
import { cannotWrite, writeAtomic } from './output.js';
import { reproduce, reproduceTable } from './reproduce.js';
import { latencyPlot } from './svg.js';
import { run } from './run.js';
import { intIn, UsageError, validateRun } from './validate.js';

export const EXIT = { OK: 0, INTERNAL: 1, USAGE: 2, CRASHED: 3, INTERRUPTED: 130 } as const;

// Ctrl-C / SIGTERM: stop every CPU at its next step, report what ran, exit 130
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => interrupt());

function usage(msg: string): never {
  process.stderr.write(`s390emu: ${msg}\nTry 's390emu --help'.\n`);
  process.exit(EXIT.USAGE);
}

function runOptions(y: Argv) {
  return y
    .option('workload', { type: 'string', describe: `one of: ${Object.keys(WORKLOADS).join(', ')}`, default: DEFAULTS.workload })
    .option('arch', { type: 'string', describe: 's390 or x86', default: DEFAULTS.arch })
    .option('machine', { type: 'string', describe: 'cost table (default: z13 for s390, haswell-ep for x86)' })
    .option('kernel', { type: 'string', describe: `one of: ${KERNEL_VARIANTS.map((k) => k.name).join(', ')}`, default: DEFAULTS.kernel })
    .option('cpus', { type: 'string', describe: `simulated CPUs, ${LIMITS.cpus.min}-${LIMITS.cpus.max}`, default: String(DEFAULTS.cpus) })
    .option('mem', { type: 'string', describe: `simulated memory, MiB, ${LIMITS.memMiB.min}-${LIMITS.memMiB.max}`, default: String(DEFAULTS.memMiB) })
    .option('seed', { type: 'string', describe: 'seed of every random choice', default: String(DEFAULTS.seed) })
    .option('driver', { type: 'string', describe: DRIVERS.join(' or '), default: DEFAULTS.driver })
    .option('slack', { type: 'string', describe: "cycles a CPU may run ahead of the slowest (parallel), or 'inf'", default: String(DEFAULTS.slack) })
    .option('duration', { type: 'string', describe: 'wall-clock cap, seconds', default: String(DEFAULTS.durationS) })
    .option('sim-ms', { type: 'string', describe: `simulated length, ms at the modelled clock (deterministic default ${DEFAULTS.simMs})` })
    .option('watchdog', { type: 'string', describe: `lockup watchdog: simulated ms a CPU may busy-wait, or 'off' (default ${DEFAULTS.watchdogMs})` })
    .option('param', { type: 'string', array: true, describe: 'workload parameter NAME=VALUE (see s390emu list)' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
    .option('out', { type: 'string', describe: 'also write the JSON result to this file (whole or not at all)' });
}

async function runCommand(a: Record<string, unknown>): Promise<void> {
  // a flag given twice takes its last value, as most commands do; '--param' is a list
  const last = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);
  const raw = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, k === 'param' ? v : last(v)]));
  let cfg;
  try {
    if (typeof raw.out === 'string' && raw.out !== '') {
      const why = cannotWrite(dirname(resolve(raw.out)));
      if (why) throw new UsageError(`--out: cannot write '${raw.out}' (${why})`);
    }
    cfg = validateRun({ ...raw, simMs: raw['sim-ms'] });
  } catch (e) {
    if (e instanceof UsageError) usage(e.message);
    throw e;
  }
  const r = await run(cfg);
  if (typeof raw.out === 'string' && raw.out !== '') {
    const path = resolve(raw.out);
    writeAtomic(dirname(path), basename(path), JSON.stringify(r, null, 2) + '\n');
  }
  if (a.json) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    process.stdout.write(summary(r) + '\n');
    if (r.crashed) process.stdout.write(oopsReport(r) + '\n');
  }
  if (r.internalError) {
    process.stderr.write(`s390emu: internal error on CPU ${r.internalError.cpu}: ${r.internalError.message}\n` +
      `simulated call trace: ${r.internalError.trace.join(' > ') || '(none)'}\n${r.internalError.stack}\n`);
    process.exitCode = EXIT.INTERNAL;
  } else process.exitCode = r.interrupted ? EXIT.INTERRUPTED : r.crashed ? EXIT.CRASHED : EXIT.OK;
}

async function reproduceCommand(a: Record<string, unknown>): Promise<void> {
  const last = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);
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

async function benchIpiCommand(a: Record<string, unknown>): Promise<void> {
  const last = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);
  let o;
  try {
    o = {
      arches: listOf('arch', last(a.arch), (s) => {
        if (!(s in ARCHES)) throw new UsageError(`--arch: '${s}' is not allowed; choose from: ${Object.keys(ARCHES).join(', ')}`);
        return s;
      }),
      cpus: listOf('cpus', last(a.cpus), (s) => intIn('cpus', s, 2, 128)),
      calls: intIn('calls', last(a.calls), 1, 8192),
      held: listOf('held', last(a.held), (s) => intIn('held', s, 0, 127)),
      hold: intIn('hold', last(a.hold), 0, 100_000_000),
      seeds: intIn('seeds', last(a.seeds), 1, 100),
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

function listCommand(a: Record<string, unknown>): void {
  const data = {
    workloads: Object.values(WORKLOADS).map((w) => ({
      name: w.name, description: w.description, minCpus: w.minCpus,
      params: Object.fromEntries(Object.entries(w.params).map(([k, p]) => [k, { default: p.default, min: p.min, max: p.max, description: p.description }])),
    })),
    machines: MACHINES.map((m) => ({ name: m.name, arch: m.arch, ghz: m.ghz, description: m.description })),
    kernels: KERNEL_VARIANTS,
  };
  if (a.json) return void process.stdout.write(JSON.stringify(data, null, 2) + '\n');
  const out: string[] = ['Workloads:'];
  for (const w of data.workloads) {
    out.push(`  ${w.name}: ${w.description}`);
    for (const [k, p] of Object.entries(w.params)) out.push(`      ${k}=${p.default}  (${p.min}..${p.max}) ${p.description}`);
  }
  out.push('Machines (cost tables):');
  for (const m of data.machines) out.push(`  ${m.name} [${m.arch}]: ${m.description}`);
  out.push('Kernels:');
  for (const k of data.kernels) out.push(`  ${k.name}: ${k.description}`);
  process.stdout.write(out.join('\n') + '\n');
}

await yargs(hideBin(process.argv))
  .scriptName('s390emu')
  .usage('$0 <command> [options]')
  .command('run', 'run a workload on the simulated machine', runOptions, runCommand)
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
      .positional('what', { choices: ['ipi'] as const, describe: 'the benchmark' })
      .option('arch', { type: 'string', default: 's390,x86', describe: 'comma-separated arches' })
      .option('cpus', { type: 'string', default: '2,4,8,16,32,64', describe: 'comma-separated CPU counts' })
      .option('calls', { type: 'string', default: '30', describe: 'calls measured per run' })
      .option('held', { type: 'string', default: '0,1', describe: 'comma-separated counts of CPUs held interrupts-off' })
      .option('hold', { type: 'string', default: '20000', describe: 'cycles a held CPU stays interrupts-off after its IPI arrives' })
      .option('seeds', { type: 'string', default: '1', describe: 'seeds per configuration' })
      .option('fix-sim-ms', { type: 'string', default: '5', describe: 'simulated ms of thp-split-vs-gup per fix run' })
      .option('json', { type: 'boolean', default: false })
      .option('csv', { type: 'boolean', default: false })
      .option('out', { type: 'string', describe: 'folder for ipi-latency.svg, the CSVs and the JSON' }),
    benchIpiCommand)
  .command('list', 'list workloads, machines and kernel variants', (y) => y.option('json', { type: 'boolean', default: false }), listCommand)
  .demandCommand(1, 'name a command: run, reproduce or list')
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
