// The emulator's own speed: steps per host second per host core for each
// driver, for ipi-storm and thp-split-vs-gup at 2, 8, 64 and 190 simulated
// CPUs (z15's largest configuration), and host nanoseconds per simulated IPI
// (kick_all_cpus_sync() rounds). Plus the deterministic thp-split-vs-gup case
// the speed work is held to (s390 v4.5, 8 CPUs, seed 3, 3 ms). Prints medians
// of REPEATS rounds measured in this one process (a round runs each CPU count
// once; a ratio between counts is the median of the rounds' ratios); --json
// prints the same figures as one object.
// Usage: npm run bench [-- --seconds S --repeats R --cpus 2,8,64,190 --json]
import { availableParallelism } from 'node:os';
import { run } from '../system/run.js';
import { validateRun, type RawRunArgs } from '../system/args.js';
import { spread } from '../commands/validation/stats.js';
import { LIMITS } from '../system/config.js';
import { checked, intListOpt, intOpt } from './options.js';

const argv = process.argv.slice(2);
const { SECONDS, REPEATS, CPUS } = checked(argv, ['seconds', 'repeats', 'cpus', 'json'], () => ({
  SECONDS: intOpt(argv, 'seconds', 1, 1, 600),
  REPEATS: intOpt(argv, 'repeats', 3, 1, 100),
  CPUS: intListOpt(argv, 'cpus', [2, 8, 64, 190], 2, LIMITS.cpus.max),
}));
const JSON_OUT = argv.includes('--json');
const cores = availableParallelism();

const median = (xs: number[]): number => spread(xs)!.median;

// every loop is one kick_all_cpus_sync(): an IPI to each other CPU, waited for
const KICK_ONLY = ['irqOffMin=0', 'irqOffMax=0', 'irqOnMax=0', 'kickPercent=100'];

interface Row {
  driver: 'deterministic' | 'parallel';
  workload: string;
  cpus: number;
  /** host cores the run could use: 1 for the deterministic driver, min(cpus, cores) for the parallel */
  hostCores: number;
  stepsPerSecondPerCore: number;
  /** ipi-storm with only kicks: host ns per simulated kick_all_cpus_sync() and per IPI in it */
  nsPerKick: number | null;
  nsPerIpi: number | null;
  /** host seconds of one run, start-up included */
  wallSeconds: number;
  runs: number;
}

interface Once { speed: number; wall: number; hostSeconds: number; loops: number }

/** One run of `a` with seed `seed`: steps per host second per host core it could use. */
async function once(a: RawRunArgs, seed: number): Promise<Once> {
  const t0 = performance.now();
  const r = await run(validateRun({ seed, ...a }));
  if (r.internalError) throw new Error(`${a.workload} ${a.driver} ${a.cpus} CPUs: ${r.internalError.message}`);
  const hostCores = a.driver === 'parallel' ? Math.min(Number(a.cpus), cores) : 1;
  return {
    speed: r.steps / r.hostSeconds / hostCores, wall: (performance.now() - t0) / 1000,
    hostSeconds: r.hostSeconds, loops: r.cpus.reduce((n, c) => n + c.loops, 0),
  };
}

const base = (driver: Row['driver'], workload: string, cpus: number): RawRunArgs => ({
  workload, arch: 's390', cpus, driver, duration: SECONDS,
  // the deterministic driver runs until the wall-clock cap, as the parallel one does
  simMs: driver === 'deterministic' ? 60_000 : undefined,
});

const rows: Row[] = [];
const fmt = (n: number | null): string => (n === null ? '-' : Math.round(n).toLocaleString('en-US'));
if (!JSON_OUT) {
  console.log(`s390emu speed: ${REPEATS} rounds of ${SECONDS} s runs, medians; host has ${cores} cores; Node ${process.version}`);
  console.log('driver         workload          cpus  steps/s/core  ns/kick_all_cpus_sync   ns/IPI  wall s');
}
// Each round runs every CPU count once, seed by seed, so the ratio of two counts
// is taken between runs seconds apart: a shared host's slow spells fall on both.
const paired: { driver: string; workload: string; cpus: number; ratio: number }[] = [];
for (const driver of ['deterministic', 'parallel'] as const) {
  for (const workload of ['ipi-storm', 'thp-split-vs-gup']) {
    const args = (cpus: number): RawRunArgs => ({ ...base(driver, workload, cpus), ...(workload === 'thp-split-vs-gup' ? { kernel: 'v4.5' } : {}) });
    const runs = new Map<number, Once[]>(CPUS.map((c) => [c, []]));
    for (let i = 0; i < REPEATS; i++) for (const cpus of CPUS) runs.get(cpus)!.push(await once(args(cpus), i + 1));
    for (const cpus of CPUS.slice(1)) {
      const ratios = runs.get(cpus)!.map((r, i) => r.speed / runs.get(CPUS[0]!)![i]!.speed);
      paired.push({ driver, workload, cpus, ratio: median(ratios) });
    }
    for (const cpus of CPUS) {
      const s = runs.get(cpus)!;
      let nsPerKick: number | null = null;
      let nsPerIpi: number | null = null;
      if (workload === 'ipi-storm') {
        const k: Once[] = [];
        for (let i = 0; i < REPEATS; i++) k.push(await once({ ...args(cpus), param: KICK_ONLY }, i + 1));
        nsPerKick = median(k.map((r) => (r.hostSeconds * 1e9) / Math.max(1, r.loops)));
        nsPerIpi = median(k.map((r) => (r.hostSeconds * 1e9) / Math.max(1, r.loops * (cpus - 1))));
      }
      const row: Row = {
        driver, workload, cpus, hostCores: driver === 'parallel' ? Math.min(cpus, cores) : 1,
        stepsPerSecondPerCore: median(s.map((r) => r.speed)), nsPerKick, nsPerIpi, wallSeconds: median(s.map((r) => r.wall)), runs: REPEATS,
      };
      rows.push(row);
      if (!JSON_OUT) {
        console.log(`${driver.padEnd(13)}  ${workload.padEnd(16)}  ${String(cpus).padStart(4)}  ${fmt(row.stepsPerSecondPerCore).padStart(12)}  ` +
          `${fmt(nsPerKick).padStart(21)}  ${fmt(nsPerIpi).padStart(7)}  ${row.wallSeconds.toFixed(2).padStart(6)}`);
      }
    }
  }
}

// the case the speed work is held to: deterministic, thp-split-vs-gup, s390 v4.5, 8 CPUs, seed 3, 3 ms simulated
const target = { workload: 'thp-split-vs-gup', arch: 's390', kernel: 'v4.5', cpus: 8, seed: 3, driver: 'deterministic', simMs: 3, duration: 600 };
// The rows above ran other machines in this process, and V8 compiled the shared code for
// them: the first runs of this one run while V8 re-optimizes it for this machine (README).
// TARGET_WARM runs first go unmeasured, as in bench:against; the figure is the median of the
// TARGET_RUNS after them, and the warm-up runs' figures are printed beside it.
const TARGET_WARM = 3;
const TARGET_RUNS = Math.max(REPEATS, 5);
const warmRuns: number[] = [];
const targetRuns: number[] = [];
const targetSeconds: number[] = [];
let targetSteps = 0;
for (let i = 0; i < TARGET_WARM + TARGET_RUNS; i++) {
  const r = await run(validateRun(target));
  if (i < TARGET_WARM) { warmRuns.push(r.stepsPerHostSecond); continue; }
  targetRuns.push(r.stepsPerHostSecond);
  targetSeconds.push(r.hostSeconds);
  targetSteps = r.steps;
}
// (simulated time per host second does not move when a model change trades cheap steps for dear ones)
const reference = {
  ...target, steps: targetSteps, stepsPerSecond: median(targetRuns), simMsPerHostSecond: target.simMs / median(targetSeconds),
  runs: TARGET_RUNS, warmUpRuns: TARGET_WARM, warmUpStepsPerSecond: warmRuns,
};

// how each driver's speed holds up from 2 simulated CPUs to 64 and 190: the
// median over the rounds of each round's ratio
const ratios = paired.map((r) => ({ driver: r.driver, workload: r.workload, cpus: r.cpus, of: CPUS[0]!, ratio: r.ratio }));

if (JSON_OUT) {
  console.log(JSON.stringify({ seconds: SECONDS, repeats: REPEATS, hostCores: cores, node: process.version, rows, ratios, reference }, null, 2));
} else {
  console.log(`\nsteps/s/core at N CPUs over ${CPUS[0]} CPUs, this run (median of the rounds' ratios):`);
  for (const r of ratios) console.log(`  ${r.driver.padEnd(13)}  ${r.workload.padEnd(16)}  ${String(r.cpus).padStart(4)}: ${r.ratio.toFixed(2)}`);
  console.log(`\ndeterministic thp-split-vs-gup, s390 v4.5, 8 CPUs, seed 3, 3 ms: ${fmt(reference.stepsPerSecond)} steps/s (${fmt(reference.steps)} steps), ` +
    `${reference.simMsPerHostSecond.toFixed(2)} simulated ms per host s, median of ${TARGET_RUNS} after ${TARGET_WARM} warm-up runs ` +
    `(${warmRuns.map(fmt).join(', ')} steps/s)`);
}
