// The emulator's own speed: steps per host second per host core for each
// driver, for ipi-storm and thp-split-vs-gup at 2, 8, 64 and 190 simulated
// CPUs (z15's largest configuration), and host nanoseconds per simulated IPI
// (kick_all_cpus_sync() rounds). Plus the deterministic thp-split-vs-gup case
// the speed work is held to (s390 v4.5, 8 CPUs, seed 3, 3 ms). Prints medians
// of REPEATS runs measured in this one process; --json prints the same figures
// as one object.
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

async function speed(a: RawRunArgs): Promise<{ speed: number; wall: number; hostSeconds: number[]; loops: number[] }> {
  const speeds: number[] = [];
  const walls: number[] = [];
  const hostSeconds: number[] = [];
  const loops: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const r = await run(validateRun({ seed: i + 1, ...a }));
    if (r.internalError) throw new Error(`${a.workload} ${a.driver} ${a.cpus} CPUs: ${r.internalError.message}`);
    walls.push((performance.now() - t0) / 1000);
    const hostCores = a.driver === 'parallel' ? Math.min(Number(a.cpus), cores) : 1;
    speeds.push(r.steps / r.hostSeconds / hostCores);
    hostSeconds.push(r.hostSeconds);
    loops.push(r.cpus.reduce((s, c) => s + c.loops, 0));
  }
  return { speed: median(speeds), wall: median(walls), hostSeconds, loops };
}

const base = (driver: Row['driver'], workload: string, cpus: number): RawRunArgs => ({
  workload, arch: 's390', cpus, driver, duration: SECONDS,
  // the deterministic driver runs until the wall-clock cap, as the parallel one does
  simMs: driver === 'deterministic' ? 60_000 : undefined,
});

const rows: Row[] = [];
const fmt = (n: number | null): string => (n === null ? '-' : Math.round(n).toLocaleString('en-US'));
if (!JSON_OUT) {
  console.log(`s390emu speed: ${REPEATS} runs of ${SECONDS} s each, medians; host has ${cores} cores; Node ${process.version}`);
  console.log('driver         workload          cpus  steps/s/core  ns/kick_all_cpus_sync   ns/IPI  wall s');
}
for (const driver of ['deterministic', 'parallel'] as const) {
  for (const workload of ['ipi-storm', 'thp-split-vs-gup']) {
    for (const cpus of CPUS) {
      const s = await speed({ ...base(driver, workload, cpus), ...(workload === 'thp-split-vs-gup' ? { kernel: 'v4.5' } : {}) });
      let nsPerKick: number | null = null;
      let nsPerIpi: number | null = null;
      if (workload === 'ipi-storm') {
        const k = await speed({ ...base(driver, workload, cpus), param: KICK_ONLY });
        nsPerKick = median(k.hostSeconds.map((h, i) => (h * 1e9) / Math.max(1, k.loops[i]!)));
        nsPerIpi = median(k.hostSeconds.map((h, i) => (h * 1e9) / Math.max(1, k.loops[i]! * (cpus - 1))));
      }
      const row: Row = {
        driver, workload, cpus, hostCores: driver === 'parallel' ? Math.min(cpus, cores) : 1,
        stepsPerSecondPerCore: s.speed, nsPerKick, nsPerIpi, wallSeconds: s.wall, runs: REPEATS,
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
const targetRuns: number[] = [];
let targetSteps = 0;
for (let i = 0; i < REPEATS; i++) {
  const r = await run(validateRun(target));
  targetRuns.push(r.stepsPerHostSecond);
  targetSteps = r.steps;
}
const reference = { ...target, steps: targetSteps, stepsPerSecond: median(targetRuns) };

// how each driver's speed holds up from 2 simulated CPUs to 64 and 190 (ipi-storm, this run)
const ratio = (driver: string, workload: string, cpus: number): number | null => {
  const lo = rows.find((r) => r.driver === driver && r.workload === workload && r.cpus === CPUS[0]);
  const hi = rows.find((r) => r.driver === driver && r.workload === workload && r.cpus === cpus);
  return lo && hi ? hi.stepsPerSecondPerCore / lo.stepsPerSecondPerCore : null;
};
const ratios = ['deterministic', 'parallel'].flatMap((driver) => ['ipi-storm', 'thp-split-vs-gup'].flatMap((workload) =>
  CPUS.slice(1).map((cpus) => ({ driver, workload, cpus, of: CPUS[0]!, ratio: ratio(driver, workload, cpus) }))));

if (JSON_OUT) {
  console.log(JSON.stringify({ seconds: SECONDS, repeats: REPEATS, hostCores: cores, node: process.version, rows, ratios, reference }, null, 2));
} else {
  console.log(`\nsteps/s/core at N CPUs over ${CPUS[0]} CPUs, this run:`);
  for (const r of ratios) console.log(`  ${r.driver.padEnd(13)}  ${r.workload.padEnd(16)}  ${String(r.cpus).padStart(4)}: ${r.ratio === null ? '-' : r.ratio.toFixed(2)}`);
  console.log(`\ndeterministic thp-split-vs-gup, s390 v4.5, 8 CPUs, seed 3, 3 ms: ${fmt(reference.stepsPerSecond)} steps/s (${fmt(reference.steps)} steps), median of ${REPEATS}`);
}
