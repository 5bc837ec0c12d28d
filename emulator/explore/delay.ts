// delay: KCSAN's way of making a race show (kernel/kcsan/core.c): at a random
// one of a CPU's interesting accesses, stall the CPU before it and watch the
// address; an access by another CPU to the same entry during the stall, one
// of the two a write, is a conflict, recorded in the result. As KCSAN skips
// KCSAN_SKIP_WATCH accesses between watchpoints (randomised) and delays for up
// to KCSAN_UDELAY_TASK us (randomised), this policy skips a random number of
// interesting accesses and stalls a random time. A CPU is held back at most
// 1/(1+REST) of its time: after a stall of D it runs REST * D before the next.
// Beyond KCSAN, a lockless walker's descent into the next table is a stall
// candidate of its own (DELAY_DESCENT_ODDS): the family's races live there.
import prand from 'pure-rand';
import type { Cpu } from '../cpu.js';
import { unitDraw } from '../draw.js';
import { EVENT_NAMES } from '../events.js';
import { isAccess, WRITES, type Conflict, type ExecutionInfo, type PolicySummary, type SchedulePolicy } from './policy.js';

/** interesting accesses skipped between two stalls of one CPU: uniform in [0, 2 * SKIP] */
export const DELAY_SKIP = 50;
/**
 * A lockless walker (interrupts off) about to load from a page table other
 * than the one it read last has just followed a pointer it read without a
 * lock: the window between those two loads is where a table freed under the
 * walker shows. One such descent in DELAY_DESCENT_ODDS stalls, whatever the
 * skip count and the rest say (a walk has one or two of them).
 */
export const DELAY_DESCENT_ODDS = 2;
/**
 * A stall's length is log-uniform over [DELAY_MIN_US, DELAY_MAX_US]: the windows
 * to stretch run from a few instructions to a munmap's whole zap (256 IPTEs,
 * about 400 us on z13), and a log-uniform draw gives every scale the same chance.
 * (KCSAN draws uniformly up to KCSAN_UDELAY_TASK, 80 us by default.)
 */
export const DELAY_MIN_US = 0.1;
export const DELAY_MAX_US = 1000;
/** after a stall of D a CPU runs at least REST * D cycles before the next */
const REST = 3;
const KEEP_CONFLICTS = 20;

interface Watch { cpu: number; entry: number; kind: number; from: number; until: number }

/**
 * The policy's state as fields of one object (the step loop calls observe at
 * every step: closure variables cost a context walk and a hole check each).
 */
class DelayPolicy implements SchedulePolicy {
  readonly name = 'delay';
  readonly cause = 'delay' as const;
  private readonly g: prand.RandomGenerator;
  private info!: ExecutionInfo;
  private lnMin = 0;
  private lnMax = 0;
  // (typed arrays: an array of numbers changes its elements kind as values grow, and every site then takes both)
  private skip = new Int32Array(0);
  private restUntil = new Float64Array(0);
  private lastTable = new Float64Array(0);
  private watches: Watch[] = [];
  /** the earliest end of a watch (Infinity: none) */
  private minUntil = Infinity;
  private seen = 0;
  private decisions = 0;
  private stallCycles = 0;
  private conflicts = 0;
  private readonly first: Conflict[] = [];

  constructor(seed: number) {
    this.g = prand.xoroshiro128plus((seed * 7_000_003 + 0xde1a) | 0);
  }

  private conflict(w: Watch, by: number, k: number, at: number): void {
    this.conflicts++;
    if (this.first.length < KEEP_CONFLICTS) {
      this.first.push({
        cpu: w.cpu, access: EVENT_NAMES[w.kind]!, address: `0x${(w.entry * 8).toString(16)}`,
        by, byAccess: EVENT_NAMES[k]!, clock: at,
      });
    }
  }

  private draw(lo: number, hi: number): number { return prand.unsafeUniformIntDistribution(lo, hi, this.g); }
  private length(): number { return Math.round(Math.exp(this.lnMin + (this.lnMax - this.lnMin) * unitDraw(this.g))); }

  begin(x: ExecutionInfo): void {
    this.info = x;
    this.lnMin = Math.log(DELAY_MIN_US * x.ghz * 1000);
    this.lnMax = Math.log(DELAY_MAX_US * x.ghz * 1000);
    this.skip = Int32Array.from({ length: x.ncpus }, () => this.draw(0, 2 * DELAY_SKIP));
    this.restUntil = new Float64Array(x.ncpus);
    this.lastTable = new Float64Array(x.ncpus).fill(-1);
    this.watches = []; this.minUntil = Infinity; this.seen = 0; this.decisions = 0; this.stallCycles = 0; this.conflicts = 0; this.first.length = 0;
  }

  decide(cpu: Cpu, index: number): number {
    this.seen = index + 1;
    const id = cpu.id;
    const lastTable = this.lastTable;
    let cycles = 0;
    if (!cpu.irqOn && this.info.tableEntry(cpu.lastArg)) {
      // a lockless walker about to load from a table other than its last one: it descends
      const frame = Math.floor(cpu.lastArg / this.info.pageBytes);
      const descends = lastTable[id]! >= 0 && lastTable[id] !== frame;
      lastTable[id] = frame;
      if (descends && this.draw(0, DELAY_DESCENT_ODDS - 1) === 0) cycles = this.length();
    }
    if (cycles === 0) {
      const skip = this.skip;
      if (cpu.clock < this.restUntil[id]! || skip[id]!-- > 0) return 0;
      skip[id] = this.draw(0, 2 * DELAY_SKIP);
      cycles = this.length();
      this.restUntil[id] = cpu.clock + cycles * (1 + REST);
    }
    this.decisions++;
    this.stallCycles += cycles;
    if (isAccess(cpu.lastKind)) {
      const until = cpu.clock + cycles;
      this.watches.push({ cpu: id, entry: Math.floor(cpu.lastArg / 8), kind: cpu.lastKind, from: cpu.clock, until });
      if (until < this.minUntil) this.minUntil = until;
    }
    return cycles;
  }

  observe(cpu: Cpu): void {
    if (cpu.irqOn) this.lastTable[cpu.id] = -1;
    const watches = this.watches;
    const n = watches.length;
    if (n === 0) return;
    const at = cpu.executed;
    const k = cpu.doneKind;
    const access = isAccess(k);
    // a step that is no access only lets watches expire: none has before minUntil
    if (!access && at <= this.minUntil) return;
    let keep = 0;
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const w = watches[i]!;
      if (w.until < at) continue; // this CPU is the furthest behind: no one can touch it within the stall any more
      if (keep !== i) watches[keep] = w;
      keep++;
      if (w.until < min) min = w.until;
      if (!access || w.cpu === cpu.id || at < w.from || Math.floor(cpu.doneArg / 8) !== w.entry) continue;
      if (WRITES[k] !== 1 && WRITES[w.kind] !== 1) continue;
      this.conflict(w, cpu.id, k, at);
    }
    this.minUntil = min;
    // (setting an array's length costs more than the comparison)
    if (keep !== n) watches.length = keep;
  }

  summary(): PolicySummary {
    return {
      policy: 'delay', interestingSteps: this.seen, decisions: this.decisions, stallCycles: this.stallCycles,
      conflicts: { count: this.conflicts, first: [...this.first] },
    };
  }
}

export function delayPolicy(seed: number): SchedulePolicy {
  return new DelayPolicy(seed);
}
