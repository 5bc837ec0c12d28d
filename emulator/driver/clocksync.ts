// Quantum synchronisation for the parallel driver: no CPU performs an access
// at a time more than `slack` cycles past the time up to which the slowest CPU
// has executed (Cpu.executed), so executed clocks never differ by more than
// `slack`. Clocks are published as 32-bit words
// (clock >> CLOCK_SHIFT, wrapping) and compared with wrap-around arithmetic,
// like the kernel's time_after(): one Int32 Atomics op per step instead of a
// BigInt64 one. A CPU that is too far ahead sleeps on the laggard's EPOCH word
// (Atomics.wait), which the laggard bumps as it advances, so waiting never
// burns the host core the laggard needs.
import { C, CLOCK_SHIFT, CPU_STRIDE, type Machine } from '../machine.js';

const UNIT = 2 ** CLOCK_SHIFT;
const SPINS = 64;          // re-checks before sleeping: covers a laggard a few steps behind
const SLEEP_MS = 2;        // a sleeper re-checks (and sees a stop) at least this often

export class ClockSync {
  private readonly w: Int32Array;
  private readonly base: number;
  private readonly n: number;
  private readonly slackUnits: number;
  /** own clock (cycles) up to which no check is needed */
  private clearUntil = -1;
  private lastBump = 0;
  private readonly bumpEvery: number;

  constructor(m: Machine, private readonly id: number, slack: number) {
    this.w = m.v.cpu;
    this.base = id * CPU_STRIDE;
    this.n = m.ncpus;
    this.slackUnits = Math.max(1, Math.floor(slack / UNIT));
    this.bumpEvery = Math.max(UNIT, slack / 4);
  }

  /** Publishes how far this CPU has executed; wakes CPUs waiting on it once it has moved enough. */
  publish(executed: number): void {
    Atomics.store(this.w, this.base + C.CLOCK, Math.floor(executed / UNIT) | 0);
    if (executed - this.lastBump >= this.bumpEvery && Atomics.load(this.w, this.base + C.WAITERS) !== 0) {
      this.lastBump = executed;
      Atomics.add(this.w, this.base + C.EPOCH, 1);
      Atomics.notify(this.w, this.base + C.EPOCH);
    }
  }

  /** The CPU furthest behind and how many units `mine` is ahead of it. */
  private laggard(mine: number): { cpu: number; ahead: number } {
    let cpu = this.id;
    let ahead = 0;
    for (let c = 0; c < this.n; c++) {
      const d = (mine - Atomics.load(this.w, c * CPU_STRIDE + C.CLOCK)) | 0;
      if (d > ahead) { ahead = d; cpu = c; }
    }
    return { cpu, ahead };
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
    for (let spin = 0; ; spin++) {
      const { cpu, ahead } = this.laggard(mine);
      if (ahead <= this.slackUnits) {
        this.clearUntil = (Math.ceil(clock / UNIT) + this.slackUnits - ahead) * UNIT;
        return true;
      }
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
