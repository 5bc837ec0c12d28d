// Run queues of the drivers (the deterministic driver's, a parallel worker's)
// and the deterministic driver's skip sets: binary min-heaps of CPU numbers keyed by
// (virtual clock, CPU number), so the CPU furthest behind of a set is found
// in O(log n) rather than by a scan of every CPU. A CPU's clock only moves
// forward, and only when it is stepped, so after a step only that CPU sinks;
// a CPU may also leave a set and come back (see the driver's skip sets). A CPU
// whose clock moved must sink (advanced) before any other CPU enters or leaves:
// the heap's order is what insert and remove rely on. The clocks are read from
// an array the caller keeps (contiguous: faster than each CPU's object), and a
// CPU's entry is updated just before it sinks.

export class ClockHeap {
  private readonly heap: Int32Array;
  /** slot of each CPU in the heap, -1 while it is not in the set */
  private readonly pos: Int32Array;
  private size = 0;
  /** the CPUs tied at the smallest clock, in heap order (valid after tied()) */
  readonly ties: Int32Array;
  /** heap slots still to visit in tied() */
  private readonly todo: Int32Array;

  /** A heap of `n` CPUs, all of them in it, or none with `empty`. */
  constructor(private readonly clock: Float64Array, readonly n: number, empty = false) {
    this.heap = new Int32Array(n);
    this.pos = new Int32Array(n).fill(-1);
    this.ties = new Int32Array(n);
    this.todo = new Int32Array(2 * n + 2);
    if (!empty) {
      for (let i = 0; i < n; i++) { this.heap[i] = i; this.pos[i] = i; }
      this.size = n;
      for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
    }
  }

  private less(a: number, b: number): boolean {
    const ca = this.clock[a]!;
    const cb = this.clock[b]!;
    return ca < cb || (ca === cb && a < b);
  }

  /** The CPU with the smallest clock (the lowest number among equals); -1 when empty. */
  top(): number { return this.size > 0 ? this.heap[0]! : -1; }

  /** The smallest but `cpu`, -1 if there is none: the top, or the smaller child of a top that is `cpu`. */
  topBut(cpu: number): number {
    if (this.size === 0) return -1;
    const h = this.heap;
    if (h[0] !== cpu) return h[0]!;
    if (this.size === 1) return -1;
    if (this.size === 2) return h[1]!;
    return this.less(h[1]!, h[2]!) ? h[1]! : h[2]!;
  }

  has(cpu: number): boolean { return this.pos[cpu]! >= 0; }

  /**
   * How many CPUs share the smallest clock; they are in `ties`, in no particular
   * order. Only the heap's top subtree of equal clocks is visited.
   */
  tied(): number {
    const h = this.heap;
    const min = this.clock[h[0]!]!;
    // the usual case: neither child of the top shares its clock
    if ((this.size < 2 || this.clock[h[1]!]! !== min) && (this.size < 3 || this.clock[h[2]!]! !== min)) {
      this.ties[0] = h[0]!;
      return 1;
    }
    let count = 0;
    // a walk over heap slots whose CPU has the smallest clock: their children may too
    let sp = 0;
    const todo = this.todo;
    todo[sp++] = 0;
    while (sp > 0) {
      const slot = todo[--sp]!;
      const cpu = h[slot]!;
      if (this.clock[cpu]! !== min) continue;
      this.ties[count++] = cpu;
      const l = 2 * slot + 1;
      if (l < this.size) todo[sp++] = l;
      if (l + 1 < this.size) todo[sp++] = l + 1;
    }
    return count;
  }

  /** CPU `cpu`'s clock has moved forward: let it sink to its place (nothing if it is not in the set). */
  advanced(cpu: number): void {
    const p = this.pos[cpu]!;
    if (p >= 0) this.down(p);
  }

  insert(cpu: number): void {
    if (this.pos[cpu]! >= 0) return;
    const slot = this.size++;
    this.heap[slot] = cpu;
    this.pos[cpu] = slot;
    this.up(slot);
  }

  remove(cpu: number): void {
    const p = this.pos[cpu]!;
    if (p < 0) return;
    this.pos[cpu] = -1;
    const last = this.heap[--this.size]!;
    if (p === this.size) return;
    this.heap[p] = last;
    this.pos[last] = p;
    // (the last CPU goes down or up from the hole, never both)
    this.down(p);
    if (this.pos[last] === p) this.up(p);
  }

  // (up and down compare each CPU against the moving one's (clock, number) held in
  // locals, not through less(): half the loads, in the driver's hottest loop at many CPUs)
  private up(slot: number): void {
    const h = this.heap;
    const pos = this.pos;
    const clock = this.clock;
    const cpu = h[slot]!;
    const cc = clock[cpu]!;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      const p = h[parent]!;
      const pc = clock[p]!;
      if (!(cc < pc || (cc === pc && cpu < p))) break;
      h[slot] = p;
      pos[p] = slot;
      slot = parent;
    }
    h[slot] = cpu;
    pos[cpu] = slot;
  }

  private down(slot: number): void {
    const h = this.heap;
    const pos = this.pos;
    const clock = this.clock;
    const n = this.size;
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
