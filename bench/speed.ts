// The emulator's own speed: steps per host second per host core for each
// driver, and host nanoseconds per simulated IPI round trip, for 2, 8 and 32
// simulated CPUs. Prints medians of REPEATS runs measured in this one process.
// Usage: npm run bench [-- --seconds S --repeats R]
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { run } from '../system/run.js';
import { validateRun } from '../system/args.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const SECONDS = opt('seconds', 1);
const REPEATS = opt('repeats', 3);
const CPUS = [2, 8, 32];
const cores = availableParallelism();

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// every loop is one kick_all_cpus_sync(): an IPI to each other CPU, waited for
const KICK_ONLY = ['irqOffMin=0', 'irqOffMax=0', 'irqOnMax=0', 'kickPercent=100'];

async function measure(driver: 'parallel' | 'deterministic', cpus: number, params: string[]) {
  const speeds: number[] = [];
  const perKick: number[] = [];
  const perIpi: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const r = await run(validateRun({
      workload: 'ipi-storm', arch: 's390', cpus, driver, seed: i + 1, duration: SECONDS, param: params,
      simMs: driver === 'deterministic' ? 60_000 : undefined,
    }));
    walls.push((performance.now() - t0) / 1000);
    const hostCores = driver === 'parallel' ? Math.min(cpus, cores) : 1;
    speeds.push(r.steps / r.hostSeconds / hostCores);
    const kicks = r.cpus.reduce((a, c) => a + c.loops, 0);
    perKick.push((r.hostSeconds * 1e9) / Math.max(1, kicks));
    perIpi.push((r.hostSeconds * 1e9) / Math.max(1, kicks * (cpus - 1)));
  }
  return { speed: median(speeds), perKick: median(perKick), perIpi: median(perIpi), wall: median(walls) };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(`s390emu speed: ${REPEATS} runs of ${SECONDS} s each, medians; host has ${cores} cores; Node ${process.version}`);
console.log('driver         cpus  steps/s/core (ipi-storm)  ns/kick_all_cpus_sync  ns/IPI  wall s (ipi-storm)');
for (const driver of ['deterministic', 'parallel'] as const) {
  for (const cpus of CPUS) {
    const storm = await measure(driver, cpus, []);
    const kicks = await measure(driver, cpus, KICK_ONLY);
    console.log(
      `${driver.padEnd(13)}  ${String(cpus).padStart(4)}  ${fmt(storm.speed).padStart(24)}  ` +
      `${fmt(kicks.perKick).padStart(21)}  ${fmt(kicks.perIpi).padStart(6)}  ${storm.wall.toFixed(2).padStart(18)}`,
    );
  }
}
