// Cost tables: every figure has a source; and the timing model behaves as the
// tables say (line transfers priced by distance, quiesce stalls on s390).
import t from 'tap';
import { ARCHES, MACHINES } from '../arch/index.js';
import type { Cpu, Routine } from '../emulator/cpu.js';
import { EVENT_NAMES, Ev } from '../emulator/events.js';
import { kwordAddr } from '../emulator/kaddr.js';
import { bootMachine } from '../system/boot.js';
import { run } from '../system/run.js';
import { config } from './helpers.js';

for (const m of MACHINES) {
  t.test(`${m.name}: every figure has a source or a reasoned estimate`, async (t) => {
    const rows: [string, { cycles: number; source: string }][] = [
      ...EVENT_NAMES.map((n) => [n, m.rows[n]] as [string, { cycles: number; source: string }]),
      ['lineShift', m.lineShift], ['transfer.chip', m.transfer.chip], ['transfer.node', m.transfer.node],
      ['transfer.far', m.transfer.far], ['quiesceStall', m.quiesceStall],
    ];
    for (const [name, row] of rows) {
      t.ok(row, `${name} is in the table`);
      t.ok(Number.isFinite(row.cycles) && row.cycles >= 0, `${name}: a figure`);
      t.ok(row.source.length >= 12, `${name}: '${row.source}' says where it comes from`);
      // an estimate must say why: more than the word
      if (/ESTIMATE/.test(row.source)) t.ok(row.source.replace('ESTIMATE', '').length > 20, `${name}: the estimate gives its reasoning`);
    }
    t.ok(m.topology.source.length > 12, 'topology has a source');
    t.ok(m.source.length > 12, 'the clock has a source');
    for (const [name, row] of [['spread', m.timing.spread], ['steal', m.timing.steal], ['tick', m.timing.tick]] as const) {
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

// A line's holders are a bit per CPU at every CPU count: with one 32-bit mask,
// CPU 33 found a line CPU 1 held already in its cache, and a write by CPU 1 did
// not see CPU 33's copy (as CPUs 32 apart shared a bit).
t.test('line ownership at 64 and 190 CPUs: CPUs 32 apart do not share a copy', async (t) => {
  for (const cpus of [64, 190]) {
    const b = bootMachine(config({ workload: 'ipi-storm', cpus, driver: 'deterministic' }));
    const addr = kwordAddr(100);
    const access = (c: Cpu, kind: number): number => {
      const before = c.lineTransfers;
      c.start((function* (): Routine { yield c.ev(kind, addr); })());
      c.step();
      return c.lineTransfers - before;
    };
    const [a, far, farther] = [b.kernel.newCpu(1), b.kernel.newCpu(33), b.kernel.newCpu(cpus - 1)];
    t.equal(access(a, Ev.store), 0, `${cpus} CPUs: CPU 1 writes a line nobody holds: no transfer`);
    t.equal(access(far, Ev.load), 1, 'CPU 33 reads it: a transfer from CPU 1');
    t.equal(access(far, Ev.load), 0, 'and reads it again from its own copy');
    t.equal(access(a, Ev.load), 0, 'CPU 1 still holds its copy');
    t.equal(access(a, Ev.store), 1, "CPU 1 writes: CPU 33's copy comes back first");
    t.equal(access(far, Ev.load), 1, "CPU 33's copy was taken by that write");
    t.equal(access(farther, Ev.store), 1, `CPU ${cpus - 1} writes: a transfer`);
    t.equal(access(a, Ev.load), 1, `its write took CPU 1's copy`);
    t.equal(access(far, Ev.load), 1, "and CPU 33's");
  }
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
  t.equal((r.workload.latencyCycles as number[]).length, 5);
  t.ok(r.simulatedMicroseconds > 0);
});
