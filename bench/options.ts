// The benchmarks' own flags (npm run bench, npm run bench:cpus): each checked
// as the CLI checks its own, a bad one named with what is allowed, exit 2.
import { intIn, UsageError } from '../system/args.js';

/** The value after `--name` in `argv`, `dflt` without one; an integer from min to max. */
export function intOpt(argv: readonly string[], name: string, dflt: number, min: number, max: number): number {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? dflt : intIn(name, argv[i + 1], min, max);
}

/** A comma-separated list of distinct integers from min to max after `--name`. */
export function intListOpt(argv: readonly string[], name: string, dflt: readonly number[], min: number, max: number): number[] {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return [...dflt];
  const xs = String(argv[i + 1] ?? '').split(',').map((s) => intIn(name, s, min, max));
  const twice = xs.find((x, j) => xs.indexOf(x) !== j);
  if (twice !== undefined) throw new UsageError(`--${name}: ${twice} is given twice; each value once`);
  return xs;
}

/** Refuses any flag not in `known`, then runs `body`; a UsageError ends the benchmark with exit 2 before it runs. */
export function checked<T>(argv: readonly string[], known: readonly string[], body: () => T): T {
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (!a.startsWith('--')) continue;
      if (!known.includes(a.slice(2))) throw new UsageError(`${a}: not a flag of this benchmark; it takes ${known.map((k) => `--${k}`).join(', ')}`);
    }
    return body();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`s390emu: ${e.message}\n`);
    process.exit(2);
  }
}
