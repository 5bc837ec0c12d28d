// One simulated CPU: PSW interrupt mask, virtual cycle clock, pending
// interrupts, flight recorder, and a stack of routines (the program, and an
// interrupt handler on top while one runs). Both drivers step CPUs through
// step(); nothing here knows which driver calls it.
import prand from 'pure-rand';
import { unitDraw } from './draw.js';
import { EVENT_COUNT, Ev } from './events.js';
import { lineOf, lineWords } from './kaddr.js';
import {
  C, CPU_STRIDE, DUMP_BYTES, M, OOPS_BYTES, RING_FIELDS, RING_SIZE, S, STAT_STRIDE, type Machine,
} from './machine.js';
import * as shared from './shared.js';

/**
 * What a routine yields: an event kind before each shared access, or another
 * routine to call (`const v = (yield f(cpu)) as T`): the CPU runs the callee
 * and hands its return value back as the yield's value. Such a call is
 * `yield* f(cpu)` without the delegation, which resumes every caller on the way
 * down at each step of the callee (`npm run bench:ops`: a step four generators
 * deep costs about four times as much); the hot paths call so, the rest by `yield*`.
 */
export type Yield = number | Fn<unknown>;
/** A simulated kernel or user routine. */
export type Routine = Generator<Yield, void, unknown>;
/** What a routine returns a value through: `const v = yield* f(cpu)`, or a call as above. */
export type Fn<T> = Generator<Yield, T, unknown>;

/** Thrown through a CPU's routines when it oopses, so the CPU stops where it died. */
export class OopsHalt extends Error {}

export interface OopsRecord {
  kind: string;
  cpu: number;
  message: string;
  trace: string[];
  clock: number;
  /** named facts for the report (page state, the race) */
  details?: Record<string, unknown>;
}

/** What a step costs on the modelled machine (from its cost table). */
export interface CpuCosts {
  /** cycles per event kind */
  readonly costOf: Float64Array;
  /** log2 of the cache line whose ownership is tracked */
  readonly lineShift: number;
  /** extra cycles for a line from another CPU: same chip, same node, farther */
  readonly transfer: readonly [number, number, number];
  readonly coresPerChip: number;
  readonly chipsPerNode: number;
  /** cycles every other CPU loses to one broadcast purge (s390 quiesce) */
  readonly quiesceStall: number;
  /** the modelled clock, GHz */
  readonly ghz: number;
  /** seeded variation: relative half-width per event kind (0: exact), and per transfer distance */
  readonly spreadOf: Float64Array | null;
  readonly transferSpread: readonly [number, number, number];
  /** hypervisor steal in cycles: mean gap between undispatches, mean and longest undispatch; null = none */
  readonly steal: { readonly gap: number; readonly mean: number; readonly max: number } | null;
  /** the timer tick: period and handler cycles, and the handler's name; null = no tick */
  readonly tick: { readonly period: number; readonly cycles: number; readonly handler: string } | null;
}

/** Why a CPU stood still: the hypervisor took it (steal), or an exploration policy held it back. */
export type StallCause = 'steal' | 'delay' | 'pct';
export const STALL_CAUSES: readonly StallCause[] = ['steal', 'delay', 'pct'];

/** One stall of one CPU, after its step number `step`: what a schedule file records. */
export interface Stall { cpu: number; step: number; cycles: number; cause: StallCause }

/**
 * What a trace of the run is told, as it happens (the deterministic driver
 * only: one thread sees every CPU). Every method gets the CPU's clock then.
 */
export interface CpuTracer {
  enter(cpu: Cpu, fn: string): void;
  leave(cpu: Cpu): void;
  /** the call trace was cut back to `depth` (an interrupt handler returned) */
  unwind(cpu: Cpu, depth: number): void;
  irq(cpu: Cpu, on: boolean): void;
  stall(cpu: Cpu, cycles: number, cause: StallCause): void;
  /** an interrupt condition made pending at `target` by `cpu` */
  raise(cpu: Cpu, target: number, bits: number): void;
  /** `cpu` takes an interrupt: the IPIs pending at it, or the tick (bits 0) */
  interrupt(cpu: Cpu, bits: number, tick: boolean): void;
  /** a step ended: `cpu.lastKind`/`lastArg` are the access it will make next */
  step(cpu: Cpu): void;
  /** a named moment of the simulated kernel (a page freed, a table freed) */
  note(cpu: Cpu, name: string, args: Record<string, unknown>): void;
  oops(cpu: Cpu, kind: string, message: string): void;
}

// events that touch a shared line: 1 reads it, 2 writes it
const LINE_ACCESS = new Uint8Array(EVENT_COUNT);
for (const k of [Ev.load, Ev.dat_level, Ev.spin, Ev.csd_wait]) LINE_ACCESS[k] = 1;
for (const k of [Ev.store, Ev.atomic, Ev.pte_store]) LINE_ACCESS[k] = 2;

/** The arch's interrupt entry: given the pending bits it took, the handler routine. */
export type InterruptEntry = (cpu: Cpu, bits: number) => Routine;

/** A level of the CPU's stack: the program, or an interrupt handler over it. */
interface Frame extends CallStack {
  irq: boolean;
  trace: number;
  /** a busy-wait the routine is in (waitWhile): while it returns true, a step charges the wait again without resuming the routine */
  wait: (() => boolean) | null;
  waitKind: number;
  waitArg: number;
  /** a retry's event between two checks (-1: none), and whether it was the last one charged */
  waitRetry: number;
  retried: boolean;
}

// every routine's generator object has the prototype of its own generator
// function, so `gen.next` is a megamorphic lookup; the one function behind it is not
const generatorProto = Object.getPrototypeOf(function* () { /* (any generator) */ }).prototype as Routine;
const generatorNext = generatorProto.next as (this: Fn<unknown>, sent: unknown) => IteratorResult<Yield, unknown>;
const generatorThrow = generatorProto.throw as (this: Fn<unknown>, e: unknown) => IteratorResult<Yield, unknown>;

/** A routine and the routines it is a call of, innermost last: what resume() runs. */
export interface CallStack {
  /** the routine running: the outermost one, or the innermost callee of a call */
  gen: Fn<unknown>;
  /** the callers of `gen`, outermost first, in callers[0 .. depth) (depth 0: gen is the outermost routine) */
  callers: Fn<unknown>[];
  depth: number;
  /** the outermost routine's return value, once resume() said RETURNED */
  value: unknown;
}

/** What resume() says when the outermost routine has returned. */
export const RETURNED = -1;

/**
 * Runs a call stack to its next event kind, through the calls its routines make
 * and return from on the way, as `yield*` would: a callee's return value is its
 * caller's next(), a callee's exception is thrown into its caller where it
 * called; an exception out of the outermost routine is thrown to the caller of
 * resume().
 */
export function resume(s: CallStack): number {
  let sent: unknown;
  let thrown = false;
  let error: unknown;
  for (;;) {
    let r: IteratorResult<Yield, unknown>;
    try {
      r = thrown ? generatorThrow.call(s.gen, error) : generatorNext.call(s.gen, sent);
    } catch (e) {
      if (s.depth === 0) throw e;
      s.gen = s.callers[--s.depth]!;
      thrown = true;
      error = e;
      continue;
    }
    thrown = false;
    const v = r.value;
    if (r.done === true) {
      if (s.depth === 0) {
        s.value = v;
        return RETURNED;
      }
      s.gen = s.callers[--s.depth]!;
      sent = v;
    } else if (typeof v === 'number') {
      return v;
    } else {
      // (an index, not push(): V8 calls the push builtin here; the slot above depth keeps its old callee until reused)
      s.callers[s.depth++] = s.gen;
      s.gen = v as Fn<unknown>;
      sent = undefined;
    }
  }
}

const newFrame = (gen: Routine, trace: number): Frame =>
  ({ gen, callers: [], depth: 0, value: undefined, irq: true, trace, wait: null, waitKind: 0, waitArg: 0, waitRetry: -1, retried: false });

export class Cpu {
  clock = 0;
  irqOn = true;
  /** argument of the event being yielded (an address, a CPU number) */
  arg = 0;
  /** cycles on top of the event's table cost (a 'work' step's length) */
  extra = 0;
  lastKind = 0;
  /** the kind before lastKind: a step between two waits ran nothing but the wait's check */
  prevKind = 0;
  prevArg = 0;
  lastArg = 0;
  lastCycles = 0;
  steps = 0;
  /** >0 inside one multi-step instruction (a DAT walk): no interrupt is taken there */
  insnDepth = 0;
  /** the call trace's functions, and an address shown after each (-1: none), formatted only when read (trace) */
  private readonly frames: string[] = [];
  private frameAddr = new Float64Array(16);
  // counters flushed to the shared stats block
  ipisSent = 0;
  ipisTaken = 0;
  irqOffCycles = 0;
  spinCycles = 0;
  handlerCycles = 0;
  tlbHits = 0;
  tlbMisses = 0;
  loops = 0;
  stallCycles = 0;
  lineTransfers = 0;
  /** the deterministic driver's count of state-changing steps when this CPU last checked its wait */
  checkedAt = -1;
  /** waitWhile's fast path; off, every step of a wait resumes its routine (the tests compare the two) */
  fastWaits = true;
  /** clock when the current unbroken busy-wait began, -1 when not waiting */
  spinSince = -1;
  /** how deep in interrupts the busy-wait began (1: the program itself) */
  private spinDepth = 1;
  /** cycles of unbroken busy-waiting the lockup watchdog allows (Infinity: none) */
  watchdogCycles = Infinity;
  /** cycles charged per event kind */
  readonly kindCycles = new Float64Array(EVENT_COUNT);
  /** cycles the hypervisor took (steal) and an exploration policy held this CPU back */
  stealCycles = 0;
  delayCycles = 0;
  ticks = 0;
  /** the access this step made (the kind and argument yielded before it); -1 when the step took an interrupt */
  doneKind = -1;
  doneArg = 0;
  /** told of every stall as it is decided (a schedule being recorded) */
  onStall: ((s: Stall) => void) | null = null;
  /** told of every interrupt this CPU makes pending at another (the deterministic driver's skip sets) */
  onRaise: ((target: number) => void) | null = null;
  tracer: CpuTracer | null = null;
  /**
   * Told of an access a routine made beyond the end of memory (a RangeError of
   * a typed array), to report it as the machine would (it must not return);
   * null: such an access is a bug of the model and ends the run as one.
   */
  onAccessFault: ((e: RangeError) => never) | null = null;

  /** the frame whose routine step() is running now (waitWhile's), null outside it */
  private running: Frame | null = null;
  private irqOffSince = 0;
  private handlerSince = 0;
  private readonly stack: Frame[] = [];
  private readonly base: number;
  private readonly cpuWords: Int32Array;
  private readonly ring: Float64Array;
  private readonly ringBase: number;
  private ringHead = 0;
  private rng: prand.RandomGenerator;
  private readonly costOf: Float64Array;
  private readonly lines: Int32Array;
  /** words per line in `lines`: its writer, then the holder bitmap's words (kaddr.ts lineWords) */
  private readonly lineStride: number;
  /** this CPU's word of a holder bitmap, and its bit in that word */
  private readonly holderWord: number;
  private readonly holderBit: number;
  private readonly memBytes: number;
  private readonly stalls: boolean;
  private readonly noise: prand.RandomGenerator;
  private readonly stealRng: prand.RandomGenerator;
  private readonly spreadOf: Float64Array | null;
  /** how far each CPU is from this one: 0 the same chip, 1 the same node, 2 another node (transfer's index) */
  private readonly distance: Uint8Array;
  /** clock at which the hypervisor next takes this CPU (Infinity: never) */
  private stealAt = Infinity;
  private tickAt = Infinity;
  /** stalls to apply, by step (a schedule being replayed), and the next one's step */
  private plan: Stall[] = [];
  private planIdx = 0;
  private planStep = Infinity;

  constructor(
    readonly id: number,
    readonly machine: Machine,
    readonly costs: CpuCosts,
    private readonly interruptEntry: InterruptEntry,
  ) {
    this.costOf = costs.costOf;
    this.lines = machine.v.lines;
    this.lineStride = lineWords(machine.ncpus);
    this.holderWord = 1 + (id >> 5);
    this.holderBit = 1 << (id & 31);
    this.memBytes = machine.v.mem.length * 4;
    this.stalls = costs.quiesceStall > 0;
    this.base = id * CPU_STRIDE;
    this.cpuWords = machine.v.cpu;
    this.ring = machine.v.ring;
    this.ringBase = id * RING_SIZE * RING_FIELDS;
    // one independent stream per CPU, so a CPU's choices do not depend on the interleaving
    this.rng = prand.xoroshiro128plus((machine.cfg.seed * 1_000_003 + id * 7919) | 0);
    // noise and steal draw from streams of their own: neither moves the program's choices,
    // and a replay that takes its steal from a file leaves the noise as it was
    this.noise = prand.xoroshiro128plus((machine.cfg.seed * 2_000_029 + id * 104_729 + 0x6e6f) | 0);
    this.stealRng = prand.xoroshiro128plus((machine.cfg.seed * 3_000_017 + id * 15_485_863 + 0x57ea) | 0);
    this.spreadOf = costs.spreadOf;
    const chipOf = (cpu: number): number => Math.floor(cpu / costs.coresPerChip);
    const nodeOf = (cpu: number): number => Math.floor(chipOf(cpu) / costs.chipsPerNode);
    this.distance = Uint8Array.from({ length: machine.ncpus }, (_, from) =>
      (chipOf(from) === chipOf(id) ? 0 : nodeOf(from) === nodeOf(id) ? 1 : 2));
    if (costs.steal) this.stealAt = this.exp(costs.steal.gap);
    // ticks of different CPUs are not in phase
    if (costs.tick) this.tickAt = 1 + unitDraw(this.noise) * costs.tick.period;
    shared.store(this.cpuWords, this.base + C.IRQ_ON, 1);
    shared.store(this.cpuWords, this.base + C.ACTIVE, 1);
  }

  /** Sets the event's argument and extra cycles; returns the kind to yield. */
  ev(kind: number, arg = 0, extra = 0): number {
    this.arg = arg;
    this.extra = extra;
    return kind;
  }

  /**
   * A busy-wait's event: like ev(), and until `stillWaiting` returns false every
   * further step of this routine charges the same event without resuming it.
   * The routine must loop as `while (cond) yield cpu.waitWhile(kind, arg, () => cond)`:
   * re-checking a condition and yielding again does nothing else, so a step that
   * only re-checks it is the same step either way (and skips the routine's stack).
   * With `retry`, a wait whose every check is an attempt of its own (an rwsem's
   * compare-and-swap): each wait event is followed by the attempt's `retry` event,
   * and the check runs at the step after that, as `for (;;) { yield retry; if (!cond) break; yield kind; }` would.
   */
  waitWhile(kind: number, arg: number, stillWaiting: () => boolean, retry = -1): number {
    // (a routine run outside step(), as a test drains one, just yields)
    const f = this.running;
    if (f !== null && this.fastWaits) {
      f.wait = stillWaiting;
      f.waitKind = kind;
      f.waitArg = arg;
      f.waitRetry = retry;
      f.retried = false;
    }
    return this.ev(kind, arg);
  }

  /** Uniform integer in [0, n). */
  random(n: number): number {
    return prand.unsafeUniformIntDistribution(0, n - 1, this.rng);
  }

  /** Exponential with mean `mean`, from the steal stream. */
  private exp(mean: number): number {
    return -mean * Math.log(1 - unitDraw(this.stealRng));
  }

  /** `c` varied by the relative half-width `s`, seeded. */
  private vary(c: number, s: number): number {
    return Math.round(c * (1 + s * (2 * unitDraw(this.noise) - 1)));
  }

  /**
   * Stops this CPU for `cycles` before its next access: its clock moves on and
   * the others run meanwhile. An undispatched CPU is not busy-waiting, so the
   * lockup watchdog does not count the stall.
   */
  stall(cycles: number, cause: StallCause): void {
    if (cycles <= 0) return;
    this.tracer?.stall(this, cycles, cause);
    this.clock += cycles;
    if (cause === 'steal') this.stealCycles += cycles;
    else this.delayCycles += cycles;
    if (this.spinSince >= 0) this.spinSince += cycles;
    this.onStall?.({ cpu: this.id, step: this.steps, cycles, cause });
  }

  /**
   * Replays recorded stalls instead of drawing steal: each applies after the
   * step it was taken at. Steal drawing stops, the noise stays.
   */
  replayStalls(stalls: readonly Stall[]): void {
    this.plan = stalls.filter((x) => x.cpu === this.id).sort((a, b) => a.step - b.step);
    this.planIdx = 0;
    this.planStep = this.plan[0]?.step ?? Infinity;
    this.stealAt = Infinity;
  }

  /** The call trace, outermost first: what an oops or a lockup report prints. */
  get trace(): string[] {
    return this.frames.map((f, i) => frameName(f, this.frameAddr[i]!));
  }

  /** The call trace's depth, for a tracer that starts late. */
  get depth(): number { return this.frames.length; }

  /** Makes interrupt condition `bits` pending at CPU `target` (a SIGP order, an APIC write); returns the bits pending before. */
  raise(target: number, bits: number): number {
    this.tracer?.raise(this, target, bits);
    const before = shared.or(this.cpuWords, target * CPU_STRIDE + C.PENDING, bits);
    if (this.onRaise !== null) this.onRaise(target);
    return before;
  }

  start(program: Routine): void {
    shared.store(this.cpuWords, this.base + C.ACTIVE, 1);
    this.stack.length = 0;
    this.stack.push(newFrame(program, 0));
  }

  // --- PSW interrupt mask (s390 STNSM/STOSM, x86 CLI/STI) -------------------
  irqDisable(): void {
    if (this.irqOn) {
      this.tracer?.irq(this, false);
      this.irqOn = false;
      this.irqOffSince = this.clock;
      shared.store(this.cpuWords, this.base + C.IRQ_ON, 0);
    }
  }

  irqEnable(): void {
    if (!this.irqOn) {
      this.tracer?.irq(this, true);
      this.irqOn = true;
      this.irqOffCycles += this.clock - this.irqOffSince;
      shared.store(this.cpuWords, this.base + C.IRQ_ON, 1);
    }
  }

  // --- call trace, for oops and lockup reports --------------------------------
  enter(fn: string): void {
    this.push(fn, -1);
    if (this.tracer !== null) this.tracer.enter(this, fn);
  }

  /** enter() with an address the trace shows after the name (`user store 0x...`), formatted only if it is read */
  enterAt(fn: string, addr: number): void {
    this.push(fn, addr);
    if (this.tracer !== null) this.tracer.enter(this, frameName(fn, addr));
  }

  private push(fn: string, addr: number): void {
    const d = this.frames.length;
    if (d === this.frameAddr.length) {
      const wider = new Float64Array(2 * d);
      wider.set(this.frameAddr);
      this.frameAddr = wider;
    }
    this.frameAddr[d] = addr;
    this.frames.push(fn);
  }

  leave(): void {
    this.frames.pop();
    if (this.tracer !== null) this.tracer.leave(this);
  }

  /** A named moment for a trace (a page or a page table freed); nothing without one. */
  note(name: string, args: Record<string, unknown>): void {
    if (this.tracer !== null) this.tracer.note(this, name, args);
  }

  /**
   * One instruction boundary: take a pending interrupt if the PSW allows it,
   * otherwise run the top routine to its next yield. Charges the step's cycles
   * and records it.
   */
  step(): void {
    // (the rare paths are methods of their own: the common step stays small enough to inline)
    const w = this.cpuWords;
    if (this.stalls && shared.load(w, this.base + C.STALL) !== 0) this.quiesced();
    if (this.irqOn && this.insnDepth === 0) {
      if (shared.load(w, this.base + C.PENDING) !== 0 && this.interrupted()) return;
      if (this.clock >= this.tickAt) return this.takeTick();
    }
    const top = this.stack[this.stack.length - 1]!;
    this.doneKind = this.lastKind;
    this.doneArg = this.lastArg;
    // (one call of charge for every kind of step; V8 does not inline it, at 516 bytes of bytecode: README)
    let kind: number;
    let extra = 0;
    if (top.wait !== null && top.waitRetry >= 0 && !top.retried) {
      top.retried = true;
      kind = top.waitRetry;
      this.arg = top.waitArg;
    } else if (top.wait !== null && top.wait()) {
      top.retried = false;
      kind = top.waitKind;
      this.arg = top.waitArg;
    } else {
      top.wait = null;
      this.running = top;
      try {
        kind = resume(top);
      } catch (e) {
        this.running = null;
        this.routineThrew(e);
      }
      this.running = null;
      if (kind === RETURNED) return this.frameDone(top);
      extra = this.extra;
    }
    this.charge(kind, extra);
  }

  /** Another CPU's broadcast purge held this one in quiesce: the stall is charged before its step. */
  private quiesced(): void {
    const st = shared.exchange(this.cpuWords, this.base + C.STALL, 0);
    this.clock += st;
    this.stallCycles += st;
  }

  /** Takes the interrupts pending at this CPU, if any are left: whether it did. */
  private interrupted(): boolean {
    const bits = shared.exchange(this.cpuWords, this.base + C.PENDING, 0);
    if (bits === 0) return false;
    this.takeInterrupt(bits);
    return true;
  }

  /**
   * A routine threw. An Atomics access past the end of a region (memory, struct pages)
   * is the machine's exception, where the layer above says what that is; any other
   * error stays an error of the model.
   */
  private routineThrew(e: unknown): never {
    if (e instanceof RangeError && e.message === 'Invalid atomic access index' && this.onAccessFault !== null) this.onAccessFault(e);
    throw e;
  }

  /**
   * Charges the step of `kind` at `this.arg` (the argument through a field, not a parameter: an
   * address above 2^30 passed to a function V8 does not inline is boxed anew at every call).
   */
  private charge(kind: number, extra: number): void {
    const arg = this.arg;
    const access = LINE_ACCESS[kind]!;
    let table = this.costOf[kind]!;
    const spread = this.spreadOf;
    if (spread !== null && table > 0 && spread[kind]! > 0) table = this.vary(table, spread[kind]!);
    const cycles = table + extra + (access ? this.lineCost(access === 2) : 0);
    if (kind === Ev.spin || kind === Ev.csd_wait) {
      if (this.spinSince < 0) { this.spinSince = this.clock; this.spinDepth = this.stack.length; }
    } else if (this.stack.length === 1 && kind !== Ev.int_exit) {
      // an interrupt taken while busy-waiting does not break the wait, as the kernel's watchdog sees it
      this.spinSince = -1;
    }
    const clock = this.clock + cycles;
    this.clock = clock;
    const kindCycles = this.kindCycles;
    kindCycles[kind] += cycles;
    if (kind === Ev.spin) this.spinCycles += cycles;
    this.prevKind = this.lastKind;
    this.prevArg = this.lastArg;
    this.lastKind = kind;
    this.lastArg = arg;
    this.lastCycles = cycles;
    this.extra = 0;
    this.steps++;
    // (typed arrays in locals: V8 checks one once, a field it reloads and checks at every store)
    const ring = this.ring;
    const head = this.ringHead;
    const slot = this.ringBase + head * RING_FIELDS;
    ring[slot] = clock;
    ring[slot + 1] = kind;
    ring[slot + 2] = arg;
    this.ringHead = (head + 1) & (RING_SIZE - 1);
    if (this.tracer !== null) this.tracer.step(this);
    if (this.spinSince >= 0 && this.clock - this.spinSince > this.watchdogCycles) this.lockup();
    // the hypervisor undispatches at an instruction boundary, interrupts off or not
    if (this.clock >= this.stealAt && this.insnDepth === 0) this.undispatched();
    if (this.steps === this.planStep) this.replayPlanned();
  }

  /** The hypervisor takes this CPU for a while (steal), and draws when it next will. */
  private undispatched(): void {
    const st = this.costs.steal!;
    this.stall(Math.max(1, Math.min(st.max, Math.round(this.exp(st.mean)))), 'steal');
    this.stealAt = this.clock + this.exp(st.gap);
  }

  /** The stalls a schedule file gives after this step. */
  private replayPlanned(): void {
    while (this.steps === this.planStep) {
      const p = this.plan[this.planIdx++]!;
      this.stall(p.cycles, p.cause);
      this.planStep = this.plan[this.planIdx]?.step ?? Infinity;
    }
  }

  /**
   * The lockup watchdog (kernel/watchdog.c): a CPU busy-waiting longer than
   * the threshold is reported as the kernel reports it, and the machine halts.
   */
  private lockup(): never {
    const cycles = this.clock - this.spinSince;
    const us = Math.round(cycles / this.costs.ghz / 1000);
    this.enter('watchdog_timer_fn');
    // A wait that an interrupt came in on had interrupts on: the CPU takes its timer
    // interrupts, the kernel's hard-lockup check (kernel/watchdog.c, v4.5: is_hardlockup(),
    // hrtimer interrupts still counting) passes, and only the soft one fires, even when the watchdog looks from inside a handler.
    // (at int_exit the handler is gone but interrupts come back on only after it is charged)
    const interruptible = this.irqOn || this.stack.length > this.spinDepth || this.lastKind === Ev.int_exit;
    if (interruptible) this.oops('soft lockup', `watchdog: BUG: soft lockup - CPU#${this.id} stuck for ${us}us!`, { stuckCycles: cycles });
    this.oops('hard LOCKUP', `Watchdog detected hard LOCKUP on cpu ${this.id} (stuck for ${us}us with interrupts off)`, { stuckCycles: cycles });
  }

  /**
   * What the line at `this.arg` costs beyond a hit: a transfer from the CPU that
   * last wrote it (or, for a write, from a CPU that holds it), priced by how
   * far away that CPU is.
   */
  private lineCost(write: boolean): number {
    // (the address from this.arg, as charge takes it: a parameter would be boxed at each call)
    const l = lineOf(this.arg, this.costs.lineShift, this.memBytes);
    if (l < 0) return 0;
    const lines = this.lines;
    const stride = this.lineStride;
    const at = l * stride;
    const writer = shared.load(lines, at) - 1;
    const mine = at + this.holderWord;
    const me = this.holderBit;
    let from = -1;
    if (!write) {
      if (shared.load(lines, mine) & me) return 0;
      shared.or(lines, mine, me);
      if (writer >= 0 && writer !== this.id) from = writer;
    } else {
      // the lowest-numbered other CPU holding a copy, if any
      let other = -1;
      for (let w = 1; w < stride; w++) {
        let x = shared.load(lines, at + w);
        if (w === this.holderWord) x &= ~me;
        if (x !== 0) { other = ((w - 1) << 5) + 31 - Math.clz32(x & -x); break; }
      }
      if (writer === this.id && other < 0) return 0;
      // the writer now holds the only copy
      shared.store(lines, at, this.id + 1);
      for (let w = 1; w < stride; w++) shared.store(lines, at + w, w === this.holderWord ? me : 0);
      if (writer >= 0 && writer !== this.id) from = writer;
      else if (other >= 0) from = other;
    }
    return from < 0 ? 0 : this.transfer(from);
  }

  /** What a line from CPU `from` costs: priced by how far away that CPU is. */
  private transfer(from: number): number {
    this.lineTransfers++;
    const c = this.costs;
    const d = this.distance[from]!;
    return this.spreadOf !== null ? this.vary(c.transfer[d]!, c.transferSpread[d]!) : c.transfer[d]!;
  }

  /** A broadcast purge quiesces every other CPU: each is charged the stall at its next step. */
  stallOthers(): void {
    const cycles = this.costs.quiesceStall;
    if (cycles <= 0) return;
    for (let c = 0; c < this.machine.ncpus; c++) {
      if (c !== this.id) shared.add(this.cpuWords, c * CPU_STRIDE + C.STALL, cycles);
    }
  }

  private takeInterrupt(bits: number): void {
    this.ipisTaken++;
    this.handlerSince = this.clock;
    this.doneKind = -1;
    this.tracer?.interrupt(this, bits, false);
    // the external-interrupt new PSW has the external mask off until return
    this.irqDisable();
    this.stack.push(newFrame(this.interruptEntry(this, bits), this.frames.length));
    this.arg = bits;
    this.charge(Ev.int_entry, 0);
  }

  /**
   * The timer tick (the clock comparator's external interrupt on s390, the
   * local APIC timer on x86), taken whenever interrupts are on. An idle CPU
   * does not tick (CONFIG_NO_HZ_IDLE).
   */
  private takeTick(): void {
    const t = this.costs.tick!;
    this.tickAt += Math.max(1, Math.ceil((this.clock - this.tickAt) / t.period)) * t.period;
    if (!this.isActive()) return this.step();
    this.ticks++;
    this.handlerSince = this.clock;
    this.doneKind = -1;
    this.tracer?.interrupt(this, 0, true);
    this.irqDisable();
    this.stack.push(newFrame(tickHandler(this, t.handler, t.cycles), this.frames.length));
    this.arg = 0;
    this.charge(Ev.int_entry, 0);
  }

  private frameDone(frame: Frame): void {
    if (this.stack.length === 1) {
      // the program ended: the CPU idles with interrupts enabled, as Linux's idle loop does
      shared.add(this.machine.v.control, M.DONE, 1);
      shared.store(this.cpuWords, this.base + C.ACTIVE, 0);
      this.irqEnable();
      this.stack[0] = newFrame(idleLoop(this), 0);
      this.arg = 0;
      return this.charge(Ev.idle, 0);
    }
    this.stack.pop();
    this.frames.length = frame.trace;
    this.tracer?.unwind(this, frame.trace);
    this.doneKind = -1;
    this.arg = 0;
    this.charge(Ev.int_exit, 0);
    this.handlerCycles += this.clock - this.handlerSince;
    if (frame.irq) this.irqEnable();
  }

  /**
   * The time up to which this CPU has executed: the event it yielded last is
   * charged to `clock` but its access happens only when the CPU is resumed.
   */
  get executed(): number { return this.clock - this.lastCycles; }

  /**
   * A busy-wait that no other CPU can end before `until`: charge the spin
   * iterations up to it at once (the deterministic driver's fast-forward).
   */
  spinUntil(until: number): void {
    const kind = this.lastKind;
    const c = this.costOf[kind]!;
    if (c <= 0 || until <= this.clock) return;
    // an idle CPU waits exactly until then; a busy-wait in whole iterations
    if (!Number.isFinite(until)) return;
    const cycles = kind === Ev.idle ? until - this.clock : Math.ceil((until - this.clock) / c) * c;
    this.clock += cycles;
    this.kindCycles[kind] += cycles;
    if (kind === Ev.spin) this.spinCycles += cycles;
    // every skipped iteration but the pending one has been executed
    this.lastCycles = c;
    if (this.spinSince >= 0 && this.clock - this.spinSince > this.watchdogCycles) this.lockup();
  }

  /** Whether an interrupt is pending at this CPU (taken or not). */
  hasPending(): boolean { return shared.load(this.cpuWords, this.base + C.PENDING) !== 0; }

  isActive(): boolean { return shared.load(this.cpuWords, this.base + C.ACTIVE) === 1; }

  /**
   * The kernel's die(): the first oops of the machine is recorded and halts
   * every CPU; this CPU stops here.
   */
  oops(kind: string, message: string, details?: Record<string, unknown>): never {
    const ctl = this.machine.v.control;
    if (shared.compareExchange(ctl, M.OOPS_CPU, -1, this.id) === -1) {
      this.tracer?.oops(this, kind, message);
      const rec: OopsRecord = { kind, cpu: this.id, message, trace: this.trace, clock: this.clock };
      if (details) rec.details = details;
      this.machine.writeText(this.machine.v.oops, 0, OOPS_BYTES, JSON.stringify(rec));
      this.machine.requestStop(2);
    }
    throw new OopsHalt(`${kind} on CPU ${this.id}`);
  }

  /**
   * A checker's finding that does not stop the machine (a shadow that watches
   * silently while the kernel's own checks decide the crash): the first is kept
   * for the report as an oops record would be, the rest are counted.
   */
  shadowNote(kind: string, message: string, details?: Record<string, unknown>): void {
    this.record(this.machine.v.shadow, M.SHADOW_CPU, M.SHADOW_COUNT, 'shadow', kind, message, details);
  }

  /**
   * The kernel's WARN(): reported with the call trace where it fired (`fn`,
   * the function that warns), and the CPU goes on. The first is kept, the rest
   * counted. Returns true, as WARN() returns its condition.
   */
  warn(kind: string, message: string, fn: string, details?: Record<string, unknown>, taint: 'W' | 'B' = 'W'): true {
    shared.or(this.machine.v.control, M.TAINT, taint === 'W' ? 1 : 2);
    // (the function that warns may be on the stack already)
    const own = this.frames.length === 0 || frameName(this.frames[this.frames.length - 1]!, this.frameAddr[this.frames.length - 1]!) !== fn;
    if (own) this.enter(fn);
    this.record(this.machine.v.warn, M.WARN_CPU, M.WARN_COUNT, 'warn', kind, message, details);
    if (own) this.leave();
    return true;
  }

  private record(region: Uint8Array, first: number, count: number, note: string, kind: string, message: string, details?: Record<string, unknown>): void {
    const ctl = this.machine.v.control;
    shared.add(ctl, count, 1);
    if (shared.compareExchange(ctl, first, -1, this.id) !== -1) return;
    this.tracer?.note(this, note, { kind, message });
    const rec: OopsRecord = { kind, cpu: this.id, message, trace: this.trace, clock: this.clock };
    if (details) rec.details = details;
    this.machine.writeText(region, 0, OOPS_BYTES, JSON.stringify(rec));
  }

  /** Publishes counters and state for the thread that reports (called at the end and periodically). */
  flush(): void {
    const st = this.machine.v.stats;
    const b = this.id * STAT_STRIDE;
    st[b + S.steps] = this.steps;
    st[b + S.clock] = this.executed;
    st[b + S.ipisSent] = this.ipisSent;
    st[b + S.ipisTaken] = this.ipisTaken;
    st[b + S.irqOffCycles] = this.irqOffCycles + (this.irqOn ? 0 : this.clock - this.irqOffSince);
    st[b + S.spinCycles] = this.spinCycles;
    st[b + S.handlerCycles] = this.handlerCycles;
    st[b + S.tlbHits] = this.tlbHits;
    st[b + S.tlbMisses] = this.tlbMisses;
    st[b + S.loops] = this.loops;
    st[b + S.stallCycles] = this.stallCycles;
    st[b + S.lineTransfers] = this.lineTransfers;
    st[b + S.stealCycles] = this.stealCycles;
    st[b + S.delayCycles] = this.delayCycles;
    st[b + S.ticks] = this.ticks;
    this.machine.v.kindCycles.set(this.kindCycles, this.id * EVENT_COUNT);
    shared.store(this.cpuWords, this.base + C.RING_HEAD, this.ringHead);
    shared.store(this.cpuWords, this.base + C.STEPS, this.steps | 0);
  }

  /** Leaves this CPU's call trace and PSW state for reports once the machine has stopped. */
  dump(): void {
    this.flush();
    const text = JSON.stringify({ trace: this.trace, irqOn: this.irqOn, clock: this.clock, spinSince: this.spinSince });
    this.machine.writeText(this.machine.v.dump, this.id * DUMP_BYTES, DUMP_BYTES, text);
  }
}

/** A call trace entry: the function, and the address it works on if it names one. */
const frameName = (fn: string, addr: number): string => (addr < 0 ? fn : `${fn} 0x${addr.toString(16)}`);

/** Runs `body` as one instruction of `cpu`'s: its steps take no interrupt between them. */
export function* asOneInstruction<T>(cpu: Cpu, body: Fn<T>): Fn<T> {
  cpu.insnDepth++;
  try {
    return yield* body;
  } finally {
    cpu.insnDepth--;
  }
}

/** The tick's handler: its cycles as one stretch of work (update_process_times and the rest). */
function* tickHandler(cpu: Cpu, name: string, cycles: number): Routine {
  cpu.enter(name);
  yield cpu.ev(Ev.work, 0, cycles);
  cpu.leave();
}

/** cpu_idle: an enabled wait, taking interrupts as they come. */
function* idleLoop(cpu: Cpu): Routine {
  for (;;) yield cpu.ev(Ev.idle);
}
