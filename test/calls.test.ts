// A routine's call by `yield f()` (the CPU runs the callee and hands back its
// value: emulator/cpu.ts resume()) must be `yield* f()` to the step: the same
// events in the same order, the same values returned, an exception thrown into
// the caller where it called, finally blocks run on the way out.
import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import fc from 'fast-check';
import { OopsHalt, resume, RETURNED, type CallStack, type Fn, type Routine } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { kwordAddr } from '../emulator/kaddr.js';
import { K } from '../kernel-sim/kernel_words.js';
import * as shared from '../emulator/shared.js';
import { bootMachine } from '../system/boot.js';
import { config } from './helpers.js';
import { drain, stepAll } from './stepping.js';

// A routine as data: events, calls of other routines, throws, and calls caught.
type Op =
  | { op: 'ev'; kind: number }
  | { op: 'call'; body: Op[] }
  | { op: 'try'; body: Op[] }
  | { op: 'throw'; tag: number };

const op: fc.Memo<Op> = fc.memo((d) => (d <= 1
  ? fc.oneof(fc.record({ op: fc.constant('ev' as const), kind: fc.nat(50) }), fc.record({ op: fc.constant('throw' as const), tag: fc.nat(9) }))
  : fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constant('ev' as const), kind: fc.nat(50) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('call' as const), body: fc.array(op(d - 1), { maxLength: 5 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('try' as const), body: fc.array(op(d - 1), { maxLength: 5 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('throw' as const), tag: fc.nat(9) }) },
  )));

class Tagged extends Error {
  constructor(readonly tag: number) { super(`tag ${tag}`); }
}

/**
 * The routine a body describes, calling by `yield*` or by `yield`. It returns
 * the sum of its events' kinds and its callees' values; a caught exception
 * yields 100 + its tag; every routine's finally yields nothing but counts.
 */
function routine(body: Op[], byCall: boolean, unwound: number[]): Fn<number> {
  return (function* (): Fn<number> {
    let sum = 0;
    try {
      for (const o of body) {
        if (o.op === 'ev') { yield o.kind; sum += o.kind; }
        else if (o.op === 'throw') throw new Tagged(o.tag);
        else if (o.op === 'call') sum += byCall ? (yield routine(o.body, byCall, unwound)) as number : yield* routine(o.body, byCall, unwound);
        else {
          try {
            sum += byCall ? (yield routine(o.body, byCall, unwound)) as number : yield* routine(o.body, byCall, unwound);
          } catch (e) {
            yield 100 + (e as Tagged).tag;
          }
        }
      }
    } finally {
      unwound.push(sum);
    }
    return sum;
  })();
}

/** Every event resume() gives, and how the routine ended. */
function events(g: Fn<number>): { kinds: number[]; value?: number; thrown?: number } {
  const s: CallStack = { gen: g, callers: [], depth: 0, value: undefined };
  const kinds: number[] = [];
  try {
    for (let k = resume(s); k !== RETURNED; k = resume(s)) kinds.push(k);
  } catch (e) {
    return { kinds, thrown: (e as Tagged).tag };
  }
  return { kinds, value: s.value as number };
}

t.test('a call by yield is yield* to the events, the values, the exceptions and the unwinding', async (t) => {
  // (one assertion for the 300 trees: fast-check reports the smallest tree that differs)
  t.doesNotThrow(() => fc.assert(fc.property(fc.array(op(5), { maxLength: 8 }), (body) => {
    const uStar: number[] = [];
    const uCall: number[] = [];
    const star = events(routine(body, false, uStar));
    const call = events(routine(body, true, uCall));
    return isDeepStrictEqual(call, star) && isDeepStrictEqual(uCall, uStar);
  }), { seed: 11, numRuns: 300 }), 'the same events, value or exception, and unwinding, over 300 random call trees');
  // and a known tree by hand: a throw two calls down, caught one call down
  const body: Op[] = [{ op: 'ev', kind: 1 }, { op: 'call', body: [{ op: 'try', body: [{ op: 'call', body: [{ op: 'ev', kind: 2 }, { op: 'throw', tag: 7 }] }] }, { op: 'ev', kind: 3 }] }];
  const u: number[] = [];
  t.same(events(routine(body, true, u)), { kinds: [1, 2, 107, 3], value: 4 });
  t.same(u, [2, 0, 3, 4], 'each routine left through its finally, innermost first');
});

t.test('drain runs a routine to its end through its calls', async (t) => {
  t.equal(drain(routine([{ op: 'ev', kind: 5 }, { op: 'call', body: [{ op: 'ev', kind: 6 }] }], true, [])), 11);
  t.throws(() => drain(routine([{ op: 'call', body: [{ op: 'throw', tag: 3 }] }], true, [])), { message: 'tag 3' });
});

function machine() {
  const b = bootMachine(config({ workload: 'ipi-storm', arch: 's390', cpus: 2, driver: 'deterministic' }));
  return { m: b.machine, k: b.kernel, cpus: [0, 1].map((i) => b.kernel.newCpu(i)) };
}

t.test('on a CPU: a busy-wait inside a call, an interrupt inside a call, the callee value after both', async (t) => {
  const { m, k, cpus } = machine();
  const [a, b] = cpus as [typeof cpus[0], typeof cpus[0]];
  const word = K.SPLIT_QUEUE_LOCK;
  const held = (): boolean => shared.load(m.v.kernel, word) !== 0;
  shared.store(m.v.kernel, word, 1);
  const waits = function* (): Fn<number> {
    a.enter('waits');
    while (held()) yield a.waitWhile(Ev.spin, kwordAddr(word), held);
    yield a.ev(Ev.load, kwordAddr(word));
    a.leave();
    return 42;
  };
  let got = -1;
  let done = false;
  a.start((function* (): Routine { got = (yield waits()) as number; done = true; })());
  // b lets go once a has spun a while, and sends a an IPI meanwhile
  let released = false;
  b.start((function* (): Routine {
    for (let i = 0; i < 20; i++) yield b.ev(Ev.work, 0, 100);
    yield* k.smp.kick_all_cpus_sync(b);
    shared.store(m.v.kernel, word, 0);
    released = true;
    for (;;) yield Ev.idle;
  })());
  stepAll(cpus, () => done);
  t.equal(got, 42, 'the callee value came back to the caller');
  t.ok(released);
  t.ok(a.ipisTaken >= 1, 'the IPI was taken inside the call');
  t.ok(a.spinCycles > 0, 'the call busy-waited');
  t.same(a.trace, [], 'the call trace unwound');
});

t.test('an oops inside a call stops the CPU where it died, with the call in its trace', async (t) => {
  const { cpus } = machine();
  const a = cpus[0]!;
  const inner = function* (): Routine {
    a.enter('inner');
    yield a.ev(Ev.work, 0, 10);
    a.oops('BUG', 'selftest: BUG() inside a call');
  };
  a.start((function* (): Routine { a.enter('outer'); yield inner(); a.leave(); })());
  let halted: unknown;
  try {
    for (let i = 0; i < 10; i++) a.step();
  } catch (e) {
    halted = e;
  }
  t.ok(halted instanceof OopsHalt, 'the oops halted the CPU');
  t.same(a.trace, ['outer', 'inner']);
});
