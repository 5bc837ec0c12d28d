// validate, merge and scenario files: the statistics, sharded runs merging to
// the unsharded report, expectations that can fail, and every scenario mistake
// named with its path.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { parseShard } from '../commands/validation/shard.js';
import { crashRate, spread } from '../commands/validation/stats.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 's390emu-validate-'));
const file = (name: string, body?: unknown): string => {
  const p = join(dir, name);
  if (body !== undefined) writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
};
/** a report without what depends on the host */
const seedOnly = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'), (k, v) => (k === 'host' || k === 'hostSeconds' ? undefined : v));

t.test('Wilson interval and the rule of three', async (t) => {
  // Wilson (1927) for 4/4 and 2/4 at 95%: published values [0.510, 1] and [0.150, 0.850]
  const all = crashRate(4, 4);
  t.equal(all.method, 'wilson');
  t.equal(all.low.toFixed(3), '0.510');
  t.equal(all.high, 1);
  const half = crashRate(2, 4);
  t.equal(half.low.toFixed(3), '0.150');
  t.equal(half.high.toFixed(3), '0.850');
  t.same(crashRate(0, 20), { rate: 0, low: 0, high: 0.15, method: 'rule-of-three' });
  t.equal(crashRate(0, 2).high, 1, 'capped at 1');
  t.throws(() => crashRate(3, 2));
  fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), (n, k0) => {
    const k = k0 % (n + 1);
    const r = crashRate(k, n);
    const wider = crashRate(k, n).high - crashRate(k, n).low >= crashRate(k * 4, n * 4).high - crashRate(k * 4, n * 4).low - 1e-12;
    return r.low >= 0 && r.high <= 1 && r.low <= r.rate && r.rate <= r.high && wider;
  }));
  t.same(spread([5, 1, 3, 2, 4]), { n: 5, median: 3, q1: 2, q3: 4, min: 1, max: 5 });
  t.equal(spread([]), null);
});

t.test('shard index from the flag or the job engine', async (t) => {
  t.same(parseShard('2/3', {}), { index: 2, count: 3 });
  t.same(parseShard('3', { JOB_COMPLETION_INDEX: '0' }), { index: 1, count: 3 });
  t.same(parseShard('3', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1' }), { index: 3, count: 3 });
  t.throws(() => parseShard('3', {}), /neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID/);
  t.throws(() => parseShard('4/3', {}), /K must be from 1 to 3/);
  t.throws(() => parseShard('3', { JOB_COMPLETION_INDEX: '3' }), /JOB_COMPLETION_INDEX/);
  t.equal(parseShard(undefined, {}), null);
});

const MATRIX = ['--arch', 's390,x86', '--kernel', 'v4.4,v4.5-rc1', '--seeds', '2', '--driver', 'deterministic', '--sim-ms', '1.5', '--duration', '60'];

t.test('sharded 1/2 and 2/2, merged, equal the unsharded report', async (t) => {
  const whole = cli(['validate', ...MATRIX, '--out', file('whole.json'), '--markdown'], 120_000);
  t.equal(whole.status, 0, whole.stderr);
  t.match(whole.stdout, /\| arch \| kernel \| workload \| runs \| crashes \|/, 'Markdown table');
  const s1 = cli(['validate', ...MATRIX, '--shard', '1/2', '--out', file('s1.json'), '--json'], 120_000);
  // the second shard takes its index from a Kubernetes Indexed Job's variable (0-based)
  // ... and, given a folder, names its file after the slice
  const s2 = cli(['validate', ...MATRIX, '--shard', '2', '--out', `${dir}/shards/`, '--json'], 120_000, { JOB_COMPLETION_INDEX: '1' });
  t.equal(s1.status, 0, s1.stderr);
  t.equal(s2.status, 0, s2.stderr);
  const a = JSON.parse(s1.stdout) as { runs: unknown[]; shard: unknown; jobs: number };
  t.same(a.shard, { index: 1, count: 2 });
  t.equal(a.runs.length, 4, 'every second of 8 jobs');
  const merged = cli(['merge', join(dir, 'shards', 'validate-shard-2-of-2.json'), file('s1.json'), '--out', file('merged.json')]);
  t.equal(merged.status, 0, merged.stderr);
  t.same(seedOnly(file('merged.json')), seedOnly(file('whole.json')));
  const r = seedOnly(file('whole.json')) as { cells: { arch: string; kernel: string; crashes: number }[] };
  t.ok(r.cells.find((c) => c.arch === 's390' && c.kernel === 'v4.5-rc1')!.crashes > 0, 'the unfixed kernel fails under this load');

  const lone = cli(['merge', file('s1.json')]);
  t.equal(lone.status, 2);
  t.match(lone.stderr, /4 of 8 jobs are in no report/);
  const twice = cli(['merge', file('s1.json'), file('s1.json')]);
  t.equal(twice.status, 2);
  t.match(twice.stderr, /job 0 is in both/);
});

t.test('a cell that disagrees with its expectation fails the validation', async (t) => {
  const wrong = file('wrong.json', [{ arch: 's390', kernel: 'v4.5-rc1', crashes: false, why: 'claimed fixed' }]);
  const r = cli(['validate', '--arch', 's390', '--kernel', 'v4.5-rc1', '--seeds', '2', '--driver', 'deterministic', '--sim-ms', '3', '--expect', wrong]);
  t.equal(r.status, 4);
  t.match(r.stdout, /no crash: DISAGREES/);
  t.match(r.stdout, /1 cell\(s\) DISAGREE with the expectations of/);
});

t.test('a scenario kernel with v4.5\'s switches runs exactly as the v4.5 preset', async (t) => {
  const sc = file('fix.json', {
    description: 'the address fix, written as data',
    kernels: { 'rc1+address-fix': { extends: 'v4.5-rc1', switches: { pmdpInvalidateAddress: 'haddr' } } },
    validate: { arch: ['s390'], kernel: ['v4.5-rc1', 'rc1+address-fix'], seeds: 2, driver: 'deterministic', simMs: 3 },
    expect: [
      { arch: 's390', kernel: 'v4.5-rc1', crashes: true },
      { arch: 's390', kernel: 'rc1+address-fix', crashes: false, why: 'the fix holds' },
    ],
  });
  const v = cli(['validate', '--scenario', sc, '--json'], 120_000);
  t.equal(v.status, 0, v.stderr);
  const rep = JSON.parse(v.stdout) as { cells: { kernel: string; crashes: number; expected: { agrees: boolean } }[]; runs: { kernel: string; seed: number; eventHash: string }[] };
  t.same(rep.cells.map((c) => [c.kernel, c.crashes > 0, c.expected.agrees]), [['v4.5-rc1', true, true], ['rc1+address-fix', false, true]]);
  const preset = cli(['run', '--kernel', 'v4.5', '--driver', 'deterministic', '--sim-ms', '3', '--seed', '1', '--json']);
  t.equal((JSON.parse(preset.stdout) as { eventHash: string }).eventHash, rep.runs.find((r) => r.kernel === 'rc1+address-fix' && r.seed === 1)!.eventHash);
  const run = cli(['run', '--scenario', sc, '--kernel', 'rc1+address-fix', '--driver', 'deterministic', '--sim-ms', '1', '--json']);
  t.equal(run.status, 0, run.stderr);
  t.match((JSON.parse(run.stdout) as { replay: string }).replay, `--scenario ${sc}`);
});

t.test('a malformed scenario: one error per mistake, with its path, exit 2', async (t) => {
  const sc = file('bad.json', {
    kernels: {
      mine: { extends: 'v9.9', switches: { thpSplit: 'sideways' } },
      full: { switches: { kickInPmdpInvalidate: true } },
      'v4.4': { extends: 'v4.5' },
    },
    workloads: { heavy: { extends: 'thp-split-vs-gup', params: { thps: 999, nosuch: 1 } } },
    arches: { s390: { machine: 'haswell-ep', costs: { ipte: -1 } }, mips: {} },
    validate: { arch: ['s390', 'sparc'], seeds: 0 },
    extra: true,
  });
  const r = cli(['validate', '--scenario', sc]);
  t.equal(r.status, 2);
  t.equal(r.stdout, '');
  // the schema's mistakes first; cross-references are checked once the shape is right
  for (const m of [
    /kernels\.mine\.switches\.thpSplit: "sideways" is not allowed; choose one of: splitting-flush, pmdp-invalidate/,
    /arches\.s390\.costs\.ipte: an integer from 0 to 1000000000/,
    /arches\.mips: "mips" is not allowed; choose one of: s390, x86/,
    /validate\.seeds: an integer from 1 to 10000/,
    /\(top level\): unknown key 'extra'; allowed: description, kernels, workloads, arches, run, validate, expect/,
  ]) t.match(r.stderr, m);
  t.match(r.stderr, /5 mistakes/);

  const refs = file('refs.json', {
    kernels: { mine: { extends: 'v9.9' }, full: { switches: { kickInPmdpInvalidate: true } }, 'v4.4': { extends: 'v4.5' } },
    workloads: { heavy: { extends: 'thp-split-vs-gup', params: { thps: 999, nosuch: 1 } } },
    arches: { s390: { machine: 'haswell-ep' } },
    validate: { arch: ['s390', 'sparc'] },
  });
  const r2 = cli(['run', '--scenario', refs]);
  t.equal(r2.status, 2);
  for (const m of [
    /kernels\.mine\.extends: no kernel 'v9\.9'; presets: v4\.4, /,
    /kernels\.full\.switches: without 'extends' every switch is required; missing: thpSplit, pmdpInvalidateAddress/,
    /kernels\.v4\.4: 'v4\.4' is a preset's name/,
    /workloads\.heavy\.params\.thps: an integer from 1 to 32, got 999/,
    /workloads\.heavy\.params\.nosuch: thp-split-vs-gup has no parameter 'nosuch'/,
    /arches\.s390\.machine: 'haswell-ep' is not allowed; choose one of: z13, z14/,
    /validate\.arch\.1: 'sparc' is not allowed/,
  ]) t.match(r2.stderr, m);
  t.match(r2.stderr, /7 mistakes/);

  const notJson = cli(['run', '--scenario', file('nojson.json', '{ "kernels": ')]);
  t.equal(notJson.status, 2);
  t.match(notJson.stderr, /1 mistake:\n {2}not JSON/);
  const missing = cli(['validate', '--scenario', join(dir, 'absent.json')]);
  t.equal(missing.status, 2);
  t.match(missing.stderr, /--scenario: cannot read .*ENOENT/);
});

t.test('validate refuses bad flags before any run', async (t) => {
  for (const [args, msg] of [
    [['--kernel', 'v4.4,v9'], /--kernel: 'v9' is not allowed; choose from: v4\.4/],
    [['--arch', 's390,s390'], /--arch: a name is given twice/],
    [['--seeds', '0'], /--seeds: must be an integer from 1 to 10000/],
    [['--shard', '3/2'], /--shard: K must be from 1 to 2/],
    [['--expect', join(dir, 'absent.json')], /--expect: cannot read/],
  ] as [string[], RegExp][]) {
    const r = cli(['validate', '--driver', 'deterministic', ...args]);
    t.equal(r.status, 2, args.join(' '));
    t.match(r.stderr, msg);
    t.equal(r.stdout, '');
  }
});

t.test('ppc64 and arm64 in the matrix: each arch its memory, history\'s outcome', async (t) => {
  const r = cli(['validate', '--arch', 'ppc64,arm64', '--kernel', 'v4.5-rc1', '--seeds', '1', '--driver', 'deterministic', '--json'], 120_000);
  t.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as { matrix: { memMiB: number | null }; cells: { arch: string; crashes: number; expected: { agrees: boolean } }[]; runs: { arch: string; replay: string }[] };
  t.equal(rep.matrix.memMiB, null, 'no --mem: each arch its default');
  t.match(rep.runs.find((x) => x.arch === 'ppc64')!.replay, / --mem 256 /);
  t.match(rep.runs.find((x) => x.arch === 'arm64')!.replay, / --mem 64 /);
  t.same(rep.cells.map((c) => [c.arch, c.crashes > 0, c.expected.agrees]), [['ppc64', true, true], ['arm64', false, true]]);
  const big = cli(['validate', '--arch', 'ppc64', '--mem', '1024', '--driver', 'deterministic']);
  t.equal(big.status, 2);
  t.match(big.stderr, /--mem: must be an integer from 16 to 512, got 1024/);
});

t.test('--expect history: the matrix is the preset\'s rows, each with its simulated length', async (t) => {
  const { EXPECTATION_PRESETS, presetCells } = await import('../commands/validation/expect.js');
  const { configOf, jobsOf } = await import('../commands/validation/matrix.js');
  const rows = EXPECTATION_PRESETS.history!;
  const cells = presetCells(rows, false);
  t.equal(cells.length, rows.length, 'one cell a row');
  t.throws(() => presetCells([...rows, rows[0]!], false), /has two rows/, 'a cell given two rows is refused, not dropped');
  t.ok(rows.every((r) => r.why && r.workload), 'every row says why, and names its workload');
  t.ok(rows.some((r) => /70cbc3cc78a9/.test(r.why!)) && rows.some((r) => /2ba99c5e0881/.test(r.why!)) && rows.some((r) => /a37259732a7d/.test(r.why!)), 'the later members\' fixes are cited');
  const collapse = cells.find((c) => c.workload === 'collapse-munmap' && c.arch === 's390' && c.kernel === 'v5.19')!;
  t.equal(collapse.simMs, 40);
  t.equal(presetCells(rows, true).find((c) => c.workload === 'collapse-munmap')!.simMs, undefined, '--sim-ms given: it decides');
  const spec = {
    arches: [], kernels: [], workloads: [], seeds: 2, firstSeed: 1, driver: 'deterministic' as const, cpus: 8, memMiB: null,
    durationS: 120, simMs: 2, scenario: null, schedule: null, cells,
  };
  const jobs = jobsOf(spec);
  t.equal(jobs.length, cells.length * 2, 'cells x seeds');
  const j = jobs.find((x) => x.workload === 'collapse-munmap')!;
  t.equal(configOf(spec, j).simMs, 40, 'a run of the cell gets the cell\'s length');
  t.equal(configOf(spec, jobs[0]!).simMs, 2, 'a 2016 row keeps the matrix\'s');
  // through the CLI: one shard of one run, to see the wiring (driver, cells) without running the suite
  const out = file('history-shard.json');
  const r = cli(['validate', '--expect', 'history', '--seeds', '1', '--shard', `1/${cells.length}`, '--json', '--out', out], 120_000);
  t.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(readFileSync(out, 'utf8')) as {
    matrix: { driver: string; cells: unknown[] }; runs: { arch: string; kernel: string; workload: string; crashed: boolean }[];
    cells: { symptoms: { kind: string; function: string; runs: number }[] }[];
  };
  t.equal(rep.matrix.driver, 'deterministic', 'the rows run under the deterministic driver');
  t.equal(rep.matrix.cells.length, cells.length);
  t.same(rep.runs.map((x) => `${x.arch} ${x.kernel} ${x.workload}`), [`${cells[0]!.arch} ${cells[0]!.kernel} ${cells[0]!.workload}`]);
  t.equal(rep.runs[0]!.crashed, true, 's390 v4.5-rc1, seed 1: the 2016 crash');
  t.same(rep.cells[0]!.symptoms, [{ kind: 'KASAN: use-after-free', function: 'user access', runs: 1 }], 'its symptom: the check, where it fired, how often');
});

t.test('a symptom is the check and the innermost function that is not a reporter', async (t) => {
  const { firedIn } = await import('../commands/validation/matrix.js');
  t.equal(firedIn(['get_user_pages_fast', '__get_user_pages_fast', 'gup_pte_range', 'kasan_report']), 'gup_pte_range');
  t.equal(firedIn(['zap_pte_range', 'put_page', '__put_page', '__free_pages', 'bad_page']), '__free_pages');
  t.equal(firedIn(['user load 0x40001000', 'kasan_report']), 'user access');
  t.equal(firedIn([]), '(no kernel frame)');
});
