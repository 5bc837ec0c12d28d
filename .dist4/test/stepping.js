import { Ev } from '../emulator/events.js';
/** The idle loop: interrupts on, so IPIs are taken. */
export const idle = function* () { for (;;)
    yield Ev.idle; };
/** Steps `cpu`'s routine alone until `until()` holds at an instruction boundary. */
export function stepUntil(cpu, until, limit = 200_000) {
    for (let n = 0; !until(); n++) {
        if (n > limit)
            throw new Error('condition never reached');
        cpu.step();
    }
}
/** Steps every CPU in virtual-time order until `until()` holds. */
export function stepAll(cpus, until) {
    for (let n = 0; !until(); n++) {
        if (n > 5_000_000)
            throw new Error('routine did not finish');
        cpus.reduce((a, c) => (c.clock < a.clock ? c : a)).step();
    }
}
/** Runs `fn` on `cpu` to its end while the others idle (and take their IPIs). */
export function runOn(cpus, cpu, fn) {
    let out;
    let done = false;
    cpu.start((function* () { out = yield* fn; done = true; })());
    stepAll(cpus, () => done);
    return out;
}
//# sourceMappingURL=stepping.js.map