// Quantum synchronisation for the parallel driver: no CPU performs an access
// at a time more than `slack` cycles past the time of the next access of the
// slowest CPU of another worker (its Cpu.clock), except the slowest CPU
// itself, which always goes on, so the machine always makes progress (a
// worker keeps its own CPUs together by stepping the one furthest behind).
// Clocks thus stay within max(slack, the longest single step) of each other.
// Clocks are published as 32-bit words
// (clock >> CLOCK_SHIFT, wrapping) and compared with wrap-around arithmetic,
// like the kernel's time_after(): one Int32 Atomics op per step instead of a
// BigInt64 one. A CPU that is too far ahead sleeps on the laggard's EPOCH word
// (Atomics.wait), which the laggard bumps as it advances, so waiting never
// burns the host core the laggard needs.
import { C, CLOCK_SHIFT, CPU_STRIDE, type Machine } from '../machine.js';

const UNIT = 2 ** CLOCK_SHIFT;
const SPINS = 64;          // re-checks before sleeping: covers a laggard a few steps behind
const SLEEP_MS = 2;        // a sleeper re-checks (and sees a stop) at least this often

/**
 * What the CPUs of one worker last found of every other worker's CPUs: the
 * smallest published clock (units). Those clocks only move forward, so it is
 * a bound from below that each of the worker's CPUs may use without a scan of
 * its own; a scan by any of them brings it up to date for all.
 */
export class OthersFloor {
  units = 0;
  known = false;
}

export class ClockSync {
  private readonly w: Int32Array;
  private readonly base: number;
  private readonly n: number;
  private readonly slackUnits: number;
  /** own clock (cycles) up to which no check is needed */
  private clearUntil = -1;
  private lastBump = 0;
  /** this CPU's last published clock, in units */
  private ownPub = 0;
  private readonly bumpEvery: number;

  /** CPUs stepped by the same worker (itself included): never waited for, the worker steps them itself */
  private readonly own: Uint8Array;

  constructor(m: Machine, private readonly id: number, slack: number, siblings: readonly number[] = [id],
    private readonly floor: OthersFloor = new OthersFloor()) {
    this.own = new Uint8Array(m.ncpus);
    for (const c of siblings) this.own[c] = 1;
    this.own[id] = 1;
    this.w = m.v.cpu;
    this.base = id * CPU_STRIDE;
    this.n = m.ncpus;
    this.slackUnits = Math.max(1, Math.floor(slack / UNIT));
    this.bumpEvery = Math.max(UNIT, slack / 4);
  }

  /** Publishes the time of this CPU's next access; wakes CPUs waiting on it once it has moved enough. */
  publish(clock: number): void {
    this.ownPub = Math.floor(clock / UNIT) | 0;
    Atomics.store(this.w, this.base + C.CLOCK, this.ownPub);
    if (clock - this.lastBump >= this.bumpEvery && Atomics.load(this.w, this.base + C.WAITERS) !== 0) {
      this.lastBump = clock;
      Atomics.add(this.w, this.base + C.EPOCH, 1);
      Atomics.notify(this.w, this.base + C.EPOCH);
    }
  }

  /**
   * The other CPU furthest behind, how many units `mine` is ahead of it, and
   * whether this CPU's own clock is behind no other worker's CPU.
   */
  private laggard(mine: number): { cpu: number; ahead: number; slowest: boolean } {
    let cpu = this.id;
    let ahead = 0;
    let slowest = true;
    let least = 0;
    let any = false;
    for (let c = 0; c < this.n; c++) {
      if (this.own[c] === 1) continue; // a CPU never waits for itself or a CPU its worker steps
      const pub = Atomics.load(this.w, c * CPU_STRIDE + C.CLOCK);
      const d = (mine - pub) | 0;
      if (d > ahead) { ahead = d; cpu = c; }
      if (((this.ownPub - pub) | 0) > 0) slowest = false;
      if (!any || ((pub - least) | 0) < 0) { least = pub; any = true; }
    }
    this.floor.units = least;
    this.floor.known = any;
    return { cpu, ahead, slowest };
  }

  /** Whether `ahead` units past the laggard is within the slack; if so, no check is needed till the slack is used up. */
  private clears(clock: number, ahead: number): boolean {
    if (ahead > this.slackUnits) return false;
    this.clearUntil = (Math.ceil(clock / UNIT) + this.slackUnits - ahead) * UNIT;
    return true;
  }

  /**
   * Called after each step with the time of the access the CPU will perform
   * next: returns at once while within the slack, else waits until the
   * laggard catches up (true) or `stopped()` says the run is over (false).
   */
  throttle(clock: number, stopped: () => boolean): boolean {
    if (clock <= this.clearUntil) return true;
    // rounded up, against published values rounded down: the bound is never exceeded
    const mine = Math.ceil(clock / UNIT) | 0;
    // within the slack of what a sibling last found of the others: no scan needed
    if (this.floor.known && this.clears(clock, (mine - this.floor.units) | 0)) return true;
    for (let spin = 0; ; spin++) {
      const { cpu, ahead, slowest } = this.laggard(mine);
      if (this.clears(clock, ahead)) return true;
      if (slowest) return true; // a step longer than the slack: the slowest CPU still goes on
      if (stopped()) return false;
      if (spin < SPINS) continue;
      const lb = cpu * CPU_STRIDE;
      Atomics.add(this.w, lb + C.WAITERS, 1);
      const epoch = Atomics.load(this.w, lb + C.EPOCH);
      // re-check after announcing, so a bump between the check and the wait is not lost
      if (((mine - Atomics.load(this.w, lb + C.CLOCK)) | 0) > this.slackUnits) {
        Atomics.wait(this.w, lb + C.EPOCH, epoch, SLEEP_MS);
      }
      Atomics.sub(this.w, lb + C.WAITERS, 1);
    }
  }
}
