// The deterministic driver's run queue at many CPUs (emulator/driver/clock_buckets.ts)
// against a plain scan of the clocks: after any sequence of clocks moving forward,
// the first bucket holds exactly the CPUs at the smallest clock, the buckets come in
// clock order, kth picks by CPU number, and smallestIn / smallestBut leave out the
// CPU asked about. Sizes cross the 32-bit word boundary of the bitmaps.
import fc from 'fast-check';
import t from 'tap';
import { ClockBuckets, popcount } from '../emulator/driver/clock_buckets.js';

const SIZES = [1, 2, 9, 33, 64];

/** Every property of the buckets against the clocks; the first disagreement, or null. */
function disagreement(q: ClockBuckets, clock: Float64Array, set: Int32Array, but: number): string | null {
  const n = clock.length;
  const order = [...clock.keys()].sort((a, b) => clock[a]! - clock[b]! || a - b);
  const distinct = [...new Set(order.map((c) => clock[c]!))];
  let i = 0;
  for (let b = q.first(); b >= 0; b = q.after(b), i++) {
    const at = distinct[i];
    if (q.clockOf(b) !== at) return `bucket ${i}: clock ${q.clockOf(b)}, not ${at}`;
    const members = order.filter((c) => clock[c] === at);
    if (q.countOf(b) !== members.length) return `bucket ${i}: ${q.countOf(b)} CPUs, not ${members.length}`;
    for (let k = 0; k < members.length; k++) if (q.kth(b, k) !== members[k]) return `bucket ${i}: kth(${k}) ${q.kth(b, k)}, not ${members[k]}`;
    if (q.kth(b, members.length) !== -1) return `bucket ${i}: a CPU past the last`;
    for (const c of members) if (q.bucketOf(c) !== b) return `CPU ${c} not in its bucket`;
  }
  if (i !== distinct.length) return `${i} buckets, not ${distinct.length}`;
  const others = order.filter((c) => c !== but);
  const inSet = others.filter((c) => (set[c >> 5]! >>> (c & 31)) & 1);
  if (q.smallestBut(but) !== (others.length ? clock[others[0]!] : Infinity)) return `smallestBut(${but})`;
  if (q.smallestIn(set, but) !== (inSet.length ? clock[inSet[0]!] : Infinity)) return `smallestIn(set, ${but})`;
  if (n !== order.length) return 'lost a CPU';
  return null;
}

t.test('buckets, kth, smallestIn and smallestBut agree with a scan of the clocks', async (t) => {
  for (const n of SIZES) {
    const words = (n + 31) >> 5;
    const step = fc.record({ cpu: fc.nat(n - 1), by: fc.constantFrom(0, 0.5, 1, 2, 7), but: fc.nat(n - 1), set: fc.array(fc.integer(), { minLength: words, maxLength: words }) });
    fc.assert(fc.property(fc.array(fc.constantFrom(0, 1, 2), { minLength: n, maxLength: n }), fc.array(step, { maxLength: 150 }), (start, steps) => {
      const clock = Float64Array.from(start);
      const q = new ClockBuckets(clock, n);
      const first = disagreement(q, clock, new Int32Array(words), 0);
      if (first !== null) throw new Error(`at the start: ${first}`);
      for (const s of steps) {
        clock[s.cpu] = clock[s.cpu]! + s.by;
        q.advanced(s.cpu, clock[s.cpu]!);
        const d = disagreement(q, clock, Int32Array.from(s.set), s.but);
        if (d !== null) throw new Error(d);
      }
    }), { numRuns: 200, seed: n });
    t.pass(`${n} CPUs: 200 random sequences`);
  }
});

t.test('every CPU at one clock, then each moving past all the others', async (t) => {
  // the queue's extreme: one bucket of n, then n buckets of one, every bucket reused
  const n = 64;
  const clock = new Float64Array(n);
  const q = new ClockBuckets(clock, n);
  t.equal(q.countOf(q.first()), n);
  for (let round = 1; round <= 3; round++) {
    for (let c = 0; c < n; c++) { clock[c] = round * n + c; q.advanced(c, clock[c]!); }
    t.equal(disagreement(q, clock, new Int32Array(2).fill(-1), n - 1), null, `round ${round}`);
    t.equal(q.kth(q.first(), 0), 0, 'CPU 0 is furthest behind');
  }
});

t.test('popcount counts the bits of any 32-bit word', async (t) => {
  fc.assert(fc.property(fc.integer(), (x) => popcount(x) === [...(x >>> 0).toString(2)].filter((d) => d === '1').length), { seed: 5 });
  t.equal(popcount(-1), 32);
  t.equal(popcount(0), 0);
});
