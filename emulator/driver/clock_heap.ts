// The deterministic driver's run queue: a binary min-heap of CPU numbers keyed
// by (virtual clock, CPU number), so the CPU furthest behind is found in
// O(log n) rather than by a scan of every CPU. A CPU's clock only moves
// forward, and only when it is stepped, so after a step only that CPU sinks.

export class ClockHeap {
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;
  /** the CPUs tied at the smallest clock, in CPU order (valid after tied()) */
  readonly ties: Int32Array;
  /** heap slots still to visit in tied() */
  private readonly todo: Int32Array;

  constructor(private readonly clockOf: (cpu: number) => number, readonly n: number) {
    this.heap = new Int32Array(n);
    this.pos = new Int32Array(n);
    this.ties = new Int32Array(n);
    this.todo = new Int32Array(2 * n + 2);
    for (let i = 0; i < n; i++) { this.heap[i] = i; this.pos[i] = i; }
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private less(a: number, b: number): boolean {
    const ca = this.clockOf(a);
    const cb = this.clockOf(b);
    return ca < cb || (ca === cb && a < b);
  }

  /** The CPU with the smallest clock (the lowest number among equals). */
  top(): number { return this.heap[0]!; }

  /**
   * How many CPUs share the smallest clock; they are in `ties`, in CPU order.
   * Only the heap's top subtree of equal clocks is visited.
   */
  tied(): number {
    const h = this.heap;
    const min = this.clockOf(h[0]!);
    let count = 0;
    // a walk over heap slots whose CPU has the smallest clock: their children may too
    let sp = 0;
    const todo = this.todo;
    todo[sp++] = 0;
    while (sp > 0) {
      const slot = todo[--sp]!;
      const cpu = h[slot]!;
      if (this.clockOf(cpu) !== min) continue;
      this.ties[count++] = cpu;
      const l = 2 * slot + 1;
      if (l < this.n) todo[sp++] = l;
      if (l + 1 < this.n) todo[sp++] = l + 1;
    }
    if (count > 1) this.ties.subarray(0, count).sort();
    return count;
  }

  /** CPU `cpu`'s clock has moved forward: let it sink to its place. */
  advanced(cpu: number): void { this.down(this.pos[cpu]!); }

  private down(slot: number): void {
    const h = this.heap;
    const n = this.n;
    const cpu = h[slot]!;
    for (;;) {
      const l = 2 * slot + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
      if (!this.less(h[c]!, cpu)) break;
      h[slot] = h[c]!;
      this.pos[h[slot]!] = slot;
      slot = c;
    }
    h[slot] = cpu;
    this.pos[cpu] = slot;
  }
}
