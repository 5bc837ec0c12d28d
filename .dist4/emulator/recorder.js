// Reading the flight recorder: the last RING_SIZE events of a CPU, oldest first.
import { EVENT_NAMES } from './events.js';
import { C, CPU_STRIDE, RING_FIELDS, RING_SIZE } from './machine.js';
export function readRecorder(m, cpu, last = RING_SIZE) {
    const head = Atomics.load(m.v.cpu, cpu * CPU_STRIDE + C.RING_HEAD);
    const base = cpu * RING_SIZE * RING_FIELDS;
    const out = [];
    for (let i = 0; i < RING_SIZE; i++) {
        const s = base + ((head + i) % RING_SIZE) * RING_FIELDS;
        const clock = m.v.ring[s];
        if (clock === 0 && m.v.ring[s + 1] === 0)
            continue; // never written
        out.push({ clock, event: EVENT_NAMES[m.v.ring[s + 1]] ?? '?', arg: m.v.ring[s + 2] });
    }
    return out.slice(-last);
}
//# sourceMappingURL=recorder.js.map