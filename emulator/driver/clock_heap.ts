// A parallel worker's run queue (worker_loop.ts): a binary min-heap of its CPU
// numbers keyed by (virtual clock, CPU number), so the CPU furthest behind is
// found in O(log n) rather than by a scan. A CPU's clock only moves forward,
// and only when it is stepped, so after a step only that CPU sinks. The clocks
// are read from an array the caller keeps (contiguous: faster than each CPU's
// object), and a CPU's entry is updated just before it sinks. (The
// deterministic driver keeps clock buckets instead: clock_buckets.ts says why.)

export class ClockHeap {
  private readonly heap: Int32Array;
  /** slot of each CPU in the heap */
  private readonly pos: Int32Array;

  /** A heap of CPUs 0 to n - 1 at the clocks in `clock`. */
  constructor(private readonly clock: Float64Array, readonly n: number) {
    this.heap = new Int32Array(n);
    this.pos = new Int32Array(n);
    for (let i = 0; i < n; i++) { this.heap[i] = i; this.pos[i] = i; }
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** The CPU with the smallest clock (the lowest number among equals); -1 when empty. */
  top(): number { return this.n > 0 ? this.heap[0]! : -1; }

  /** CPU `cpu`'s clock has moved forward: let it sink to its place. */
  advanced(cpu: number): void { this.down(this.pos[cpu]!); }

  // (down compares each CPU against the moving one's (clock, number) held in
  // locals: half the loads of a comparison that reads both entries each time)
  private down(slot: number): void {
    const h = this.heap;
    const pos = this.pos;
    const clock = this.clock;
    const n = this.n;
    const cpu = h[slot]!;
    const cc = clock[cpu]!;
    for (;;) {
      const l = 2 * slot + 1;
      if (l >= n) break;
      let c = l;
      let child = h[l]!;
      let chc = clock[child]!;
      const r = l + 1;
      if (r < n) {
        const rc = h[r]!;
        const rcc = clock[rc]!;
        if (rcc < chc || (rcc === chc && rc < child)) { c = r; child = rc; chc = rcc; }
      }
      if (!(chc < cc || (chc === cc && child < cpu))) break;
      h[slot] = child;
      pos[child] = slot;
      slot = c;
    }
    h[slot] = cpu;
    pos[cpu] = slot;
  }
}
