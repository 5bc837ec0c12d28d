// Exploration: the delay policy finds the narrow race (fast_gup against a
// page table freed after the flush alone) and does not invent it where the
// kernel waits for the walker; schedules as files replay exactly, are refused
// when damaged or foreign, and shrink to a minimal crash.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { RACES, RACES_SCENARIO, search } from '../bench/races.js';
import { loadScenario } from '../system/scenario.js';
import { ddmin, signature } from '../commands/shrink.js';
import { loadScheduleFile } from '../system/schedule_file.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'explore-'));
const sc = loadScenario(RACES_SCENARIO);
const race = (name: string) => RACES.find((r) => r.name === name)!;
const opts = { races: [], policies: [], seeds: 1, budgetS: 20, simMs: 2 } as const;
// seed 9 crashes in this configuration (40 did until s390's deposit list changed its event sequence)
const narrowArgs = ['--driver', 'deterministic', '--scenario', RACES_SCENARIO, '--kernel', 'v4.5-after-flush', '--workload', 'munmap-only', '--seed', '9'];

t.test('delay finds the narrow race on s390 and names both CPUs; the time order alone does not in the same runs', async (t) => {
  // seed 9's search: run seeds 9, 19, 29, ... until a crash
  const found = await search(race('narrow'), 'delay', 9, opts, sc);
  t.ok(found.crashed, `crashed within ${found.runs} runs`);
  t.match(found.oops, /^KASAN: use-after-free: CPU\d fast_gup read the pte of 0x[0-9a-f]+ from a page table CPU\d freed under it$/);
  t.ok(found.decisions > 0);
  // the same run without the policy's stalls: the race stays hidden
  const plain = cli(['run', ...narrowArgs.slice(0, -1), String(found.runSeed), '--schedule', 'time']);
  t.equal(plain.status, 0, `run seed ${found.runSeed} in time order: no crash`);
});

t.test('no invented races: delay on s390 v4.5 (RCU table freeing) and x86 after-flush stays clean', async (t) => {
  for (const name of ['control-rcu', 'control-x86']) {
    const r = await search(race(name), 'delay', 1, { ...opts, budgetS: 2 }, sc);
    t.equal(r.crashed, false, `${name}: ${r.runs} runs, ${r.decisions} decisions, no crash${r.oops ? ` (${r.oops})` : ''}`);
    t.ok(r.decisions > 0, `${name}: the search did stall CPUs`);
  }
});

t.test('run --record, replay: the same eventHash and oops, three times', async (t) => {
  const file = join(dir, 'narrow.json');
  const rec = cli(['run', ...narrowArgs, '--record', file, '--json']);
  t.equal(rec.status, 3, rec.stderr);
  const recorded = JSON.parse(rec.stdout) as { eventHash: string; oops: { message: string } };
  for (let i = 0; i < 3; i++) {
    const r = cli(['replay', file, '--json']);
    t.equal(r.status, 3, r.stderr);
    const j = JSON.parse(r.stdout) as { eventHash: string; oops: { message: string }; replayed: { exact: boolean } };
    t.equal(j.eventHash, recorded.eventHash);
    t.equal(j.oops.message, recorded.oops.message);
    t.equal(j.replayed.exact, true);
  }
});

t.test('a damaged or foreign schedule file: one line, exit 2', async (t) => {
  const good = join(dir, 'good.json');
  t.equal(cli(['run', '--driver', 'deterministic', '--workload', 'ipi-storm', '--sim-ms', '0.1', '--record', good]).status, 0);
  const f = JSON.parse(readFileSync(good, 'utf8')) as Record<string, unknown>;
  const cases: [string, string, RegExp][] = [
    ['not json', '{"format": "s390emu-sched', /damaged schedule file: not JSON/],
    ['other format', JSON.stringify({ format: 'x' }), /not a schedule file/],
    ['other version', JSON.stringify({ ...f, version: 99 }), /format version 99; this program reads version 1/],
    ['other program', JSON.stringify({ ...f, program: '0.0.1' }), /recorded by s390emu 0\.0\.1; this is/],
    ['edited', JSON.stringify({ ...f, stalls: [[0, 5, 100, 1]] }), /the checksum does not match/],
    ['bad stall', JSON.stringify({ ...f, stalls: [[0, 5, -1, 1]] }), /damaged schedule file: stalls\.0\.2/],
  ];
  for (const [name, text, why] of cases) {
    const p = join(dir, `${name.replace(/ /g, '-')}.json`);
    writeFileSync(p, text);
    // what replay and shrink refuse it with (loadScheduleFile's UsageError is the CLI's exit 2)
    t.throws(() => loadScheduleFile(p), { name: 'UsageError', message: why }, name);
  }
  t.throws(() => loadScheduleFile(join(dir, 'absent.json')), { name: 'UsageError', message: /cannot read the schedule file \(ENOENT\)/ });
  // and through the CLI: one line, exit 2, nothing on stdout
  for (const name of ['not json', 'edited']) {
    const r = cli(['replay', join(dir, `${name.replace(/ /g, '-')}.json`)]);
    t.equal(r.status, 2, name);
    t.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`);
    t.equal(r.stdout, '', `${name}: no output`);
  }
  const par = cli(['run', '--driver', 'parallel', '--record', join(dir, 'p.json')]);
  t.equal(par.status, 2);
  t.match(par.stderr, /--record: needs --driver deterministic/);
});

t.test('the 2016 crash (s390 v4.5-rc1, seed 1) shrinks to at most 4 CPUs and 10 decisions, and replays', async (t) => {
  const file = join(dir, 'wide.json');
  const min = join(dir, 'wide.min.json');
  t.equal(cli(['run', '--driver', 'deterministic', '--seed', '1', '--record', file]).status, 3);
  const s = cli(['shrink', file, '--out', min], 120_000);
  t.equal(s.status, 0, s.stderr);
  t.match(s.stdout, /still "KASAN: use-after-free: user access to ADDR through a stale TLB entry"/);
  const m = JSON.parse(readFileSync(min, 'utf8')) as { config: { cpus: number }; stalls: unknown[]; outcome: { eventHash: string; oops: { kind: string } } };
  t.ok(m.config.cpus <= 4, `${m.config.cpus} CPUs`);
  t.ok(m.stalls.length <= 10, `${m.stalls.length} decisions`);
  // (that a replay comes back the same every time is the test of run --record above)
  const r = cli(['replay', min, '--json']);
  t.equal(r.status, 3);
  const j = JSON.parse(r.stdout) as { eventHash: string; oops: { kind: string } };
  t.equal(j.eventHash, m.outcome.eventHash);
  t.equal(j.oops.kind, 'KASAN: use-after-free');
});

t.test('ddmin: a 1-minimal failing subset; the signature forgets addresses, CPUs and clocks', async (t) => {
  const needs = (xs: readonly number[]) => Promise.resolve(xs.includes(3) && xs.includes(17));
  t.same(await ddmin(Array.from({ length: 40 }, (_, i) => i), needs), [3, 17]);
  t.same(await ddmin([1, 2, 3], () => Promise.resolve(true)), []);
  t.equal(signature({ kind: 'KASAN: use-after-free', message: 'CPU3 fast_gup read the pte of 0x401f1000 from a page table CPU0 freed under it' }),
    signature({ kind: 'KASAN: use-after-free', message: 'CPU5 fast_gup read the pte of 0x40378000 from a page table CPU1 freed under it' }));
  t.not(signature({ kind: 'BUG', message: 'x' }), signature({ kind: 'KASAN: use-after-free', message: 'x' }));
});

t.test('validate --schedule: the table and the JSON say which policy ran and how many decisions it made', async (t) => {
  const r = cli(['validate', '--arch', 's390', '--kernel', 'v4.5', '--seeds', '2', '--driver', 'deterministic', '--sim-ms', '1', '--schedule', 'pct', '--depth', '2']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /deterministic driver under pct d=2/);
  t.match(r.stdout, /no crash: agrees\s+pct d=2, \d+ decisions/);
  const j = cli(['validate', '--arch', 's390', '--kernel', 'v4.5', '--seeds', '1', '--driver', 'deterministic', '--sim-ms', '1', '--json']);
  const rep = JSON.parse(j.stdout) as { matrix: { schedule: { policy: string } }; cells: { explored: { policy: string; decisions: number } }[] };
  t.equal(rep.matrix.schedule.policy, 'delay', 'the default policy');
  t.equal(rep.cells[0]!.explored.policy, 'delay');
  t.ok(rep.cells[0]!.explored.decisions > 0);
  const bad = cli(['validate', '--driver', 'deterministic', '--schedule', 'dfs']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--schedule: 'dfs' is not allowed; choose one of: time, pct, delay/);
});

type Ev = { name: string; ph: string; ts: number; pid: number; tid: number; dur?: number; id?: number; cat: string; args?: Record<string, unknown> };

/** trace-event JSON as Chrome and Perfetto read it; spans nest per track; flows have both ends */
function checkTrace(t: Test, path: string): Ev[] {
  const j = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: Ev[]; displayTimeUnit: string };
  t.ok(Array.isArray(j.traceEvents) && j.traceEvents.length > 0, 'traceEvents');
  t.equal(j.displayTimeUnit, 'ns');
  const phases = new Set(['X', 'i', 's', 'f', 'M']);
  const bad = j.traceEvents.filter((e) => typeof e.name !== 'string' || !phases.has(e.ph) || typeof e.ts !== 'number' || !(e.ts >= 0) ||
    !Number.isInteger(e.pid) || !Number.isInteger(e.tid) || typeof e.cat !== 'string' || (e.ph === 'X' && !(typeof e.dur === 'number' && e.dur >= 0)) ||
    ((e.ph === 's' || e.ph === 'f') && !Number.isInteger(e.id)));
  t.same(bad.slice(0, 3), [], 'every event has the fields its phase needs');
  const byTid = new Map<number, Ev[]>();
  for (const e of j.traceEvents) if (e.ph === 'X') byTid.set(e.tid, [...(byTid.get(e.tid) ?? []), e]);
  let crossings = 0;
  const eps = 1e-6;
  for (const spans of byTid.values()) {
    spans.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const stack: number[] = [];
    for (const s of spans) {
      while (stack.length && stack[stack.length - 1]! <= s.ts + eps) stack.pop();
      if (stack.length && s.ts + s.dur! > stack[stack.length - 1]! + eps) crossings++;
      stack.push(s.ts + s.dur!);
    }
  }
  t.equal(crossings, 0, 'spans nest on every track');
  const starts = j.traceEvents.filter((e) => e.ph === 's').map((e) => e.id).sort();
  const ends = j.traceEvents.filter((e) => e.ph === 'f').map((e) => e.id).sort();
  t.same(starts, ends, 'every IPI flow has both ends');
  return j.traceEvents;
}

t.test('--trace: a picture of the narrow race, and of x86 flush IPIs', async (t) => {
  const file = join(dir, 'narrow-trace.json');
  const r = cli(['run', ...narrowArgs, '--trace', file, '--json']);
  t.equal(r.status, 3, r.stderr);
  const oops = (JSON.parse(r.stdout) as { oops: { cpu: number; details: { race: { freer: string } } } }).oops;
  const evs = checkTrace(t, file);
  t.ok(evs.some((e) => e.ph === 'i' && e.cat === 'oops' && e.tid === oops.cpu), 'the oops, on the walker\'s track');
  const freer = Number(/^CPU(\d+)/.exec(oops.details.race.freer)![1]);
  t.ok(evs.some((e) => e.name === 'page table freed' && e.tid === freer), 'the free, on the freer\'s track');
  t.ok(evs.some((e) => e.cat === 'stall' && e.tid === oops.cpu), 'the walker\'s stall');
  t.ok(evs.some((e) => e.name === 'interrupts off' && e.tid === 1000 + oops.cpu), 'the walker\'s interrupts-off span');
  const svg = join(dir, 'narrow.svg');
  t.equal(cli(['run', ...narrowArgs, '--timeline', svg, '--trace-us', '1000']).status, 3);
  const pic = readFileSync(svg, 'utf8');
  t.match(pic, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.match(pic, new RegExp(`CPU ${oops.cpu}: the access that oopsed`), 'the walker\'s access marked');
  t.match(pic, new RegExp(`CPU ${freer}: pte_free of the table \\(0x[0-9a-f]+\\)`), 'the free it hit marked');
  const x86 = join(dir, 'x86-trace.json');
  t.equal(cli(['run', '--driver', 'deterministic', '--arch', 'x86', '--kernel', 'v4.5', '--sim-ms', '0.5', '--trace', x86, '--trace-us', '500']).status, 0);
  t.ok(checkTrace(t, x86).some((e) => e.ph === 's'), 'x86 flushes draw IPI flows');
  t.equal(cli(['run', '--driver', 'parallel', '--trace', x86]).status, 2, 'the parallel driver has no trace');
});
