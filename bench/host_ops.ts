// What the host charges for the operations every simulated step is made of,
// the figures behind two choices of the hot path: a thread that steps every
// CPU it holds reads and writes the shared words plainly (emulator/shared.ts)
// instead of through Atomics, and a size is a constant or a table load
// (emulator/pow2.ts) instead of `2 ** shift`; and a routine four generators deep
// steps faster when its calls are made by `yield` (emulator/cpu.ts resume()) than
// through `yield*`, which resumes every caller at every step. Each figure is host ns per
// operation, the median of ROUNDS rounds measured in this one process.
// Usage: npm run bench:ops [-- --rounds R --json]
import * as shared from '../emulator/shared.js';
import { pow2 } from '../emulator/pow2.js';
import { resume, type CallStack, type Fn } from '../emulator/cpu.js';
import { spread } from '../commands/validation/stats.js';
import { checked, intOpt } from './options.js';

const argv = process.argv.slice(2);
const ROUNDS = checked(argv, ['rounds', 'json'], () => intOpt(argv, 'rounds', 5, 1, 100));
const N = 2e7;
const a = new Int32Array(new SharedArrayBuffer(4096));
// (a shift the compiler cannot see as a constant, as a page shift read from an object)
const shape = { shift: Number(process.env.BENCH_SHIFT ?? 20) };

// each loop does one operation per iteration on a word it cannot predict
// a program calling a routine calling a routine calling one that yields: four generators, as a toucher's TLB hit
function* leaf(): Fn<void> { for (;;) yield 1; }
function* byStar(depth: number): Fn<void> { if (depth === 0) yield* leaf(); else yield* byStar(depth - 1); }
function* byCall(depth: number): Fn<void> { if (depth === 0) yield leaf(); else yield byCall(depth - 1); }
const star = byStar(2);
const calls: CallStack = { gen: byCall(2), callers: [], depth: 0, value: undefined };

const loops: Record<string, () => number> = {
  'Atomics.load': () => { let s = 0; for (let i = 0; i < N; i++) s += Atomics.load(a, i & 1023); return s; },
  'shared.load (plain)': () => { let s = 0; for (let i = 0; i < N; i++) s += shared.load(a, i & 1023); return s; },
  'typed-array read': () => { let s = 0; for (let i = 0; i < N; i++) s += a[i & 1023]!; return s; },
  'Atomics.store': () => { for (let i = 0; i < N; i++) Atomics.store(a, i & 1023, i); return 0; },
  'shared.store (plain)': () => { for (let i = 0; i < N; i++) shared.store(a, i & 1023, i); return 0; },
  'Atomics.compareExchange': () => { let s = 0; for (let i = 0; i < N; i++) s += Atomics.compareExchange(a, i & 1023, 0, i); return s; },
  'shared.compareExchange (plain)': () => { let s = 0; for (let i = 0; i < N; i++) s += shared.compareExchange(a, i & 1023, 0, i); return s; },
  'x / 2 ** shift': () => { let s = 0; for (let i = 0; i < N; i++) s += Math.floor((i * 4099) / 2 ** shape.shift); return s; },
  'x / pow2(shift)': () => { let s = 0; for (let i = 0; i < N; i++) s += Math.floor((i * 4099) / pow2(shape.shift)); return s; },
  'a step 4 generators deep, yield*': () => { let s = 0; for (let i = 0; i < N; i++) s += star.next().value as number; return s; },
  'a step 4 generators deep, calls by yield': () => { let s = 0; for (let i = 0; i < N; i++) s += resume(calls); return s; },
};

const ns: Record<string, number[]> = {};
let sink = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, loop] of Object.entries(loops)) {
    const t0 = performance.now();
    sink += loop();
    (ns[name] ??= []).push(((performance.now() - t0) * 1e6) / N);
  }
}
const rows = Object.entries(ns).map(([op, xs]) => ({ op, nsPerOp: spread(xs)!.median }));
if (argv.includes('--json')) console.log(JSON.stringify({ rounds: ROUNDS, node: process.version, rows }, null, 2));
else {
  console.log(`host ns per operation, median of ${ROUNDS} rounds of ${N / 1e6} M (Node ${process.version}):`);
  for (const r of rows) console.log(`  ${r.op.padEnd(42)} ${r.nsPerOp.toFixed(2).padStart(7)}`);
}
if (sink === 0.5) console.log(sink); // (keeps the loops' results alive)
