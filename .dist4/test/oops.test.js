// The first oops halts every CPU, in both drivers, and the CLI exits 3 with the report.
import t from 'tap';
import { run } from '../system/run.js';
import { cli, config } from './helpers.js';
for (const driver of ['deterministic', 'parallel']) {
    t.test(`${driver}: BUG() on one CPU halts the machine`, async (t) => {
        const r = await run(config({ workload: 'selftest-oops', driver, cpus: 6, duration: 20, param: ['cpu=3', 'at=200000'] }));
        t.equal(r.crashed, true);
        t.equal(r.oops?.kind, 'BUG');
        t.equal(r.oops?.cpu, 3);
        t.same(r.oops?.trace, ['selftest_bug']);
        t.ok(r.oops.clock >= 200_000);
        t.ok(r.hostSeconds < 15, 'halted, not run to the cap');
        t.equal(r.cpus[3].trace.at(-1), 'selftest_bug', 'the crashed CPU stopped where it died');
        t.ok(r.cpus.every((c) => c.steps > 0));
    });
}
t.test('the CLI prints the oops with its replay line and exits 3', async (t) => {
    const r = cli(['run', '--workload', 'selftest-oops', '--cpus', '4', '--driver', 'deterministic', '--param', 'cpu=2']);
    t.equal(r.status, 3, r.stderr);
    t.match(r.stdout, /kernel BUG: BUG: selftest: BUG\(\) on CPU 2/);
    t.match(r.stdout, /Call Trace:\n selftest_bug/);
    t.match(r.stdout, /Replay: s390emu run --workload selftest-oops .*--seed 1 --driver deterministic/);
    const j = cli(['run', '--workload', 'selftest-oops', '--cpus', '4', '--param', 'cpu=2', '--json']);
    t.equal(j.status, 3);
    t.equal(JSON.parse(j.stdout).crashed, true);
});
//# sourceMappingURL=oops.test.js.map