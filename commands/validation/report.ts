// The validation report: the matrix, its cells and runs, as JSON a merge can
// join; a terminal table; and Markdown fit to paste into a mail to the list.
import { readText } from '../../system/scenario.js';
import { UsageError } from '../../system/args.js';
import type { ExpectationSet } from './expect.js';
import { cellsOf, type Cell, type MatrixSpec, type RunRecord } from './matrix.js';
import type { Spread } from './stats.js';

export const REPORT_FORMAT = 's390emu-validate/1';

export interface ValidateReport {
  readonly format: typeof REPORT_FORMAT;
  readonly matrix: MatrixSpec;
  /** which slice this report holds; null for a whole matrix (run whole, or merged) */
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** jobs in the whole matrix */
  readonly jobs: number;
  readonly expectations: ExpectationSet | null;
  readonly cells: readonly Cell[];
  /** in job order */
  readonly runs: readonly RunRecord[];
  /** what depends on the host, not on the seeds: left out when reports are compared */
  readonly host: { readonly seconds: number; readonly parallelRuns: number };
}

export function buildReport(
  matrix: MatrixSpec, shard: ValidateReport['shard'], jobs: number, runs: readonly RunRecord[],
  expectations: ExpectationSet | null, host: ValidateReport['host'],
): ValidateReport {
  const sorted = [...runs].sort((a, b) => a.index - b.index);
  return { format: REPORT_FORMAT, matrix, shard, jobs, expectations, cells: cellsOf(matrix, sorted, expectations?.list ?? []), runs: sorted, host };
}

export function disagreeing(r: ValidateReport): Cell[] {
  return r.cells.filter((c) => c.expected && !c.expected.agrees);
}

function readReport(path: string): ValidateReport {
  let j: ValidateReport;
  try {
    j = JSON.parse(readText('merge', path)) as ValidateReport;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`merge: '${path}' is not JSON: ${(e as Error).message}`);
  }
  if (j?.format !== REPORT_FORMAT) throw new UsageError(`merge: '${path}' is not a validation report (format must be '${REPORT_FORMAT}', got ${JSON.stringify(j?.format)})`);
  if (!Array.isArray(j.runs) || typeof j.jobs !== 'number') throw new UsageError(`merge: '${path}': runs and jobs are missing`);
  return j;
}

/** Joins shard reports into the report one unsharded run of the same matrix gives. */
export function mergeReports(paths: readonly string[]): ValidateReport {
  if (paths.length === 0) throw new UsageError('merge: name the shard reports to join');
  const reports = paths.map(readReport);
  const first = reports[0]!;
  const key = JSON.stringify(first.matrix);
  const expKey = JSON.stringify(first.expectations);
  const seen = new Map<number, string>();
  reports.forEach((r, i) => {
    if (JSON.stringify(r.matrix) !== key) throw new UsageError(`merge: '${paths[i]}' is of another matrix than '${paths[0]}'`);
    if (JSON.stringify(r.expectations) !== expKey) throw new UsageError(`merge: '${paths[i]}' was checked against other expectations than '${paths[0]}'`);
    for (const run of r.runs) {
      const other = seen.get(run.index);
      if (other !== undefined) throw new UsageError(`merge: job ${run.index} is in both '${other}' and '${paths[i]}'`);
      seen.set(run.index, paths[i]!);
    }
  });
  const missing = Array.from({ length: first.jobs }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length) {
    const counts = [...new Set(reports.map((r) => r.shard?.count))].join(', ');
    throw new UsageError(`merge: ${missing.length} of ${first.jobs} jobs are in no report (first: job ${missing[0]}); given ${reports.length} report(s) of a ${counts}-way sharding`);
  }
  return buildReport(first.matrix, null, first.jobs, reports.flatMap((r) => r.runs), first.expectations, {
    seconds: Math.max(...reports.map((r) => r.host.seconds)),
    parallelRuns: reports.reduce((a, r) => a + r.host.parallelRuns, 0),
  });
}

const pct = (x: number): string => `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;

function rate(c: Cell): string {
  const r = c.crashRate;
  return `${pct(r.rate)} [${pct(r.low)}, ${pct(r.high)}]${r.method === 'rule-of-three' ? '*' : ''}`;
}

function ttc(s: Spread | null, unit: string, digits: number): string {
  if (!s) return '-';
  const f = (x: number): string => x.toFixed(digits);
  return s.n === 1 ? `${f(s.median)} ${unit}` : `${f(s.median)} ${unit} [${f(s.min)}-${f(s.max)}]`;
}

function expected(c: Cell): string {
  if (!c.expected) return '-';
  return `${c.expected.crashes ? 'crash' : 'no crash'}: ${c.expected.agrees ? 'agrees' : 'DISAGREES'}`;
}

/** whether the matrix has a cell of another detection mode than kasan (then the tables show the mode) */
const detecting = (r: ValidateReport): boolean => r.cells.some((c) => c.detect !== undefined);

/** A cell's name in lines of text: arch, kernel, workload, and a detection mode other than kasan. */
const label = (c: Cell): string => `${c.arch} ${c.kernel} ${c.workload}${c.detect ? ` (--detect ${c.detect})` : ''}`;

function rows(r: ValidateReport): string[][] {
  const host = r.matrix.driver === 'parallel';
  return r.cells.map((c) => [
    c.arch, c.kernel, c.workload, ...(detecting(r) ? [c.detect ?? 'kasan'] : []), String(c.runs), String(c.crashes) + (c.truncated ? ` (${c.truncated} cut short)` : ''), rate(c),
    ttc(c.timeToCrash.simulatedUs, 'us', 0) + (host ? ` / ${ttc(c.timeToCrash.hostSeconds, 's', 2)}` : ''),
    expected(c),
    ...(r.matrix.schedule ? [explored(c)] : []),
  ]);
}

/** "delay, 315 decisions": what a clean cell's silence was searched with */
function explored(c: Cell): string {
  const e = c.explored;
  if (!e) return '-';
  return `${e.policy}${e.depth !== undefined ? ` d=${e.depth}` : ''}, ${e.decisions} decisions`;
}

function head(r: ValidateReport): string[] {
  return ['arch', 'kernel', 'workload', ...(detecting(r) ? ['detect'] : []), 'runs', 'crashes', 'crash rate [95%]', r.matrix.driver === 'parallel' ? 'time to crash: simulated / host' : 'time to crash (simulated)', 'expected',
    ...(r.matrix.schedule ? ['explored'] : [])];
}

function describe(r: ValidateReport): string {
  const m = r.matrix;
  const last = m.firstSeed + m.seeds - 1;
  const own = (m.cells ?? []).map((c) => c.simMs).filter((x): x is number => x !== undefined);
  const len = m.simMs === null ? `up to ${m.durationS} s each`
    : own.length ? `each cell its own simulated length, ${Math.min(m.simMs, ...own)}-${Math.max(m.simMs, ...own)} ms (at most ${m.durationS} s)`
    : `${m.simMs} ms simulated each (at most ${m.durationS} s)`;
  const sched = m.schedule ? ` under ${m.schedule.policy}${m.schedule.policy === 'pct' ? ` d=${m.schedule.depth}` : ''}` : '';
  return `${m.cpus} CPUs, ${m.driver} driver${sched}, seeds ${m.firstSeed}-${last}, ${len}` +
    (m.scenario ? `, scenario ${m.scenario}` : '') + (r.shard ? `; shard ${r.shard.index}/${r.shard.count} (${r.runs.length} of ${r.jobs} runs)` : '');
}

const NOTE = 'crash rate: Wilson 95% interval; * = no crash, the rule of three (below 3/runs with 95% confidence). time to crash: median [min-max].';

/** One line per crashing cell: its symptoms, most runs first. */
function symptomLines(r: ValidateReport): string[] {
  return r.cells.filter((c) => (c.symptoms ?? []).length)
    .map((c) => `${label(c)}: ${c.symptoms.map((s) => `${s.kind} in ${s.function} (${s.runs})`).join('; ')}`);
}

export function validateTable(r: ValidateReport): string {
  const all = [head(r), ...rows(r)];
  const w = all[0]!.map((_, i) => Math.max(...all.map((x) => x[i]!.length)));
  const lines = [`validate: ${describe(r)}`, ...all.map((x) => x.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()), NOTE];
  for (const c of r.cells) {
    for (const o of c.firstOops) lines.push(`first ${o.kind} on ${label(c)} (seed ${o.seed}, CPU ${o.cpu}): ${o.message}\n  replay: ${o.replay}`);
  }
  const sym = symptomLines(r);
  if (sym.length) lines.push('symptoms (first check to fire, in which function, runs):', ...sym.map((x) => `  ${x}`));
  if (r.expectations) {
    const bad = disagreeing(r);
    lines.push(bad.length ? `${bad.length} cell(s) DISAGREE with the expectations of ${r.expectations.source}` : `every cell with an expectation of ${r.expectations.source} agrees`);
  }
  return lines.join('\n');
}

export function validateMarkdown(r: ValidateReport): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const h = head(r);
  const out = [
    `Validation with s390emu: ${describe(r)}.`,
    '',
    `| ${h.join(' | ')} |`,
    `|${h.map((_, i) => (i >= 3 && i <= 4 ? '---:' : '---')).join('|')}|`,
    ...rows(r).map((x) => `| ${x.map(esc).join(' | ')} |`),
    '',
    NOTE,
  ];
  const oopses = r.cells.flatMap((c) => c.firstOops.map((o) => ({ c, o })));
  if (oopses.length) {
    out.push('', 'First oops of each kind, and the command that replays it:', '');
    for (const { c, o } of oopses) out.push(`- ${label(c)}, seed ${o.seed}, CPU ${o.cpu}: ${o.kind}: ${o.message}`, `  \`${o.replay}\``);
  }
  const sym = symptomLines(r);
  if (sym.length) out.push('', 'Symptoms: the first check to fire, in which function, and in how many runs:', '', ...sym.map((x) => `- ${esc(x)}`));
  if (r.expectations) {
    const bad = disagreeing(r);
    out.push('', bad.length
      ? `${bad.length} cell(s) disagree with the expectations of ${r.expectations.source}: ${bad.map(label).join('; ')}.`
      : `Every cell with an expectation (${r.expectations.source}) agrees with it.`);
  }
  return out.join('\n');
}
