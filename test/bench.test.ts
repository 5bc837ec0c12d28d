// s390emu bench ipi: the latency model's shape, replayable figures, and the
// files it writes. (Its speed is printed by the benchmark, never asserted.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { benchIpi, type BenchIpiResult } from '../bench/ipi.js';
import { meanInterval, welch } from '../bench/price_stats.js';
import { cli, nodeChild } from './helpers.js';

const HOLD = 20_000;
const opts = { arches: ['s390', 'x86'], cpus: [2, 4, 8, 16, 64], calls: 8, held: [0, 1], hold: HOLD, seeds: 1, fixSeeds: 2, fixSimMs: 1 };

t.test('kick_all_cpus_sync: grows with CPUs; a held CPU costs at least its section', async (t) => {
  const r = await benchIpi(opts, () => {});
  for (const arch of opts.arches) {
    const kick = (held: number) => r.latency.filter((x) => x.arch === arch && x.call === 'kick_all_cpus_sync' && x.held === held);
    const idle = kick(0).map((x) => x.medianCycles);
    for (let i = 1; i < idle.length; i++) t.ok(idle[i]! > idle[i - 1]!, `${arch}: ${opts.cpus[i]} CPUs slower than ${opts.cpus[i - 1]}`);
    for (const [i, h] of kick(1).entries()) {
      const cpus = opts.cpus[i]!;
      // (medians of different runs: the machine's noise and steal move each by some percent)
      t.ok(h.medianCycles >= Math.max(HOLD * 0.95, idle[i]! * 0.9), `${arch} ${cpus} CPUs: never faster than idle, never before the section ends`);
      // up to 8 CPUs nothing else overlaps the section: the whole of it is added, give or
      // take the machine's noise (each 500-cycle chunk +-25%: about 2% over the section)
      if (cpus <= 8) t.ok(h.medianCycles - idle[i]! >= HOLD * 0.95, `${arch} ${cpus} CPUs: grows by at least the section (${h.medianCycles - idle[i]!})`);
    }
    const single = r.latency.filter((x) => x.arch === arch && x.call === 'smp_call_function_single' && x.held === 0);
    t.ok(single.every((x) => x.medianCycles < kick(0).find((k) => k.cpus === x.cpus)!.medianCycles || x.cpus === 2),
      `${arch}: one IPI is cheaper than an IPI to every CPU`);
  }
  t.ok(r.fixes.length === 4 && r.fixes.every((f) => f.splitsPerSecond > 0 && f.crashes === 0), 'fix runs ran and did not crash');
  const s390 = (k: string) => r.fixes.find((f) => f.arch === 's390' && f.kernel === k)!;
  t.ok(s390('v4.5+kick').ipiCycleShare > s390('v4.5').ipiCycleShare, 'the kick spends cycles on IPIs that v4.5 does not');
  for (const f of r.fixes) {
    for (const [name, i] of Object.entries(f.intervals)) {
      t.ok(i.n === opts.fixSeeds && i.low <= i.mean && i.mean <= i.high, `${f.arch} ${f.kernel} ${name}: ${i.low} <= ${i.mean} <= ${i.high} over ${i.n} runs`);
    }
  }
  t.equal(s390('v4.5').vsBaseline, null, 'the baseline is not tested against itself');
  for (const k of ['v4.4', 'v4.5+kick']) {
    const v = s390(k).vsBaseline!;
    t.equal(v.kernel, 'v4.5', `${k} is priced against v4.5`);
    t.ok(Object.values(v.p).every((p) => p >= 0 && p <= 1), `${k}: p-values are probabilities`);
  }
});

t.test('fix price statistics: t intervals and Welch against known values', async (t) => {
  // mean 3, sd sqrt(2.5), t(0.975, 4) = 2.7764: half-width 1.9632
  const i = meanInterval([1, 2, 3, 4, 5]);
  t.equal(i.mean, 3);
  t.ok(Math.abs(i.high - 4.9632) < 1e-3 && Math.abs(i.low - 1.0368) < 1e-3, `[${i.low}, ${i.high}]`);
  t.same(meanInterval([7]), { mean: 7, low: 7, high: 7, n: 1 }, 'one run: no interval');
  // t = -5 on 8 degrees of freedom: p = 0.00105
  t.ok(Math.abs(welch([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) - 0.00105) < 2e-5, 'Welch p of two shifted samples');
  t.ok(welch([1, 2, 3, 4, 5], [1.1, 2.1, 2.9, 4.2, 4.8]) > 0.5, 'overlapping samples do not differ');
  t.equal(welch([2, 2], [2, 2]), 1, 'identical constant runs');
  t.equal(welch([2, 2], [3, 3]), 0, 'different constant runs');
});

t.test('the same seeds give the same simulated figures', async (t) => {
  const small = { ...opts, cpus: [2, 4], calls: 4 };
  const strip = (r: BenchIpiResult) => ({
    latency: r.latency.map(({ hostNsPerIpi: _h, ...x }) => x),
    fixes: r.fixes,
  });
  t.same(strip(await benchIpi(small, () => {})), strip(await benchIpi(small, () => {})));
});

t.test('the CLI writes the plot, the CSVs and the JSON whole; bad lists exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const r = cli(['bench', 'ipi', '--cpus', '2,4', '--calls', '3', '--fix-seeds', '2', '--fix-sim-ms', '1', '--csv', '--out', dir], 120_000);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^arch,machine,call,cpus,held,samples,median_cycles/);
  t.same(readdirSync(dir).sort(), ['bench-ipi.json', 'fix-price.csv', 'ipi-latency.csv', 'ipi-latency.svg'], 'no temporary files left');
  const svg = readFileSync(join(dir, 'ipi-latency.svg'), 'utf8');
  t.match(svg, /^<svg xmlns/);
  t.match(svg, /<polyline/);
  const json = JSON.parse(readFileSync(join(dir, 'bench-ipi.json'), 'utf8')) as BenchIpiResult;
  t.equal(json.latency.length, 2 * 2 * 2 * 2);
  const bad = cli(['bench', 'ipi', '--arch', 's390,mips', '--out', join(dir, 'nope')]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--arch: 'mips' is not allowed; choose from: s390, x86/);
  t.notOk(existsSync(join(dir, 'nope')), 'nothing written');
  const badCpus = cli(['bench', 'ipi', '--cpus', '2,one']);
  t.equal(badCpus.status, 2);
  t.match(badCpus.stderr, /--cpus: 'one' is not a number/);
});

t.test('npm run bench, bench:cpus, bench:against and bench:ops refuse a bad flag before any run: named, exit 2', async (t) => {
  const bench = (file: string, args: string[]) => spawnSync(...nodeChild([fileURLToPath(new URL(`../bench/${file}`, import.meta.url)), ...args]), { encoding: 'utf8', timeout: 30_000 });
  const speed = bench('speed.js', ['--cpus', '2,x']);
  t.equal(speed.status, 2);
  t.match(speed.stderr, /--cpus: 'x' is not a number/);
  t.equal(speed.stdout, '');
  // a round pairs each count's run with the first count's: a count given twice would pair two runs of one round
  const twice = bench('speed.js', ['--cpus', '2,8,2']);
  t.equal(twice.status, 2);
  t.match(twice.stderr, /--cpus: 2 is given twice/);
  t.equal(twice.stdout, '');
  const cpus = bench('cpus.js', ['--seeds', '0']);
  t.equal(cpus.status, 2);
  t.match(cpus.stderr, /--seeds: must be an integer from 1 to 1000, got 0/);
  t.equal(cpus.stdout, '');
  const count = bench('cpus.js', ['--cpus', '2,5']);
  t.equal(count.status, 2);
  t.match(count.stderr, /--cpus: no cell runs 5 CPUs; the counts are 2, 3, 4, 8, 64/);
  t.equal(count.stdout, '');
  // bench:against needs another build's dist/; without one nothing runs
  const none = bench('against.js', []);
  t.equal(none.status, 2);
  t.match(none.stderr, /--build: give the directory of a checkout/);
  const unbuilt = bench('against.js', ['--build', tmpdir()]);
  t.equal(unbuilt.status, 2);
  t.match(unbuilt.stderr, /has no dist\/system\/run\.js/);
  t.equal(unbuilt.stdout, '');
  const ops = bench('host_ops.js', ['--rounds', '0']);
  t.equal(ops.status, 2);
  t.match(ops.stderr, /--rounds: must be an integer from 1 to 100, got 0/);
});
