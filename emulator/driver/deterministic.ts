// The deterministic driver: every CPU stepped by one seeded scheduler in one
// thread, always the CPU with the smallest virtual clock next, ties broken by
// the seed. Same seed and configuration, same run, event for event: the
// result carries a hash of the event sequence to prove it.
import prand from 'pure-rand';
import { OopsHalt, type Cpu, type CpuTracer, type Stall } from '../cpu.js';
import { EVENT_COUNT, Ev } from '../events.js';
import { interesting, type PolicySummary, type SchedulePolicy } from '../explore/policy.js';
import { C, CPU_STRIDE, M, RunState } from '../machine.js';
import { ClockHeap } from './clock_heap.js';
import type { System } from './system.js';

export interface DriverOutcome {
  truncated: boolean;
  hostSeconds: number;
  eventHash: string | null;
  /** an exception that was not an oops: an emulator bug */
  internalError: { cpu: number; message: string; stack: string; trace: string[] } | null;
  /** what the exploration policy did (deterministic driver) */
  schedule?: PolicySummary;
}

export interface DeterministicOptions {
  /** the exploration policy; none: the time order alone */
  policy?: SchedulePolicy;
  /** told of every stall (steal and the policy's), for a schedule file */
  record?: (s: Stall) => void;
  /** stalls to replay instead of drawing any (a schedule file) */
  replay?: readonly Stall[];
  tracer?: CpuTracer;
  /** above this many CPUs the heaps, up to it the scan (HEAP_ABOVE_CPUS): the tests run both ways */
  heapAboveCpus?: number;
  /** false: every step of a busy-wait resumes its routine (Cpu.fastWaits), for the tests */
  fastWaits?: boolean;
}

const WAITISH = new Uint8Array(EVENT_COUNT);
for (const e of [Ev.spin, Ev.csd_wait, Ev.idle]) WAITISH[e] = 1;

/** above this many CPUs the driver keeps heaps (clock_heap.ts); up to it a scan of every CPU costs less */
const HEAP_ABOVE_CPUS = 16;

/** A waiter that has seen every change (`checkedAt` at the count of changes) and has no interrupt it can take pending. */
const seenAll = (c: Cpu, mutations: number, pending: boolean): boolean =>
  (c.lastKind === Ev.spin || c.lastKind === Ev.csd_wait) && c.checkedAt === mutations && !(c.irqOn && pending);

// FNV-1a, 32 bit, over the (cpu, kind, arg, cycles) of every step
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
function mix(h: number, x: number): number {
  h ^= x & 0xff; h = Math.imul(h, FNV_PRIME);
  h ^= (x >>> 8) & 0xff; h = Math.imul(h, FNV_PRIME);
  h ^= (x >>> 16) & 0xff; h = Math.imul(h, FNV_PRIME);
  h ^= x >>> 24; h = Math.imul(h, FNV_PRIME);
  return h;
}

/** The number of the `k`-th set bit (from 0, lowest first) of a bitmap. */
function kthBit(bits: Int32Array, k: number): number {
  for (let w = 0; w < bits.length; w++) {
    let x = bits[w]!;
    const n = popcount(x);
    if (k >= n) { k -= n; continue; }
    for (; k > 0; k--) x &= x - 1;
    return (w << 5) + 31 - Math.clz32(x & -x);
  }
  return -1;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

export async function runDeterministic(s: System, limitCycles: number, durationS: number, o: DeterministicOptions = {}): Promise<DriverOutcome> {
  const m = s.machine;
  const cpus: Cpu[] = Array.from({ length: m.ncpus }, (_, i) => s.bootCpu(i));
  // a replay draws nothing: every stall comes from the file, the policy is not asked
  const policy = o.replay ? undefined : o.policy;
  for (const c of cpus) {
    if (o.replay) c.replayStalls(o.replay);
    if (o.record) c.onStall = o.record;
    if (o.tracer) c.tracer = o.tracer;
    if (o.fastWaits === false) c.fastWaits = false;
  }
  const tableEntry = (addr: number): boolean => s.isTableEntry(addr);
  policy?.begin({ ncpus: m.ncpus, limitCycles, ghz: s.ghz, seed: m.cfg.seed, tableEntry, pageBytes: s.pageBytes });
  let nInteresting = 0;
  const sched = prand.xoroshiro128plus(m.cfg.seed ^ 0x5eed);
  const ctl = m.v.control;
  const cpuWords = m.v.cpu;
  const t0 = performance.now();
  const deadline = t0 + durationS * 1000;
  let h = FNV_OFFSET;
  let truncated = false;
  let internalError: DriverOutcome['internalError'] = null;
  const ncpus = cpus.length;
  // both ways find the same CPUs (test/clock_heap.test.ts; the same eventHash either way: test/determinism.test.ts)
  const heaps = ncpus > (o.heapAboveCpus ?? HEAP_ABOVE_CPUS);
  // the run queue: the CPU furthest behind in O(log n) (clock_heap.ts)
  // each CPU's clock for the heaps, updated as the CPU sinks after its step
  const clocks = Float64Array.from(cpus, (c) => c.clock);
  const queue = new ClockHeap(clocks, ncpus);
  // The CPUs at the smallest clock, in a bitmap by CPU number. While that clock
  // is still the smallest the set only loses the CPU just stepped (no other CPU's
  // clock moves), so it is found by a walk of the heap once per clock, not per step.
  const tieBits = new Int32Array((ncpus + 31) >> 5);
  let tieClock = -1;
  let tieCount = 0;
  // steps that may have changed shared state (anything but busy-waits and idle passes)
  let mutations = 0;
  // The skip sets, kept as CPUs change instead of found by a scan of every CPU at
  // every wait. canAct: every CPU but an idle one with nothing pending. unseen: of
  // those, every CPU but a waiter that has seen every change (checkedAt === mutations)
  // and has no interrupt it can take pending. A CPU changes set only when it steps,
  // when an interrupt is raised at it, or, for unseen, when a change happens.
  // canAct is every CPU until one idles with nothing pending: till then the run
  // queue answers for it, and its heap is built only then (ipi-storm never idles)
  let canAct: ClockHeap | null = null;
  const unseen = new ClockHeap(clocks, ncpus, true);
  // the CPUs out of unseen for having seen every change: they come back with the next change
  // (a stack in a typed array: setting an array's length costs more than the rest)
  const outOfUnseen = new Int32Array(ncpus);
  let nOut = 0;
  const refresh = (i: number): void => {
    const c = cpus[i]!;
    // one thread writes the pending words: a plain read sees them (Cpu.hasPending)
    const pending = cpuWords[i * CPU_STRIDE + C.PENDING] !== 0;
    if (c.lastKind === Ev.idle && !pending) {
      // (every CPU is in the run queue, in its place: the heap starts as a copy of it)
      canAct ??= new ClockHeap(clocks, ncpus);
      canAct.remove(i); unseen.remove(i); return;
    }
    if (canAct !== null) { if (canAct.has(i)) canAct.advanced(i); else canAct.insert(i); }
    if (seenAll(c, mutations, pending)) {
      if (unseen.has(i)) { unseen.remove(i); outOfUnseen[nOut++] = i; }
    } else if (unseen.has(i)) unseen.advanced(i);
    else unseen.insert(i);
  };
  // The heaps order CPUs by `clocks`, not by the CPUs' own clocks: the CPU being
  // stepped keeps its old entry, so the heaps stay ordered while other CPUs move
  // in and out of the sets, until the step is done and it sinks once. (The skip's
  // bound is another CPU than itself: its stale entry is never the answer.)
  for (let i = 0; heaps && i < ncpus; i++) {
    refresh(i);
    cpus[i]!.onRaise = (target) => refresh(target);
  }
  for (let n = 1; ; n++) {
    // the CPU furthest behind in virtual time runs next; equal clocks draw lots
    // (the k-th of the tied CPUs in CPU order)
    let cpu: Cpu;
    if (heaps) {
      cpu = cpus[queue.top()]!;
      if (cpu.clock >= limitCycles) break;
      // (a new smallest clock: the old set has emptied, its bits are all clear)
      if (cpu.clock !== tieClock || tieCount === 0) {
        tieClock = cpu.clock;
        tieCount = queue.tied();
        for (let j = 0; j < tieCount; j++) tieBits[queue.ties[j]! >> 5] |= 1 << (queue.ties[j]! & 31);
      }
      if (tieCount > 1) cpu = cpus[kthBit(tieBits, prand.unsafeUniformIntDistribution(0, tieCount - 1, sched))]!;
    } else {
      let first = 0;
      let min = cpus[0]!.clock;
      let tied = 1;
      for (let i = 1; i < ncpus; i++) {
        const t = cpus[i]!.clock;
        if (t < min) { min = t; first = i; tied = 1; } else if (t === min) tied++;
      }
      if (min >= limitCycles) break;
      cpu = cpus[first]!;
      if (tied > 1) {
        let k = prand.unsafeUniformIntDistribution(0, tied - 1, sched);
        for (let i = first; ; i++) if (cpus[i]!.clock === min && k-- === 0) { cpu = cpus[i]!; break; }
      }
    }
    try {
      cpu.step();
    } catch (e) {
      if (!(e instanceof OopsHalt)) {
        const err = e as Error;
        internalError = { cpu: cpu.id, message: err.message, stack: err.stack ?? '', trace: [...cpu.trace] };
        m.requestStop(RunState.HALT);
      }
      break;
    }
    if (policy !== undefined) {
      policy.observe?.(cpu);
      // an instruction of several steps (a DAT walk) is not split by a stall
      if (cpu.insnDepth === 0 && interesting(cpu.lastKind, cpu.lastArg, tableEntry)) {
        const d = policy.decide(cpu, nInteresting++);
        if (d > 0) cpu.stall(d, policy.cause);
      }
    }
    // A spinning or idle CPU sees nothing new until another CPU does something:
    // skip to the next step of a CPU that can (an idle CPU can only once an
    // interrupt is pending at it).
    const k = cpu.lastKind;
    const waiting = k === Ev.spin || k === Ev.csd_wait;
    // A routine yields before its access, so a step that runs from a wait to
    // the same wait (same kind, same word) did nothing but check that wait's
    // condition and find it unmet; an idle pass to an idle pass, nothing.
    // Any other step may have changed shared state.
    const again = cpu.prevKind === k && cpu.prevArg === cpu.lastArg;
    const quiet = (waiting && again) || (k === Ev.idle && WAITISH[cpu.prevKind] === 1);
    if (!quiet) {
      mutations++;
      // a change: every waiter that had seen every change has not seen this one
      if (heaps && nOut > 0) {
        // (refresh leaves them in unseen: none is pushed again meanwhile)
        const n = nOut;
        nOut = 0;
        for (let j = 0; j < n; j++) refresh(outOfUnseen[j]!);
      }
    }
    cpu.checkedAt = waiting && again ? mutations : -1;
    // (its own place in the sets waits until after the skip: the skip's bound is another CPU)
    if ((waiting || k === Ev.idle) && !cpu.hasPending()) {
      const waitsAgain = waiting && again;
      // The CPU that bounds the skip: the one furthest behind of those that can act.
      // An idle CPU with nothing pending cannot; with waitsAgain, neither can another
      // waiter that has seen every change, is not interruptible and has nothing pending
      // (else waiters behind a stalled lock holder leapfrog each other a spin at a time).
      // A deadlock: every CPU that could act is a busy-wait that has seen every change.
      let next = Infinity;
      let stuck = waitsAgain;
      if (heaps) {
        const bound = (waitsAgain ? unseen : canAct ?? queue).topBut(cpu.id);
        if (bound >= 0) { next = clocks[bound]!; stuck = false; }
      } else {
        for (let i = 0; i < ncpus; i++) {
          const c = cpus[i]!;
          if (c === cpu) continue;
          // one thread writes the pending words: a plain read sees them (Cpu.hasPending)
          const pending = cpuWords[i * CPU_STRIDE + C.PENDING] !== 0;
          if (c.lastKind === Ev.idle && !pending) continue;
          const seen = seenAll(c, mutations, pending);
          if (!seen) stuck = false;
          if ((!seen || !waitsAgain) && c.clock < next) next = c.clock;
        }
      }
      try {
        if (stuck) cpu.spinUntil(cpu.spinSince + cpu.watchdogCycles + 1); // nothing can ever change: let the watchdog see it
        // a waiter still waits at the end of the run: its skip stops there
        else if (next !== Infinity) cpu.spinUntil(next < limitCycles ? next : limitCycles);
      } catch (e) {
        if (!(e instanceof OopsHalt)) throw e;
        break;
      }
    }
    // its clock moved on (the step, a stall, a skip): it sinks in the run queue and its sets
    if (heaps) {
      clocks[cpu.id] = cpu.clock;
      queue.advanced(cpu.id);
      refresh(cpu.id);
      if (cpu.clock !== tieClock) {
        const bit = 1 << (cpu.id & 31);
        if ((tieBits[cpu.id >> 5]! & bit) !== 0) { tieBits[cpu.id >> 5]! ^= bit; tieCount--; }
      }
    }
    h = mix(mix(mix(mix(mix(h, cpu.id), cpu.lastKind), cpu.lastArg), cpu.lastCycles), cpu.clock);
    // one thread writes these words (and a signal handler between the awaits below): plain reads see them
    if (ctl[M.STATE] !== RunState.RUN) break;
    if (ctl[M.DONE] === ncpus) break;
    if ((n & 4095) === 0) {
      if (performance.now() > deadline) { truncated = true; break; }
      // let signal handlers run: Ctrl-C stops the machine like the wall-clock cap
      if ((n & 65535) === 0) await new Promise<void>((r) => setImmediate(r));
    }
  }
  for (const c of cpus) c.dump();
  return {
    truncated,
    hostSeconds: (performance.now() - t0) / 1000,
    eventHash: (h >>> 0).toString(16).padStart(8, '0'),
    internalError,
    ...(policy ? { schedule: policy.summary() } : {}),
  };
}
