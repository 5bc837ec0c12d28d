// One simulated CPU: PSW interrupt mask, virtual cycle clock, pending
// interrupts, flight recorder, and a stack of routines (the program, and an
// interrupt handler on top while one runs). Both drivers step CPUs through
// step(); nothing here knows which driver calls it.
import prand from 'pure-rand';
import { Ev } from './events.js';
import {
  C, CPU_STRIDE, DUMP_BYTES, M, OOPS_BYTES, RING_FIELDS, RING_SIZE, S, STAT_STRIDE, type Machine,
} from './machine.js';

/** A simulated kernel or user routine: yields an event kind before each shared access. */
export type Routine = Generator<number, void, unknown>;
/** What a routine returns a value through: `const v = yield* f(cpu)`. */
export type Fn<T> = Generator<number, T, unknown>;

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

/** The arch's interrupt entry: given the pending bits it took, the handler routine. */
export type InterruptEntry = (cpu: Cpu, bits: number) => Routine;

interface Frame { gen: Routine; irq: boolean; trace: number }

export class Cpu {
  clock = 0;
  irqOn = true;
  /** argument of the event being yielded (an address, a CPU number) */
  arg = 0;
  /** cycles on top of the event's table cost (a 'work' step's length) */
  extra = 0;
  lastKind = 0;
  lastArg = 0;
  lastCycles = 0;
  steps = 0;
  /** >0 inside one multi-step instruction (a DAT walk): no interrupt is taken there */
  insnDepth = 0;
  readonly trace: string[] = [];
  // counters flushed to the shared stats block
  ipisSent = 0;
  ipisTaken = 0;
  irqOffCycles = 0;
  spinCycles = 0;
  handlerCycles = 0;
  tlbHits = 0;
  tlbMisses = 0;
  loops = 0;

  private irqOffSince = 0;
  private handlerSince = 0;
  private readonly stack: Frame[] = [];
  private readonly base: number;
  private readonly cpuWords: Int32Array;
  private readonly ring: Float64Array;
  private readonly ringBase: number;
  private ringHead = 0;
  private rng: prand.RandomGenerator;

  constructor(
    readonly id: number,
    readonly machine: Machine,
    /** cycles per event kind, from the arch's cost table */
    private readonly costOf: Float64Array,
    private readonly interruptEntry: InterruptEntry,
  ) {
    this.base = id * CPU_STRIDE;
    this.cpuWords = machine.v.cpu;
    this.ring = machine.v.ring;
    this.ringBase = id * RING_SIZE * RING_FIELDS;
    // one independent stream per CPU, so a CPU's choices do not depend on the interleaving
    this.rng = prand.xoroshiro128plus((machine.cfg.seed * 1_000_003 + id * 7919) | 0);
    Atomics.store(this.cpuWords, this.base + C.IRQ_ON, 1);
    Atomics.store(this.cpuWords, this.base + C.ACTIVE, 1);
  }

  /** Sets the event's argument and extra cycles; returns the kind to yield. */
  ev(kind: number, arg = 0, extra = 0): number {
    this.arg = arg;
    this.extra = extra;
    return kind;
  }

  /** Uniform integer in [0, n). */
  random(n: number): number {
    return prand.unsafeUniformIntDistribution(0, n - 1, this.rng);
  }

  start(program: Routine): void {
    Atomics.store(this.cpuWords, this.base + C.ACTIVE, 1);
    this.stack.length = 0;
    this.stack.push({ gen: program, irq: true, trace: 0 });
  }

  // --- PSW interrupt mask (s390 STNSM/STOSM, x86 CLI/STI) -------------------
  irqDisable(): void {
    if (this.irqOn) {
      this.irqOn = false;
      this.irqOffSince = this.clock;
      Atomics.store(this.cpuWords, this.base + C.IRQ_ON, 0);
    }
  }

  irqEnable(): void {
    if (!this.irqOn) {
      this.irqOn = true;
      this.irqOffCycles += this.clock - this.irqOffSince;
      Atomics.store(this.cpuWords, this.base + C.IRQ_ON, 1);
    }
  }

  // --- call trace, for oops and lockup reports --------------------------------
  enter(fn: string): void { this.trace.push(fn); }
  leave(): void { this.trace.pop(); }

  /**
   * One instruction boundary: take a pending interrupt if the PSW allows it,
   * otherwise run the top routine to its next yield. Charges the step's cycles
   * and records it.
   */
  step(): void {
    const w = this.cpuWords;
    if (this.irqOn && this.insnDepth === 0 && Atomics.load(w, this.base + C.PENDING) !== 0) {
      const bits = Atomics.exchange(w, this.base + C.PENDING, 0);
      if (bits !== 0) return this.takeInterrupt(bits);
    }
    const frame = this.stack[this.stack.length - 1]!;
    const r = frame.gen.next();
    if (r.done) return this.frameDone(frame);
    this.charge(r.value, this.arg, this.extra);
  }

  private charge(kind: number, arg: number, extra: number): void {
    const cycles = this.costOf[kind]! + extra;
    this.clock += cycles;
    if (kind === Ev.spin) this.spinCycles += cycles;
    this.lastKind = kind;
    this.lastArg = arg;
    this.lastCycles = cycles;
    this.extra = 0;
    this.steps++;
    const slot = this.ringBase + this.ringHead * RING_FIELDS;
    this.ring[slot] = this.clock;
    this.ring[slot + 1] = kind;
    this.ring[slot + 2] = arg;
    this.ringHead = (this.ringHead + 1) % RING_SIZE;
  }

  private takeInterrupt(bits: number): void {
    this.ipisTaken++;
    this.handlerSince = this.clock;
    // the external-interrupt new PSW has the external mask off until return
    this.irqDisable();
    this.stack.push({ gen: this.interruptEntry(this, bits), irq: true, trace: this.trace.length });
    this.charge(Ev.int_entry, bits, 0);
  }

  private frameDone(frame: Frame): void {
    if (this.stack.length === 1) {
      // the program ended: the CPU idles with interrupts enabled, as Linux's idle loop does
      Atomics.add(this.machine.v.control, M.DONE, 1);
      Atomics.store(this.cpuWords, this.base + C.ACTIVE, 0);
      this.irqEnable();
      this.stack[0] = { gen: idleLoop(this), irq: true, trace: 0 };
      return this.charge(Ev.idle, 0, 0);
    }
    this.stack.pop();
    this.trace.length = frame.trace;
    this.charge(Ev.int_exit, 0, 0);
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
    const c = this.costOf[Ev.spin]!;
    if (c <= 0 || until <= this.clock) return;
    const cycles = Math.ceil((until - this.clock) / c) * c;
    this.clock += cycles;
    this.spinCycles += cycles;
    this.lastCycles += cycles;
  }

  isActive(): boolean { return Atomics.load(this.cpuWords, this.base + C.ACTIVE) === 1; }

  /**
   * The kernel's die(): the first oops of the machine is recorded and halts
   * every CPU; this CPU stops here.
   */
  oops(kind: string, message: string, details?: Record<string, unknown>): never {
    const ctl = this.machine.v.control;
    if (Atomics.compareExchange(ctl, M.OOPS_CPU, -1, this.id) === -1) {
      const rec: OopsRecord = { kind, cpu: this.id, message, trace: [...this.trace], clock: this.clock };
      if (details) rec.details = details;
      this.machine.writeText(this.machine.v.oops, 0, OOPS_BYTES, JSON.stringify(rec));
      this.machine.requestStop(2);
    }
    throw new OopsHalt(`${kind} on CPU ${this.id}`);
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
    Atomics.store(this.cpuWords, this.base + C.RING_HEAD, this.ringHead);
    Atomics.store(this.cpuWords, this.base + C.STEPS, this.steps | 0);
  }

  /** Leaves this CPU's call trace and PSW state for reports once the machine has stopped. */
  dump(): void {
    this.flush();
    const text = JSON.stringify({ trace: this.trace, irqOn: this.irqOn, clock: this.clock });
    this.machine.writeText(this.machine.v.dump, this.id * DUMP_BYTES, DUMP_BYTES, text);
  }
}

/** cpu_idle: an enabled wait, taking interrupts as they come. */
function* idleLoop(cpu: Cpu): Routine {
  for (;;) yield cpu.ev(Ev.idle);
}
