// The machine's shared accesses (emulator/shared.ts): the plain forms a thread
// uses when it steps every CPU give what Atomics gives, value for value and
// error for error, for any index (past the end, negative, fractional, NaN) and
// any value; and the parallel driver's worker loop refuses to step CPUs from a
// thread whose accesses are plain.
import fc from 'fast-check';
import t from 'tap';
import { atomic, plain, sharedWithOtherThreads } from '../emulator/shared.js';
import { stepWorker } from '../emulator/driver/worker_loop.js';

const LEN = 8;
type Op = keyof typeof plain;
const OPS = Object.keys(plain) as Op[];

const index = fc.oneof(
  fc.integer({ min: -2, max: LEN + 1 }),
  fc.double({ min: -1, max: LEN, noNaN: false }),
  fc.constantFrom(-0, NaN, 2 ** 32, Infinity),
);
const value = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0xffffffff, -0x80000000, 2 ** 40 + 3, NaN, -1.5));

/** What `op` does to an array whose words are `init`: its result or the error it threw, and the words after. */
function outcome(ops: typeof plain, op: Op, init: readonly number[], i: number, v: number, w: number): unknown {
  const a = new Int32Array(new SharedArrayBuffer(4 * LEN));
  a.set(init);
  try {
    const call = ops[op] as (a: Int32Array, i: number, v: number, w: number) => number | void;
    const result = call(a, i, v, w);
    // (a store's result is not used: Atomics.store gives the value stored, the plain store nothing)
    return { result: op === 'store' ? undefined : result, words: [...a] };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message, words: [...a] };
  }
}

t.test('every plain access gives what its Atomics form gives', async (t) => {
  let throws = 0;
  const same = fc.property(
    fc.constantFrom(...OPS), fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: LEN, maxLength: LEN }),
    index, value, value,
    (op, init, i, v, w) => {
      const a = outcome(atomic, op, init, i, v, w);
      if ((a as { error?: string }).error !== undefined) throws++;
      return JSON.stringify(outcome(plain, op, init, i, v, w)) === JSON.stringify(a);
    },
  );
  // (fast-check shrinks a failing case and names it in the error)
  t.doesNotThrow(() => fc.assert(same, { numRuns: 2000, seed: 7 }), 'result, error and words agree in 2,000 cases');
  // (the generators reach the index checks: some of the cases must have thrown)
  t.ok(throws > 0, `${throws} accesses outside the array threw the same RangeError`);
});

t.test('compare-and-swap compares as Atomics does: the expected value as a 32-bit word', async (t) => {
  for (const ops of [plain, atomic]) {
    const a = new Int32Array(new SharedArrayBuffer(8));
    a[0] = -1;
    t.equal(ops.compareExchange(a, 0, 0xffffffff, 5), -1);
    t.equal(a[0], 5, '0xffffffff is the word -1');
  }
});

t.test('a thread that has not said it shares the buffer cannot step a worker\'s CPUs', async (t) => {
  t.equal(sharedWithOtherThreads(), false, 'the test thread steps every CPU it holds: plain accesses');
  t.throws(() => stepWorker(null as never, [], null as never, () => {}), /shareWithOtherThreads/);
});
