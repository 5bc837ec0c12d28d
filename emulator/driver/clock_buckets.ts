// The deterministic driver's run queue at many CPUs: the CPUs grouped by
// virtual clock, one bucket per distinct clock, the buckets in a list sorted by
// clock, each with a bitmap of its CPUs by number.
//
// Why buckets and not a heap: in a busy machine most CPUs are waiters that
// skip to the clock of the CPU that bounds them, so many share a clock (the
// CPUs tied at the smallest are the first bucket, its bitmap the tie set to
// draw from), and a stepped CPU lands a few distinct clocks behind the
// smallest (ipi-storm at 64 CPUs: 37 distinct clocks, the new one 10th on
// average). A walk of a short, sorted list costs less than a heap's sift,
// whose every level is a branch the host cannot predict; and a set of CPUs is
// then a bitmap (driver's skip sets), entered and left with one bit.

/** the list's head: a bucket that is never used, before the first */
const HEAD = 0;

export class ClockBuckets {
  /** 32-bit words of a bitmap of every CPU */
  readonly words: number;
  /** each bucket's clock (HEAD's: -Infinity) */
  private readonly at: Float64Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** how many CPUs each bucket holds */
  private readonly count: Int32Array;
  /** each bucket's CPUs: `words` words from bucket * words */
  readonly bits: Int32Array;
  /** the bucket each CPU is in */
  private readonly of: Int32Array;
  /** buckets not in the list */
  private readonly free: Int32Array;
  private nFree = 0;

  /** Every CPU, in the bucket of its clock in `clock`. */
  constructor(clock: Float64Array, readonly n: number) {
    const words = (n + 31) >> 5;
    this.words = words;
    // the head, a bucket a CPU, and one more: a moving CPU enters its new bucket before it leaves the old
    const size = n + 2;
    this.at = new Float64Array(size);
    this.next = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.count = new Int32Array(size);
    this.bits = new Int32Array(size * words);
    this.of = new Int32Array(n);
    this.free = new Int32Array(size);
    for (let b = size - 1; b >= 1; b--) this.free[this.nFree++] = b;
    this.at[HEAD] = -Infinity;
    this.next[HEAD] = -1;
    this.prev[HEAD] = -1;
    for (let i = 0; i < n; i++) this.enter(i, clock[i]!, HEAD);
  }

  /** The bucket of the smallest clock (-1 if there are no CPUs). */
  first(): number { return this.next[HEAD]!; }
  /** The bucket after `b` (-1 after the last). */
  after(b: number): number { return this.next[b]!; }
  clockOf(b: number): number { return this.at[b]!; }
  countOf(b: number): number { return this.count[b]!; }
  bucketOf(cpu: number): number { return this.of[cpu]!; }

  /** The `k`-th CPU (from 0, by number) of bucket `b`. */
  kth(b: number, k: number): number {
    const bits = this.bits;
    for (let w = b * this.words, end = w + this.words; w < end; w++) {
      let x = bits[w]!;
      const c = popcount(x);
      if (k >= c) { k -= c; continue; }
      for (; k > 0; k--) x &= x - 1;
      return ((w - b * this.words) << 5) + 31 - Math.clz32(x & -x);
    }
    return -1;
  }

  /** The smallest clock of a CPU but `but` that is in `set` (a bitmap of `words` words); Infinity if none. */
  smallestIn(set: Int32Array, but: number): number {
    const bits = this.bits;
    const words = this.words;
    const butWord = but >> 5;
    const butBit = ~(1 << (but & 31));
    for (let b = this.next[HEAD]!; b >= 0; b = this.next[b]!) {
      const base = b * words;
      for (let w = 0; w < words; w++) {
        let x = bits[base + w]! & set[w]!;
        if (w === butWord) x &= butBit;
        if (x !== 0) return this.at[b]!;
      }
    }
    return Infinity;
  }

  /** The smallest clock of a CPU but `but`; Infinity if there is none. */
  smallestBut(but: number): number {
    const b = this.next[HEAD]!;
    if (b < 0) return Infinity;
    if (this.of[but] !== b || this.count[b]! > 1) return this.at[b]!;
    const n = this.next[b]!;
    return n < 0 ? Infinity : this.at[n]!;
  }

  /** CPU `cpu`'s clock has moved forward to `clock`: it leaves its bucket for that clock's. */
  advanced(cpu: number, clock: number): void {
    const from = this.of[cpu]!;
    if (this.at[from] === clock) return;
    // (the new clock is later: its place is after the old bucket)
    this.enter(cpu, clock, from);
    this.leave(cpu, from);
  }

  /** Puts `cpu` in the bucket of `clock`, made if need be, looking from bucket `from` on. */
  private enter(cpu: number, clock: number, from: number): void {
    const next = this.next;
    const at = this.at;
    let p = from;
    let b = next[p]!;
    while (b >= 0 && at[b]! < clock) { p = b; b = next[b]!; }
    if (b < 0 || at[b] !== clock) {
      // a new bucket between p and b
      const nb = this.free[--this.nFree]!;
      at[nb] = clock;
      next[nb] = b;
      this.prev[nb] = p;
      next[p] = nb;
      if (b >= 0) this.prev[b] = nb;
      b = nb;
    }
    this.bits[b * this.words + (cpu >> 5)]! |= 1 << (cpu & 31);
    this.count[b]!++;
    this.of[cpu] = b;
  }

  private leave(cpu: number, b: number): void {
    this.bits[b * this.words + (cpu >> 5)]! &= ~(1 << (cpu & 31));
    if (--this.count[b]! > 0) return;
    const p = this.prev[b]!;
    const n = this.next[b]!;
    this.next[p] = n;
    if (n >= 0) this.prev[n] = p;
    this.free[this.nFree++] = b;
  }
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
