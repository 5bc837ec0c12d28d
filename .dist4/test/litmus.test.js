// The hardware difference the 2016 bug turned on, pinned in both drivers:
// an IPI cannot complete while its target has interrupts off; an s390
// IPTE/IDTE can, and it takes the target's TLB entry with it; x86's flush is an
// IPI and waits.
import t from 'tap';
import { run } from '../system/run.js';
import { config } from './helpers.js';
for (const driver of ['deterministic', 'parallel']) {
    // slack well below the litmus delay, so CPU 0 caches its translation before CPU 1 acts in either driver;
    // a litmus fixes its interleaving: no steal, no exploration stalls (those are for searches)
    const base = { driver, cpus: 2, slack: 1000, duration: 20, steal: 'off', ...(driver === 'deterministic' ? { schedule: 'time' } : {}) };
    for (const arch of ['s390', 'x86']) {
        t.test(`${driver}/${arch}: kick_all_cpus_sync waits for the interrupts-off CPU`, async (t) => {
            const r = await run(config({ ...base, arch, workload: 'litmus-irqoff-kick', cpus: 4 }));
            const w = r.workload;
            t.equal(r.crashed, false);
            t.ok(w.cpu1OpStartedAt < w.cpu0IrqOnAgainAt, 'the kick began while CPU 0 had interrupts off');
            t.ok(w.cpu1OpEndedAt >= w.cpu0IrqOnAgainAt, 'and returned only after CPU 0 enabled them');
            t.ok((r.cpus[1].cyclesByEvent.csd_wait ?? 0) > 0, 'CPU 1 spun in csd_lock_wait meanwhile');
            t.equal(r.cpus[0].ipisTaken, 1, 'CPU 0 took the IPI once');
        });
    }
    for (const level of [0, 1]) {
        const what = level === 0 ? 'IPTE' : 'IDTE';
        t.test(`${driver}/s390: ${what} completes while the other CPU has interrupts off, and purges its TLB`, async (t) => {
            const r = await run(config({ ...base, arch: 's390', workload: 'litmus-flush-irqoff', param: [`level=${level}`] }));
            const w = r.workload;
            t.equal(w.tlbHeldBeforeSpan, true, 'CPU 0 cached the translation');
            t.equal(w.opCompletedWhileIrqOff, true, `the ${what} returned before CPU 0 enabled interrupts`);
            t.equal(w.tlbHeldAtEndOfSpan, false, "CPU 0's stale TLB entry is gone although it took no interrupt");
            t.equal(r.cpus[0].ipisTaken, 0, 'nobody was interrupted');
        });
        t.test(`${driver}/x86: the TLB flush (level ${level}) waits for the interrupts-off CPU`, async (t) => {
            const r = await run(config({ ...base, arch: 'x86', workload: 'litmus-flush-irqoff', param: [`level=${level}`] }));
            const w = r.workload;
            t.equal(w.tlbHeldBeforeSpan, true);
            t.equal(w.opCompletedWhileIrqOff, false, 'the flush did not return while CPU 0 had interrupts off');
            t.ok(w.cpu1OpEndedAt >= w.cpu0IrqOnAgainAt);
            t.equal(w.tlbHeldAtEndOfSpan, true, 'CPU 0 kept its entry until it took the flush IPI');
            t.equal(r.cpus[0].ipisTaken, 1);
        });
    }
}
//# sourceMappingURL=litmus.test.js.map