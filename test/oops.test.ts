// The first oops halts every CPU, in both drivers, and the CLI exits 3 with the report.
import t from 'tap';
import { OopsHalt, type Routine } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { OOPS_BYTES } from '../emulator/machine.js';
import { bootMachine } from '../system/boot.js';
import { run } from '../system/run.js';
import { cli, config } from './helpers.js';
import { stepAll } from './stepping.js';

for (const driver of ['deterministic', 'parallel'] as const) {
  t.test(`${driver}: BUG() on one CPU halts the machine`, async (t) => {
    const r = await run(config({ workload: 'selftest-oops', driver, cpus: 6, duration: 20, param: ['cpu=3', 'at=200000'] }));
    t.equal(r.crashed, true);
    t.equal(r.oops?.kind, 'BUG');
    t.equal(r.oops?.cpu, 3);
    t.same(r.oops?.trace, ['selftest_bug']);
    t.ok(r.oops!.clock >= 200_000);
    t.ok(r.hostSeconds < 15, 'halted, not run to the cap');
    t.equal(r.cpus[3]!.trace.at(-1), 'selftest_bug', 'the crashed CPU stopped where it died');
    t.ok(r.cpus.every((c) => c.steps > 0));
  });
}

t.test('the CLI prints the oops with its replay line and exits 3', async (t) => {
  const r = cli(['run', '--workload', 'selftest-oops', '--cpus', '4', '--driver', 'deterministic', '--param', 'cpu=2']);
  t.equal(r.status, 3, r.stderr);
  // a check the kernel does not make has no source line: the generic layout, not s390's die()
  t.match(r.stdout, /kernel BUG: BUG: selftest: BUG\(\) on CPU 2/);
  t.notMatch(r.stdout, /illegal operation: 0001/);
  t.match(r.stdout, /Call Trace:\n selftest_bug/);
  t.match(r.stdout, /Replay: s390emu run --workload selftest-oops .*--seed 1 --driver deterministic/);
  const j = cli(['run', '--workload', 'selftest-oops', '--cpus', '4', '--param', 'cpu=2', '--json']);
  t.equal(j.status, 3);
  t.equal((JSON.parse(j.stdout) as { crashed: boolean }).crashed, true);
});

// A busy-wait with interrupts on that takes IPIs is a soft lockup, wherever the
// watchdog finds it: the wait's own context is interruptible, so the kernel's
// hard-lockup check (hrtimer interrupts still counting) passes.
t.test('a busy-wait taking interrupts is a soft lockup, even when the watchdog looks from inside a handler', async (t) => {
  const kinds = new Set<string>();
  let inHandler = 0;
  for (let w = 0; w < 40; w++) {
    const b = bootMachine(config({ workload: 'ipi-storm', cpus: 2, driver: 'deterministic' }));
    const [c0, c1] = [b.kernel.newCpu(0), b.kernel.newCpu(1)];
    c1.watchdogCycles = 20_000 + w * 97;
    c0.start((function* (): Routine { for (;;) yield* b.kernel.smp.smp_call_function_single(c0, 1, 'do_nothing', 0, true); })());
    c1.start((function* (): Routine { for (;;) yield c1.ev(Ev.spin, 0); })());
    try {
      stepAll([c0, c1], () => false);
    } catch (e) {
      if (!(e instanceof OopsHalt)) throw e;
    }
    const oops = JSON.parse(b.machine.readText(b.machine.v.oops, 0, OOPS_BYTES)) as { kind: string; cpu: number; trace: string[] };
    t.equal(oops.cpu, 1);
    kinds.add(oops.kind);
    if (oops.trace.length > 1) inHandler++;
  }
  t.same([...kinds], ['soft lockup'], 'never a hard lockup');
  t.ok(inHandler > 0, `${inHandler} of 40 thresholds passed inside the IPI handler`);
});
