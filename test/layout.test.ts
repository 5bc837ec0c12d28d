import { spawnSync } from 'node:child_process';
import t from 'tap';
import { allocate, attach, place } from '../emulator/layout.js';
import { nodeChild } from './helpers.js';

const spec = {
  a: { kind: 'i32', length: 3 },
  b: { kind: 'f64', length: 2 },
  c: { kind: 'u8', length: 5 },
} as const;

t.test('regions are placed in order on 64-byte boundaries', async (t) => {
  const { regions, byteLength } = place(spec);
  t.same(regions.map((r) => [r.name, r.byteOffset]), [['a', 0], ['b', 64], ['c', 128]]);
  t.equal(byteLength, 192);
});

t.test('views of another thread share the memory', async (t) => {
  const { buffer, views } = allocate(spec);
  const other = attach(spec, buffer);
  views.a[2] = 42;
  other.b[1] = 2.5;
  t.equal(other.a[2], 42);
  t.equal(views.b[1], 2.5);
  t.equal(views.c.length, 5);
});

t.test('a buffer of the wrong size is refused', async (t) => {
  t.throws(() => attach(spec, new SharedArrayBuffer(64)), { name: 'LayoutError', message: /buffer has 64 bytes, layout needs 192/ });
});

t.test('a bad region length is refused with its name', async (t) => {
  t.throws(() => place({ x: { kind: 'i32', length: -1 } }), /region 'x'/);
  t.throws(() => place({ y: { kind: 'i32', length: 1.5 } }), /region 'y'/);
});

// Every simulated access reads a region off the views object (m.v.mem, m.v.tlb):
// in dictionary mode each read is a lookup through an inline cache's slow path
// (it was, at 21 regions: 4% of the host's instructions). V8 says which mode.
t.test("the views object keeps fast properties and one map for every machine's", async (t) => {
  const url = (f: string): string => new URL(f, import.meta.url).href;
  const script = `
    const { allocate } = await import('${url('../emulator/layout.js')}');
    const { bootMachine } = await import('${url('../system/boot.js')}');
    const { validateRun } = await import('${url('../system/args.js')}');
    const spec = Object.fromEntries(Array.from({ length: 40 }, (_, i) => ['r' + i, { kind: 'i32', length: 4 }]));
    const a = allocate(spec).views, b = allocate(spec).views;
    const boot = () => bootMachine(validateRun({ workload: 'ipi-storm', arch: 's390', cpus: 2, driver: 'deterministic' })).machine.v;
    const m1 = boot(), m2 = boot();
    console.log(JSON.stringify({ fast: %HasFastProperties(a), same: %HaveSameMap(a, b), machineFast: %HasFastProperties(m1), machineSame: %HaveSameMap(m1, m2), regions: Object.keys(m1).length }));`;
  const [cmd, argv] = nodeChild(['--allow-natives-syntax', '--input-type=module', '-e', script]);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { fast: boolean; same: boolean; machineFast: boolean; machineSame: boolean; regions: number };
  t.ok(got.regions > 16, 'the machine has more regions than V8 keeps fast when they are added one by one');
  t.same(got, { fast: true, same: true, machineFast: true, machineSame: true, regions: got.regions });
});
