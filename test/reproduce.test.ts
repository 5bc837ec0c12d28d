// The 2016 outcomes, for the right reason: s390 v4.5-rc1 crashes through a
// TLB entry its split failed to flush; the controls never crash.
import t from 'tap';
import { run } from '../system/run.js';
import { cli, config } from './helpers.js';

const stress = { workload: 'thp-split-vs-gup', cpus: 8 };

t.test('deterministic, seed 1: s390 v4.5-rc1 crashes, and the same oops comes back every replay', async (t) => {
  const cfg = config({ ...stress, driver: 'deterministic', seed: 1, kernel: 'v4.5-rc1', duration: 60 });
  const a = await run(cfg);
  const b = await run(cfg);
  t.equal(a.crashed, true);
  t.equal(a.oops?.kind, 'KASAN: use-after-free');
  const race = a.oops?.details?.race as Record<string, string>;
  t.match(race.split, /pmdp_invalidate\(address 0x[0-9a-f]+\), one huge page past 0x[0-9a-f]+: the flush missed the pmd/);
  t.match(race.freed, /freed by CPU\d/);
  t.match(race.access, new RegExp(`CPU${a.oops!.cpu} then reached it through its stale TLB entry`));
  t.same(b.oops, a.oops, 'the same oops');
  t.equal(b.eventHash, a.eventHash, 'the same run, event for event');
  t.ok(a.timeToCrashSeconds !== null && a.timeToCrashSeconds > 0);
});

for (const [arch, kernel, crashes] of [
  ['s390', 'v4.5-rc1+kick', true],
  ['s390', 'v4.5', false],
  ['s390', 'v4.4', false],
  ['x86', 'v4.5-rc1', false],
] as const) {
  t.test(`deterministic, seed 1, 3 ms: ${arch} ${kernel} ${crashes ? 'crashes' : 'does not crash'}`, async (t) => {
    const r = await run(config({ ...stress, arch, kernel, driver: 'deterministic', seed: 1, simMs: 3, duration: 120 }));
    t.equal(r.internalError, null);
    t.equal(r.truncated, false, 'ran its whole simulated length');
    t.equal(r.crashed, crashes, r.oops ? `${r.oops.kind}: ${r.oops.message}` : 'no oops');
    const ev = r.workload.vmEvents as Record<string, number>;
    t.ok(ev.thp_split_pmd! > 0 && ev.dma_transfers! > 0, 'splits and pins both happened');
  });
}

t.test('parallel, M:N (8 CPUs on 2 workers): s390 v4.5-rc1 crashes within 10 s for at least 4 of 5 seeds, every CPU steps', async (t) => {
  let crashed = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const r = await run(config({ ...stress, kernel: 'v4.5-rc1', seed, duration: 10, workers: 2 }));
    t.equal(r.internalError, null);
    t.ok(r.cpus.every((c) => c.steps > 0), `seed ${seed}: no CPU of a worker is starved by its siblings`);
    if (r.crashed) {
      crashed++;
      t.equal(r.oops?.kind, 'KASAN: use-after-free', `seed ${seed}: ${r.oops?.message}`);
    }
    if (seed === 1) t.match(r.replay, /--workers 2/);
  }
  t.ok(crashed >= 4, `${crashed} of 5 crashed`);
});

// one bounded run per control: the deterministic runs above show why they stay clean
t.test('parallel: s390 v4.4, x86 v4.5-rc1 and s390 v4.5 never crash (one run of 1 s each)', async (t) => {
  for (const [arch, kernel] of [['s390', 'v4.4'], ['x86', 'v4.5-rc1'], ['s390', 'v4.5']] as const) {
    const r = await run(config({ ...stress, arch, kernel, seed: 1, duration: 1 }));
    t.equal(r.internalError, null);
    t.equal(r.crashed, false, r.oops ? `${arch} ${kernel}: ${r.oops.kind}: ${r.oops.message}` : `${arch} ${kernel}`);
    t.ok((r.workload.vmEvents as Record<string, number>).thp_split_pmd! > 0, `${arch} ${kernel}: it did split`);
  }
});

t.test('the CLI: exit 3 with the oops and its replay line; --json carries oops and timeToCrashSeconds', async (t) => {
  const text = cli(['run', '--driver', 'deterministic', '--seed', '1']);
  t.equal(text.status, 3, text.stderr);
  t.match(text.stdout, /kernel BUG: KASAN: use-after-free/);
  t.match(text.stdout, /The race:\n thp: 0x/);
  t.match(text.stdout, /Replay: s390emu run --workload thp-split-vs-gup --arch s390 .*--kernel v4.5-rc1 .*--seed 1 --driver deterministic/);
  const j = cli(['run', '--driver', 'deterministic', '--seed', '1', '--json']);
  t.equal(j.status, 3);
  const r = JSON.parse(j.stdout) as { crashed: boolean; oops: { kind: string; cpu: number }; timeToCrashSeconds: number };
  t.equal(r.crashed, true);
  t.equal(r.oops.kind, 'KASAN: use-after-free');
  t.type(r.oops.cpu, 'number');
  t.type(r.timeToCrashSeconds, 'number');
});

t.test('roles scale: at 2 CPUs (one splitter, one pinning CPU, both touching) v4.5-rc1 crashes through a stale TLB entry, v4.5 and v4.4 do not', async (t) => {
  const two = { ...stress, cpus: 2, driver: 'deterministic', seed: 1, simMs: 20, duration: 60 };
  const rc1 = await run(config({ ...two, kernel: 'v4.5-rc1' }));
  t.same([rc1.config.params.splitters, rc1.config.params.gupers, rc1.config.params.ownTouches], [1, 1, 1], 'the default roles at 2 CPUs');
  t.equal(rc1.crashed, true);
  t.match(rc1.oops?.message, /through a stale TLB entry/);
  for (const kernel of ['v4.5', 'v4.4']) {
    const r = await run(config({ ...two, kernel }));
    t.equal(r.crashed, false, r.oops ? `${kernel}: ${r.oops.kind}: ${r.oops.message}` : kernel);
    t.ok(r.cpus.every((c) => c.tlbHits > 0), `${kernel}: both CPUs loaded and stored through their TLBs`);
  }
});
