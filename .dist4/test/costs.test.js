// Cost tables: every figure has a source; and the timing model behaves as the
// tables say (line transfers priced by distance, quiesce stalls on s390).
import t from 'tap';
import { ARCHES, MACHINES } from '../arch/index.js';
import { EVENT_NAMES } from '../emulator/events.js';
import { run } from '../system/run.js';
import { config } from './helpers.js';
for (const m of MACHINES) {
    t.test(`${m.name}: every figure has a source or a reasoned estimate`, async (t) => {
        const rows = [
            ...EVENT_NAMES.map((n) => [n, m.rows[n]]),
            ['lineShift', m.lineShift], ['transfer.chip', m.transfer.chip], ['transfer.node', m.transfer.node],
            ['transfer.far', m.transfer.far], ['quiesceStall', m.quiesceStall],
        ];
        for (const [name, row] of rows) {
            t.ok(row, `${name} is in the table`);
            t.ok(Number.isFinite(row.cycles) && row.cycles >= 0, `${name}: a figure`);
            t.ok(row.source.length >= 12, `${name}: '${row.source}' says where it comes from`);
            // an estimate must say why: more than the word
            if (/ESTIMATE/.test(row.source))
                t.ok(row.source.replace('ESTIMATE', '').length > 20, `${name}: the estimate gives its reasoning`);
        }
        t.ok(m.topology.source.length > 12, 'topology has a source');
        t.ok(m.source.length > 12, 'the clock has a source');
        for (const [name, row] of [['spread', m.timing.spread], ['steal', m.timing.steal], ['tick', m.timing.tick]]) {
            t.ok(/\s/.test(row.source) && row.source.length > 20, `timing.${name}: '${row.source}' cites a source or reasons an estimate`);
        }
    });
}
for (const a of Object.values(ARCHES)) {
    t.test(`${a.name}: HZ cites the defconfig it comes from`, async (t) => {
        t.ok(Number.isInteger(a.hz.value) && a.hz.value > 0, 'a figure');
        t.match(a.hz.source, /configs\/\w*defconfig.* at v\d/, `'${a.hz.source}' names a defconfig and version`);
    });
}
t.test('a line written by another CPU costs a transfer; the same seed gives the same cycles', async (t) => {
    const cfg = config({ workload: 'ipi-storm', cpus: 4, driver: 'deterministic', simMs: 0.2, seed: 5 });
    const a = await run(cfg);
    const b = await run(cfg);
    t.ok(a.cpus.every((c) => c.lineTransfers > 0), 'csds and queues move between CPUs');
    t.same(a.cpus.map((c) => c.cyclesByEvent), b.cpus.map((c) => c.cyclesByEvent), 'simulated figures replay exactly');
});
t.test('s390 broadcasts stall every other CPU; x86 has no quiesce', async (t) => {
    const s390 = await run(config({ workload: 'thp-split-vs-gup', kernel: 'v4.5', cpus: 4, driver: 'deterministic', simMs: 0.3, seed: 2 }));
    t.ok(s390.cpus.some((c) => c.stallCycles > 0), 'IPTE/IDTE quiesce cost the other CPUs cycles');
    const x86 = await run(config({ workload: 'thp-split-vs-gup', arch: 'x86', kernel: 'v4.5', cpus: 4, driver: 'deterministic', simMs: 0.3, seed: 2 }));
    t.ok(x86.cpus.every((c) => c.stallCycles === 0));
});
t.test('--machine z14 runs with its own table', async (t) => {
    const r = await run(config({ workload: 'ipi-latency', machine: 'z14', cpus: 4, driver: 'deterministic', simMs: 100, param: ['calls=5'] }));
    t.equal(r.config.machine, 'z14');
    t.equal(r.workload.latencyCycles.length, 5);
    t.ok(r.simulatedMicroseconds > 0);
});
//# sourceMappingURL=costs.test.js.map