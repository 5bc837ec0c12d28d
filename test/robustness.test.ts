// Never hang, never lose: the lockup watchdog, faults inside CPU workers,
// Ctrl-C/SIGTERM, and random bad input thrown at the parser.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { run } from '../system/run.js';
import { UsageError, validateRun } from '../system/args.js';
import { CLI, cli, config, nodeChild } from './helpers.js';

for (const driver of ['deterministic', 'parallel'] as const) {
  t.test(`${driver}: a real deadlock ends in a hard-lockup report naming both stuck CPUs`, async (t) => {
    const duration = 10;
    const r = await run(config({ workload: 'selftest-deadlock', cpus: 4, driver, duration }));
    t.equal(r.crashed, true);
    t.equal(r.oops?.kind, 'hard LOCKUP');
    t.match(r.oops?.message, /Watchdog detected hard LOCKUP on cpu [01]/);
    t.ok(r.cpus[0]!.spinningSince !== null && !r.cpus[0]!.irqOn, 'CPU 0 waits for its IPI, interrupts off');
    t.ok(r.cpus[1]!.spinningSince !== null && !r.cpus[1]!.irqOn, 'CPU 1 spins on the lock, interrupts off');
    t.ok(r.cpus[0]!.trace.includes('csd_lock_wait'));
    t.ok(r.cpus[1]!.trace.includes('spin_lock'));
    t.ok(r.hostSeconds < duration + 5, `ended in ${r.hostSeconds.toFixed(2)} s`);
  });
}

t.test('the CLI prints the lockup like the kernel and exits 3', async (t) => {
  const r = cli(['run', '--workload', 'selftest-deadlock', '--cpus', '2', '--driver', 'deterministic']);
  t.equal(r.status, 3);
  t.match(r.stdout, /kernel BUG: hard LOCKUP: Watchdog detected hard LOCKUP on cpu/);
  t.match(r.stdout, /Busy-waiting when the machine stopped:\n CPU#0 since clock [\d,]+, interrupts off, in csd_lock_wait\n CPU#1 since clock [\d,]+, interrupts off, in spin_lock/);
  const off = cli(['run', '--workload', 'selftest-deadlock', '--cpus', '2', '--driver', 'deterministic', '--watchdog', 'off', '--sim-ms', '1']);
  t.equal(off.status, 0, 'with the watchdog off the deadlock runs to its simulated length');
  const bad = cli(['run', '--watchdog', '0']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--watchdog: must be a number greater than 0/);
});

t.test('an exception inside a CPU worker stops the machine and exits 1 with the CPU and its trace', async (t) => {
  const r = cli(['run', '--workload', 'selftest-oops', '--cpus', '4', '--param', 'fault=1', '--duration', '20'], 30_000);
  t.equal(r.status, 1);
  t.match(r.stderr, /internal error on CPU 1: selftest: an exception inside CPU 1's routine/);
  t.match(r.stderr, /simulated call trace: selftest_bug/);
  const inProcess = await run(config({ workload: 'selftest-oops', cpus: 4, duration: 20, param: ['fault=1'] }));
  t.equal(inProcess.internalError?.cpu, 1);
  t.ok(inProcess.hostSeconds < 10, 'and the run returned (every worker exited)');
});

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`${sig}: every CPU stops, the partial result is written marked interrupted, exit 130`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sig-'));
    const out = join(dir, 'result.json');
    const child = spawn(...nodeChild([CLI, 'run', '--kernel', 'v4.5', '--duration', '60', '--json', '--out', out]));
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    setTimeout(() => child.kill(sig), 4000); // after the CLI has loaded and taken the signal, on a loaded machine too
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    t.equal(code, 130);
    const r = JSON.parse(readFileSync(out, 'utf8')) as { interrupted: boolean; steps: number; hostSeconds: number };
    t.equal(r.interrupted, true);
    t.ok(r.steps > 0 && r.hostSeconds < 30);
    t.equal((JSON.parse(stdout) as { interrupted: boolean }).interrupted, true);
    t.same(readdirSync(dir), ['result.json'], 'no temporary file left');
  });
}

t.test('random run options: accepted, or refused with a UsageError naming the flag', async () => {
  const value = fc.oneof(
    fc.string(), fc.integer(), fc.double(), fc.constantFrom('inf', 'off', '', '-1', '0', '1e3', 'NaN', '2', '8', 's390', 'x86'),
  );
  const raw = fc.record({
    workload: value, arch: value, machine: value, kernel: value, cpus: value, mem: value, seed: value,
    driver: value, slack: value, duration: value, simMs: value, watchdog: value,
    param: fc.array(fc.oneof(fc.string(), fc.constantFrom('thps=2', 'pinPages=0', 'nosuch=1', 'splitters=x'))),
  }, { requiredKeys: [] });
  fc.assert(fc.property(raw, (a) => {
    try {
      const cfg = validateRun(a);
      return cfg.cpus >= 1 && cfg.durationS > 0;
    } catch (e) {
      return e instanceof UsageError && /^--[a-z-]+( [A-Za-z]+)?: /.test(e.message);
    }
  }), { numRuns: 400, seed: 42 });
});

t.test('random command lines: exit 0, 2 or 3, never a stack trace; a refusal writes nothing', async (t) => {
  const flag = fc.constantFrom('--arch', '--cpus', '--driver', '--seed', '--slack', '--kernel', '--workload', '--sim-ms', '--param', '--mem', '--bogus');
  const val = fc.oneof(fc.constantFrom('s390', 'x86', 'ppc', '0', '2', '-3', 'inf', 'deterministic', 'v4.4', 'ipi-storm', 'x=1', '1.5', ''), fc.string({ maxLength: 6 }));
  const argv = fc.array(fc.tuple(flag, val), { maxLength: 4 });
  await fc.assert(fc.asyncProperty(argv, async (pairs) => {
    // a short run whatever else is given: the wall-clock cap comes last and wins
    const args = ['run', ...pairs.flat(), '--sim-ms', '0.05', '--duration', '1', '--json'];
    const r = cli(args, 60_000);
    t.ok([0, 2, 3].includes(r.status ?? -1), `${args.join(' ')} -> ${r.status}`);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
    if (r.status === 2) t.equal(r.stdout, '', 'a refusal writes nothing');
  }), { numRuns: 4, seed: 7 });
});

t.test('--out somewhere unwritable is refused before anything runs', async (t) => {
  // a folder inside a regular file can never be made
  const file = join(mkdtempSync(join(tmpdir(), 'out-')), 'plain-file');
  writeFileSync(file, '');
  const b = cli(['bench', 'ipi', '--cpus', '2', '--calls', '1', '--out', join(file, 'sub')], 20_000);
  t.equal(b.status, 2);
  t.match(b.stderr, /--out: cannot write into '.*plain-file\/sub' \(ENOTDIR\)/);
  t.equal(b.stdout, '');
  const r = cli(['run', '--out', join(file, 'result.json')], 20_000);
  t.equal(r.status, 2);
  t.match(r.stderr, /--out: cannot write '.*plain-file\/result.json'/);
  t.equal(r.stdout, '');
});
