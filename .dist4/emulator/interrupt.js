// Ctrl-C and SIGTERM: every machine running in this process stops at its
// CPUs' next step; what ran so far is reported and marked interrupted.
import { RunState } from './machine.js';
const active = new Set();
let interrupted = false;
export function interrupt() {
    interrupted = true;
    for (const m of active)
        m.requestStop(RunState.STOP);
}
export function isInterrupted() {
    return interrupted;
}
/** Runs `body` with `m` stoppable by interrupt(). */
export async function whileActive(m, body) {
    active.add(m);
    if (interrupted)
        m.requestStop(RunState.STOP);
    try {
        return await body();
    }
    finally {
        active.delete(m);
    }
}
//# sourceMappingURL=interrupt.js.map