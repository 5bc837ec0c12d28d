// Ctrl-C and SIGTERM: every machine running in this process stops at its
// CPUs' next step; what ran so far is reported and marked interrupted.
import { RunState, type Machine } from './machine.js';

const active = new Set<Machine>();
let interrupted = false;

export function interrupt(): void {
  interrupted = true;
  for (const m of active) m.requestStop(RunState.STOP);
}

export function isInterrupted(): boolean {
  return interrupted;
}

/** Runs `body` with `m` stoppable by interrupt(). */
export async function whileActive<T>(m: Machine, body: () => Promise<T>): Promise<T> {
  active.add(m);
  if (interrupted) m.requestStop(RunState.STOP);
  try {
    return await body();
  } finally {
    active.delete(m);
  }
}
