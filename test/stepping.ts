// Driving simulated CPUs by hand in tests: one CPU alone to a point, or all of
// them in virtual-time order (as the deterministic driver does) to an end.
import { resume, RETURNED, type CallStack, type Cpu, type Fn, type Routine } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';

/** The idle loop: interrupts on, so IPIs are taken. */
export const idle = function* (): Routine { for (;;) yield Ev.idle; };

/** Steps `cpu`'s routine alone until `until()` holds at an instruction boundary. */
export function stepUntil(cpu: Cpu, until: () => boolean, limit = 200_000): void {
  for (let n = 0; !until(); n++) {
    if (n > limit) throw new Error('condition never reached');
    cpu.step();
  }
}

/** Steps every CPU in virtual-time order until `until()` holds. */
export function stepAll(cpus: readonly Cpu[], until: () => boolean): void {
  for (let n = 0; !until(); n++) {
    if (n > 5_000_000) throw new Error('routine did not finish');
    cpus.reduce((a, c) => (c.clock < a.clock ? c : a)).step();
  }
}

/** Runs `fn` on `cpu` to its end while the others idle (and take their IPIs). */
export function runOn<T>(cpus: readonly Cpu[], cpu: Cpu, fn: Fn<T>): T {
  let out: T | undefined;
  let done = false;
  cpu.start((function* (): Routine { out = yield* fn; done = true; })());
  stepAll(cpus, () => done);
  return out as T;
}

/** Runs one routine to its end on its CPU alone, through the calls it makes (Cpu's resume()). */
export function drain<T>(g: Fn<T>): T {
  const s: CallStack = { gen: g, callers: [], depth: 0, value: undefined };
  while (resume(s) !== RETURNED);
  return s.value as T;
}
