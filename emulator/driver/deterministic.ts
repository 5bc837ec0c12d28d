// The deterministic driver: every CPU stepped by one seeded scheduler in one
// thread, always the CPU with the smallest virtual clock next, ties broken by
// the seed. Same seed and configuration, same run, event for event: the
// result carries a hash of the event sequence to prove it.
import prand from 'pure-rand';
import { drawBelow } from '../draw.js';
import { OopsHalt, type Cpu, type CpuTracer, type Stall } from '../cpu.js';
import { EVENT_COUNT, Ev } from '../events.js';
import { interesting, type PolicySummary, type SchedulePolicy } from '../explore/policy.js';
import { C, CPU_STRIDE, M, RunState, type Machine } from '../machine.js';
import { ClockBuckets } from './clock_buckets.js';
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
  /** above this many CPUs the clock buckets, up to it the scan (BUCKETS_ABOVE_CPUS): the tests run both ways */
  bucketsAboveCpus?: number;
  /** false: every step of a busy-wait resumes its routine (Cpu.fastWaits), for the tests */
  fastWaits?: boolean;
}

const WAITISH = new Uint8Array(EVENT_COUNT);
for (const e of [Ev.spin, Ev.csd_wait, Ev.idle]) WAITISH[e] = 1;

/** above this many CPUs the driver keeps its CPUs in clock buckets (clock_buckets.ts); up to it a scan of every CPU costs less */
const BUCKETS_ABOVE_CPUS = 16;

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

/** What one slice of the loop ended with: more steps to go, or the run is over. */
const enum Slice { MORE, DONE }

/** Steps between two looks at the host clock (the wall-clock cap), and between two turns of the event loop. */
const SLICE_STEPS = 4096;
const YIELD_STEPS = 65536;

/**
 * The scheduler's state, and its loop in slices of SLICE_STEPS steps. The
 * loop is a method called once per slice rather than one loop per run, so V8
 * optimizes it as an ordinary function and keeps that code from one run to the
 * next (a loop entered once per run is compiled anew, on the stack, every run).
 */
class Scheduler {
  readonly cpus: Cpu[];
  private readonly ncpus: number;
  private readonly policy: SchedulePolicy | undefined;
  private readonly tableEntry: (addr: number) => boolean;
  private nInteresting = 0;
  private readonly sched: prand.RandomGenerator;
  private readonly m: Machine;
  private readonly ctl: Int32Array;
  private readonly cpuWords: Int32Array;
  h = FNV_OFFSET;
  internalError: DriverOutcome['internalError'] = null;
  /** steps taken, counted from 1 */
  n = 0;
  private readonly bucketed: boolean;
  // every CPU's clock, as the CPU's own field after its last step (only a CPU's own step moves
  // its clock): the scans read one array of doubles, not a field of each CPU object
  private readonly clocks: Float64Array;
  // which CPUs last stepped into the idle loop, and how many (the scan's skip bound needs no look
  // at each CPU while none idles)
  private readonly idle: Uint8Array;
  private nIdle = 0;
  // the run queue: the CPUs by clock, those at the smallest first (clock_buckets.ts)
  private readonly queue: ClockBuckets;
  // steps that may have changed shared state (anything but busy-waits and idle passes)
  private mutations = 0;
  // The skip sets, bitmaps by CPU number kept as CPUs change instead of found by a
  // scan of every CPU at every wait. canAct: every CPU but an idle one with nothing
  // pending. unseen: of those, every CPU but a waiter that has seen every change
  // (checkedAt === mutations) and has no interrupt it can take pending. A CPU changes
  // set only when it steps, when an interrupt is raised at it, or, for unseen, when a
  // change happens. While canAct is every CPU (`everyCanAct`; ipi-storm never idles)
  // the run queue answers for it without a look at the set.
  private readonly canAct: Int32Array;
  private everyCanAct = true;
  private readonly unseen: Int32Array;
  // the CPUs out of unseen for having seen every change: they come back with the next change
  // (a stack in a typed array: setting an array's length costs more than the rest)
  private readonly outOfUnseen: Int32Array;
  private nOut = 0;

  constructor(s: System, private readonly limitCycles: number, o: DeterministicOptions) {
    const m = s.machine;
    this.m = m;
    const cpus = Array.from({ length: m.ncpus }, (_, i) => s.bootCpu(i));
    this.cpus = cpus;
    // a replay draws nothing: every stall comes from the file, the policy is not asked
    this.policy = o.replay ? undefined : o.policy;
    for (const c of cpus) {
      if (o.replay) c.replayStalls(o.replay);
      if (o.record) c.onStall = o.record;
      if (o.tracer) c.tracer = o.tracer;
      if (o.fastWaits === false) c.fastWaits = false;
    }
    const tableEntry = (addr: number): boolean => s.isTableEntry(addr);
    this.tableEntry = tableEntry;
    this.policy?.begin({ ncpus: m.ncpus, limitCycles, ghz: s.ghz, seed: m.cfg.seed, tableEntry, pageBytes: s.pageBytes });
    this.sched = prand.xoroshiro128plus(m.cfg.seed ^ 0x5eed);
    this.ctl = m.v.control;
    this.cpuWords = m.v.cpu;
    const ncpus = cpus.length;
    this.ncpus = ncpus;
    // both ways find the same CPUs (test/clock_buckets.test.ts; the same eventHash either way: test/determinism.test.ts)
    this.bucketed = ncpus > (o.bucketsAboveCpus ?? BUCKETS_ABOVE_CPUS);
    this.clocks = Float64Array.from(cpus, (c) => c.clock);
    this.idle = Uint8Array.from(cpus, (c) => (c.lastKind === Ev.idle ? 1 : 0));
    this.nIdle = this.idle.reduce((a, b) => a + b, 0);
    this.queue = new ClockBuckets(this.clocks, ncpus);
    const words = this.queue.words;
    this.canAct = new Int32Array(words);
    for (let i = 0; i < ncpus; i++) this.canAct[i >> 5]! |= 1 << (i & 31);
    this.unseen = new Int32Array(words);
    this.outOfUnseen = new Int32Array(ncpus);
    // The buckets hold the CPU being stepped at its clock before the step, so the
    // queue and the sets stay as they were while other CPUs move in and out of the
    // sets, until the step is done and it moves once. (The skip's bound is another
    // CPU than itself: its old clock is never the answer.)
    for (let i = 0; this.bucketed && i < ncpus; i++) {
      this.refresh(i);
      cpus[i]!.onRaise = (target) => this.refresh(target);
    }
  }

  private refresh(i: number): void {
    const c = this.cpus[i]!;
    const unseen = this.unseen;
    const w = i >> 5;
    const bit = 1 << (i & 31);
    // one thread writes the pending words: a plain read sees them (Cpu.hasPending)
    const pending = this.cpuWords[i * CPU_STRIDE + C.PENDING] !== 0;
    if (c.lastKind === Ev.idle && !pending) {
      this.everyCanAct = false;
      this.canAct[w]! &= ~bit; unseen[w]! &= ~bit; return;
    }
    this.canAct[w]! |= bit;
    if (seenAll(c, this.mutations, pending)) {
      if ((unseen[w]! & bit) !== 0) { unseen[w]! &= ~bit; this.outOfUnseen[this.nOut++] = i; }
    } else unseen[w]! |= bit;
  }

  /** Steps CPUs until the step count is a multiple of SLICE_STEPS (MORE) or the run is over (DONE). */
  slice(): Slice {
    const { cpus, ncpus, policy, tableEntry, sched, ctl, cpuWords, bucketed, queue, unseen, limitCycles, clocks, idle } = this;
    for (;;) {
      const n = ++this.n;
      // the CPU furthest behind in virtual time runs next; equal clocks draw lots
      // (the k-th of the tied CPUs in CPU order)
      let cpu: Cpu;
      // (the scan's) smallest clock of the CPUs but the one chosen: the others stay where they are during its step
      let others = Infinity;
      if (bucketed) {
        // the CPUs at the smallest clock are the first bucket
        const b = queue.first();
        if (queue.clockOf(b) >= limitCycles) return Slice.DONE;
        const tied = queue.countOf(b);
        cpu = cpus[queue.kth(b, tied > 1 ? drawBelow(tied, sched) : 0)]!;
      } else {
        let first = 0;
        let min = clocks[0]!;
        let tied = 1;
        for (let i = 1; i < ncpus; i++) {
          const t = clocks[i]!;
          if (t < min) { others = min; min = t; first = i; tied = 1; } else {
            if (t === min) tied++;
            if (t < others) others = t;
          }
        }
        if (min >= limitCycles) return Slice.DONE;
        cpu = cpus[first]!;
        if (tied > 1) {
          let k = drawBelow(tied, sched);
          for (let i = first; ; i++) if (clocks[i] === min && k-- === 0) { cpu = cpus[i]!; break; }
        }
      }
      try {
        cpu.step();
      } catch (e) {
        if (!(e instanceof OopsHalt)) {
          const err = e as Error;
          this.internalError = { cpu: cpu.id, message: err.message, stack: err.stack ?? '', trace: cpu.trace };
          this.m.requestStop(RunState.HALT);
        }
        return Slice.DONE;
      }
      if (policy !== undefined) {
        policy.observe?.(cpu);
        // an instruction of several steps (a DAT walk) is not split by a stall
        if (cpu.insnDepth === 0 && interesting(cpu.lastKind, cpu.lastArg, tableEntry)) {
          const d = policy.decide(cpu, this.nInteresting++);
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
        this.mutations++;
        // a change: every waiter that had seen every change has not seen this one
        if (bucketed && this.nOut > 0) {
          // (refresh leaves them in unseen: none is pushed again meanwhile)
          const nOut = this.nOut;
          this.nOut = 0;
          const out = this.outOfUnseen;
          const canAct = this.canAct;
          for (let j = 0; j < nOut; j++) {
            const i = out[j]!;
            const k = cpus[i]!.lastKind;
            // still the waiter it was (refresh's answer without its look: it can act, and it has
            // not seen this change); else a CPU that stepped since, looked at again
            if (k === Ev.spin || k === Ev.csd_wait) {
              canAct[i >> 5]! |= 1 << (i & 31);
              unseen[i >> 5]! |= 1 << (i & 31);
            } else this.refresh(i);
          }
        }
      }
      const mutations = this.mutations;
      cpu.checkedAt = waiting && again ? mutations : -1;
      // (its own place in the sets waits until after the skip: the skip's bound is another CPU)
      // (one thread writes the pending words: a plain read sees them, as Cpu.hasPending's)
      if ((waiting || k === Ev.idle) && cpuWords[cpu.id * CPU_STRIDE + C.PENDING] === 0) {
        const waitsAgain = waiting && again;
        // The CPU that bounds the skip: the one furthest behind of those that can act.
        // An idle CPU with nothing pending cannot; with waitsAgain, neither can another
        // waiter that has seen every change, is not interruptible and has nothing pending
        // (else waiters behind a stalled lock holder leapfrog each other a spin at a time).
        // A deadlock: every CPU that could act is a busy-wait that has seen every change.
        let next = Infinity;
        let stuck = waitsAgain;
        if (bucketed) {
          const bound = waitsAgain ? queue.smallestIn(unseen, cpu.id)
            : this.everyCanAct ? queue.smallestBut(cpu.id) : queue.smallestIn(this.canAct, cpu.id);
          if (bound !== Infinity) { next = bound; stuck = false; }
        } else if (waitsAgain) {
          for (let i = 0; i < ncpus; i++) {
            const c = cpus[i]!;
            if (c === cpu) continue;
            // one thread writes the pending words: a plain read sees them (Cpu.hasPending)
            const pending = cpuWords[i * CPU_STRIDE + C.PENDING] !== 0;
            if (c.lastKind === Ev.idle && !pending) continue;
            if (seenAll(c, mutations, pending)) continue;
            stuck = false;
            if (clocks[i]! < next) next = clocks[i]!;
          }
        } else if (this.nIdle - idle[cpu.id]! === 0) {
          // (not waiting again: every CPU that can act bounds the skip, seen or not; no other idles, so every other can)
          next = others;
        } else {
          // (some other CPU idles: every one that can act bounds the skip)
          for (let i = 0; i < ncpus; i++) {
            const c = cpus[i]!;
            if (c === cpu) continue;
            if (c.lastKind === Ev.idle && cpuWords[i * CPU_STRIDE + C.PENDING] === 0) continue;
            if (clocks[i]! < next) next = clocks[i]!;
          }
        }
        try {
          if (stuck) cpu.spinUntil(cpu.spinSince + cpu.watchdogCycles + 1); // nothing can ever change: let the watchdog see it
          // a waiter still waits at the end of the run: its skip stops there
          else if (next !== Infinity) cpu.spinUntil(next < limitCycles ? next : limitCycles);
        } catch (e) {
          if (!(e instanceof OopsHalt)) throw e;
          return Slice.DONE;
        }
      }
      // its clock moved on (the step, a stall, a skip): it moves in the run queue, and its sets are looked at again
      clocks[cpu.id] = cpu.clock;
      if (!bucketed) {
        // (the buckets keep their own sets, canAct among them)
        const isIdle = cpu.lastKind === Ev.idle ? 1 : 0;
        if (idle[cpu.id] !== isIdle) { this.nIdle += isIdle === 1 ? 1 : -1; idle[cpu.id] = isIdle; }
      } else {
        queue.advanced(cpu.id, cpu.clock);
        this.refresh(cpu.id);
      }
      this.h = mix(mix(mix(mix(mix(this.h, cpu.id), cpu.lastKind), cpu.lastArg), cpu.lastCycles), cpu.clock);
      // one thread writes these words (and a signal handler between the slices): plain reads see them
      if (ctl[M.STATE] !== RunState.RUN) return Slice.DONE;
      if (ctl[M.DONE] === ncpus) return Slice.DONE;
      if ((n & (SLICE_STEPS - 1)) === 0) return Slice.MORE;
    }
  }
}

export async function runDeterministic(s: System, limitCycles: number, durationS: number, o: DeterministicOptions = {}): Promise<DriverOutcome> {
  const run = new Scheduler(s, limitCycles, o);
  const t0 = performance.now();
  const deadline = t0 + durationS * 1000;
  let truncated = false;
  while (run.slice() === Slice.MORE) {
    if (performance.now() > deadline) { truncated = true; break; }
    // let signal handlers run: Ctrl-C stops the machine like the wall-clock cap
    if ((run.n & (YIELD_STEPS - 1)) === 0) await new Promise<void>((r) => setImmediate(r));
  }
  for (const c of run.cpus) c.dump();
  return {
    truncated,
    hostSeconds: (performance.now() - t0) / 1000,
    eventHash: (run.h >>> 0).toString(16).padStart(8, '0'),
    internalError: run.internalError,
    ...(o.policy && !o.replay ? { schedule: o.policy.summary() } : {}),
  };
}
