// The reference case (deterministic thp-split-vs-gup, s390 v4.5, 8 CPUs, seed
// 3, 3 ms) of this build against another build of the project, the two taking
// turns in this one process: on a shared host whose speed moves by half within
// minutes, a figure taken an hour earlier, or even a minute, says little, and
// two runs taken back to back share most of the host's mood. Prints each
// build's median steps per host second and simulated milliseconds per host
// second, and the median of the rounds' time ratios. The first WARM rounds
// only warm the compiler.
// Usage: npm run bench:against -- --build DIR [--rounds R]
//   DIR: a checkout with its dist/ built, e.g.
//   git worktree add /tmp/old 159d777 && (cd /tmp/old && npm ci && npm run build)
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../system/args.js';
import { run } from '../system/run.js';
import { validateRun } from '../system/args.js';
import { spread } from '../commands/validation/stats.js';
import { checked, intOpt } from './options.js';

const WARM = 3;
const argv = process.argv.slice(2);
const { ROUNDS, other } = checked(argv, ['build', 'rounds'], () => {
  const i = argv.indexOf('--build');
  const dir = i < 0 ? undefined : argv[i + 1];
  if (dir === undefined || dir.startsWith('--')) throw new UsageError('--build: give the directory of a checkout whose dist/ is built (npm run build there)');
  const entry = resolve(dir, 'dist/system/run.js');
  if (!existsSync(entry) || !existsSync(resolve(dir, 'dist/system/args.js'))) {
    throw new UsageError(`--build: ${dir} has no dist/system/run.js and dist/system/args.js; run npm ci && npm run build there`);
  }
  return { ROUNDS: intOpt(argv, 'rounds', 12, WARM + 1, 200), other: resolve(dir) };
});

type Runner = (a: Record<string, unknown>) => Promise<{ steps: number; hostSeconds: number; eventHash: string | null }>;
const theirs = await import(pathToFileURL(resolve(other, 'dist/system/run.js')).href) as { run: (c: unknown) => ReturnType<Runner> };
const theirArgs = await import(pathToFileURL(resolve(other, 'dist/system/args.js')).href) as { validateRun: (a: unknown) => unknown };
const builds: { name: string; once: Runner }[] = [
  { name: other, once: (a) => theirs.run(theirArgs.validateRun(a)) },
  { name: 'this build', once: (a) => run(validateRun(a)) },
];

const SIM_MS = 3;
const reference = { workload: 'thp-split-vs-gup', arch: 's390', kernel: 'v4.5', cpus: 8, seed: 3, driver: 'deterministic', simMs: SIM_MS, duration: 600 };
const ms: number[][] = [[], []];
const steps = [0, 0];
const hashes: (string | null)[] = [null, null];
for (let r = 0; r < ROUNDS; r++) {
  // (the order alternates, so neither build always runs second)
  for (const b of r % 2 === 0 ? [0, 1] : [1, 0]) {
    const x = await builds[b]!.once(reference);
    ms[b]!.push(x.hostSeconds * 1000);
    steps[b] = x.steps;
    hashes[b] = x.eventHash;
  }
}
const median = (xs: number[]): number => spread(xs)!.median;
console.log(`reference case, ${ROUNDS} rounds, the first ${WARM} only for warm-up; medians of the rest:`);
for (const b of [0, 1]) {
  const m = median(ms[b]!.slice(WARM));
  console.log(`  ${builds[b]!.name}: ${steps[b]} steps (eventHash ${hashes[b]}), ${m.toFixed(0)} ms a run, ` +
    `${Math.round(steps[b]! / m * 1000).toLocaleString('en-US')} steps/s, ${(SIM_MS / m * 1000).toFixed(2)} simulated ms per host s`);
}
const ratios = ms[0]!.slice(WARM).map((x, k) => x / ms[1]![WARM + k]!);
console.log(`host time of the other build's run over this build's, per round: median ${median(ratios).toFixed(2)} ` +
  `[${ratios.map((x) => x.toFixed(2)).join(' ')}]`);
const perStep = ratios.map((x) => x * steps[1]! / steps[0]!);
console.log(`steps/s of this build over the other's, per round: median ${median(perStep).toFixed(2)}`);
