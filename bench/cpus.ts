// The 2016 crash at every CPU count: s390 v4.5-rc1 under the parallel driver,
// default workload, at 2, 3, 4, 8 and 64 CPUs, and the kernels that must stay
// clean (s390 v4.4 and v4.5, x86 v4.5-rc1) at 2, 4 and 64. Each cell is SEEDS
// runs of at most SECONDS host seconds; it prints crashes per seed and the
// median host seconds to the crash.
// Usage: npm run bench:cpus [-- --seeds N --seconds S --cpus 2,64 --json]
// (--cpus keeps the rows at those counts: after a change that moves only the big machines)
import { run } from '../system/run.js';
import { UsageError, validateRun } from '../system/args.js';
import { spread } from '../commands/validation/stats.js';
import { checked, intListOpt, intOpt } from './options.js';
import { LIMITS } from '../system/config.js';

const argv = process.argv.slice(2);
const JSON_OUT = argv.includes('--json');

const CELLS: { arch: string; kernel: string; cpus: number[]; expect: 'crash' | 'clean' }[] = [
  { arch: 's390', kernel: 'v4.5-rc1', cpus: [2, 3, 4, 8, 64], expect: 'crash' },
  { arch: 's390', kernel: 'v4.4', cpus: [2, 4, 64], expect: 'clean' },
  { arch: 's390', kernel: 'v4.5', cpus: [2, 4, 64], expect: 'clean' },
  { arch: 'x86', kernel: 'v4.5-rc1', cpus: [2, 4, 64], expect: 'clean' },
];

/** The counts asked for, each one a count some cell runs. */
function onlyCounts(xs: number[]): number[] {
  const counts = [...new Set(CELLS.flatMap((c) => c.cpus))].sort((a, b) => a - b);
  const none = xs.find((x) => !counts.includes(x));
  if (none !== undefined) throw new UsageError(`--cpus: no cell runs ${none} CPUs; the counts are ${counts.join(', ')}`);
  return xs;
}

const { SEEDS, SECONDS, ONLY } = checked(argv, ['seeds', 'seconds', 'cpus', 'json'], () => ({
  SEEDS: intOpt(argv, 'seeds', 5, 1, 1000),
  SECONDS: intOpt(argv, 'seconds', 20, 1, 3600),
  ONLY: argv.includes('--cpus') ? onlyCounts(intListOpt(argv, 'cpus', [], 2, LIMITS.cpus.max)) : null,
}));

interface Row { arch: string; kernel: string; cpus: number; expect: string; seeds: number; crashes: number; secondsToCrash: number[]; medianSeconds: number | null; symptoms: string[] }
const rows: Row[] = [];
if (!JSON_OUT) {
  console.log(`s390emu crash by CPU count: parallel driver, thp-split-vs-gup defaults, ${SEEDS} seeds of at most ${SECONDS} s`);
  console.log('arch  kernel     cpus  expect  crashed  median s to crash  first symptoms');
}
for (const cell of CELLS) {
  for (const cpus of cell.cpus) {
    if (ONLY !== null && !ONLY.includes(cpus)) continue;
    const times: number[] = [];
    const symptoms: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = await run(validateRun({ arch: cell.arch, kernel: cell.kernel, cpus, seed, duration: SECONDS }));
      if (r.internalError) throw new Error(`internal error at ${cell.arch} ${cell.kernel} ${cpus} CPUs seed ${seed}: ${r.internalError.message}`);
      if (r.crashed) { times.push(r.hostSeconds); symptoms.push(r.oops?.kind ?? '?'); }
    }
    const row: Row = {
      ...cell, cpus, seeds: SEEDS, crashes: times.length, secondsToCrash: times,
      medianSeconds: spread(times)?.median ?? null, symptoms: [...new Set(symptoms)],
    };
    rows.push(row);
    if (!JSON_OUT) {
      console.log(`${cell.arch.padEnd(4)}  ${cell.kernel.padEnd(9)}  ${String(cpus).padStart(4)}  ${cell.expect.padEnd(6)}  ` +
        `${`${row.crashes}/${SEEDS}`.padStart(7)}  ${(row.medianSeconds === null ? '-' : row.medianSeconds.toFixed(1)).padStart(17)}  ${row.symptoms.join(', ')}`);
    }
  }
}
if (JSON_OUT) console.log(JSON.stringify({ seeds: SEEDS, seconds: SECONDS, rows }, null, 2));
