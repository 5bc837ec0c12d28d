// A parallel worker's run queue (emulator/driver/clock_heap.ts) against a plain
// scan: after any sequence of clocks moving forward, each CPU sinking after its
// move, the heap's top is the CPU with the smallest (clock, CPU number).
import fc from 'fast-check';
import t from 'tap';
import { ClockHeap } from '../emulator/driver/clock_heap.js';

t.test('top agrees with a scan of the clocks', async (t) => {
  for (const n of [1, 2, 9, 33]) {
    const step = fc.record({ cpu: fc.nat(n - 1), by: fc.constantFrom(0, 0.5, 1, 3) });
    fc.assert(fc.property(fc.array(fc.nat(3), { minLength: n, maxLength: n }), fc.array(step, { maxLength: 200 }), (start, steps) => {
      const clock = Float64Array.from(start);
      const h = new ClockHeap(clock, n);
      const smallest = (): number => [...clock.keys()].sort((a, b) => clock[a]! - clock[b]! || a - b)[0]!;
      if (h.top() !== smallest()) return false;
      for (const s of steps) {
        clock[s.cpu] = clock[s.cpu]! + s.by;
        h.advanced(s.cpu);
        if (h.top() !== smallest()) return false;
      }
      return true;
    }), { numRuns: 200, seed: 11 });
    t.pass(`${n} CPUs: 200 random sequences`);
  }
  t.equal(new ClockHeap(new Float64Array(0), 0).top(), -1, 'an empty heap has no top');
});
