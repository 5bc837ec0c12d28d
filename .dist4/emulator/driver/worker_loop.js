import { OopsHalt } from '../cpu.js';
import { M, RunState } from '../machine.js';
import { ClockSync } from './clocksync.js';
/** Steps `cpus` (this worker's, booted over `m`) until the machine stops; `post` tells the main thread. */
export function stepWorker(m, cpus, init, post) {
    const ctl = m.v.control;
    const syncs = init.cpus.map((id) => new ClockSync(m, id, init.cfg.slack, init.cpus));
    const bounded = Number.isFinite(init.cfg.slack);
    const stopped = () => Atomics.load(ctl, M.STATE) !== RunState.RUN;
    post({ type: 'ready', cpus: init.cpus });
    while (Atomics.load(ctl, M.START) === 0)
        Atomics.wait(ctl, M.START, 0, 50);
    let cpu = cpus[0];
    try {
        for (let n = 1;; n++) {
            // the CPU of this worker furthest behind runs next (the lowest number on a tie)
            let i = 0;
            cpu = cpus[0];
            for (let j = 1; j < cpus.length; j++)
                if (cpus[j].clock < cpu.clock) {
                    cpu = cpus[j];
                    i = j;
                }
            if ((n & 15) === 0) {
                if (stopped())
                    break;
                if (Atomics.load(ctl, M.DONE) === m.ncpus || cpu.clock >= init.limitCycles) {
                    m.requestStop(RunState.STOP);
                    break;
                }
                if ((n & 1023) === 0)
                    for (const c of cpus)
                        c.flush();
            }
            // the worker waits only when its CPU furthest behind is too far ahead: its
            // other CPUs are further still, and the CPU furthest behind of all never waits
            if (bounded && !syncs[i].throttle(cpu.clock, stopped))
                break;
            cpu.step();
            // the time of its next access: no access of this CPU can come earlier (a
            // stall or long step pending holds back no one, as in the deterministic order)
            if (bounded)
                syncs[i].publish(cpu.clock);
        }
    }
    catch (e) {
        if (!(e instanceof OopsHalt)) {
            const err = e;
            m.requestStop(RunState.HALT);
            post({ type: 'error', cpu: cpu.id, message: err.message, stack: err.stack ?? '', trace: [...cpu.trace] });
        }
    }
    for (const c of cpus)
        c.dump();
}
//# sourceMappingURL=worker_loop.js.map