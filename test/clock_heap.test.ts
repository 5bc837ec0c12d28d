// The deterministic driver's run queue and skip sets (emulator/driver/clock_heap.ts)
// against a plain scan: after any sequence of inserts, removals and clocks moving
// forward (each sinking before any other CPU changes set, as the driver keeps
// the stepping CPU), the heap's top is the smallest (clock, CPU) of the set,
// topBut skips one CPU, and tied() lists the CPUs at the smallest clock.
import fc from 'fast-check';
import t from 'tap';
import { ClockHeap } from '../emulator/driver/clock_heap.js';

const N = 9;
const op = fc.record({ cpu: fc.nat(N - 1), kind: fc.constantFrom('insert', 'remove', 'tick'), by: fc.nat(3), other: fc.nat(N - 1) });

t.test('top, topBut and tied agree with a scan of the set', async (t) => {
  fc.assert(fc.property(fc.array(op, { maxLength: 200 }), fc.boolean(), (ops, full) => {
    const clock = new Float64Array(N);
    const h = new ClockHeap(clock, N, !full);
    const set = new Set<number>(full ? [...Array(N).keys()] : []);
    for (const o of ops) {
      if (o.kind === 'insert') { h.insert(o.cpu); set.add(o.cpu); }
      else if (o.kind === 'remove') { h.remove(o.cpu); set.delete(o.cpu); }
      else {
        // a step: the clock moves and the CPU sinks; an interrupt it raised moves another
        // CPU in or out of the set; the step ends (a skip) and the clock moves again
        clock[o.cpu] = clock[o.cpu]! + o.by;
        h.advanced(o.cpu);
        if (o.other !== o.cpu) {
          if (set.has(o.other)) { h.remove(o.other); set.delete(o.other); } else { h.insert(o.other); set.add(o.other); }
        }
        clock[o.cpu] = clock[o.cpu]! + (o.by & 1);
        h.advanced(o.cpu);
      }
      const members = [...set].sort((a, b) => clock[a]! - clock[b]! || a - b);
      if (h.top() !== (members[0] ?? -1)) return false;
      const but = members.filter((c) => c !== o.cpu);
      if (h.topBut(o.cpu) !== (but[0] ?? -1)) return false;
      for (let i = 0; i < N; i++) if (h.has(i) !== set.has(i)) return false;
      if (members.length > 0) {
        const min = clock[members[0]!]!;
        const tied = members.filter((c) => clock[c] === min).sort((a, b) => a - b);
        const n = h.tied();
        if (n !== tied.length || [...h.ties.subarray(0, n)].sort((a, b) => a - b).join() !== tied.join()) return false;
      }
    }
    return true;
  }), { numRuns: 300, seed: 11 });
  t.pass('300 random sequences');
});
