// The command line: bad input is named and refused with exit 2 and no output;
// the acceptance run of the parallel driver stays live with 8 CPUs.
import t from 'tap';
import { validateRun, type RawRunArgs } from '../system/args.js';
import { costTable } from '../system/boot.js';
import { CLOCK_SHIFT } from '../emulator/machine.js';
import { run } from '../system/run.js';
import { cli } from './helpers.js';

const bad: [string[], RegExp][] = [
  [['--arch', 'sparc'], /--arch: 'sparc' is not allowed; choose one of: s390, x86/],
  [['--cpus', '0'], /--cpus: must be an integer from 1 to 256, got 0/],
  [['--cpus', 'many'], /--cpus: 'many' is not a number/],
  [['--duration', '-1'], /--duration: must be a number greater than 0/],
  [['--driver', 'fast'], /--driver: 'fast' is not allowed; choose one of: parallel, deterministic/],
  [['--slack', '-5'], /--slack: must be 'inf' or an integer/],
  [['--workload', 'nope'], /--workload: 'nope' is not allowed/],
  [['--machine', 'haswell-ep'], /--machine: 'haswell-ep' is not allowed; choose one of: z13/],
  [['--param', 'nosuch=1'], /--param: workload ipi-storm has no parameter 'nosuch'/],
  [['--param', 'kickPercent=101'], /--param kickPercent: must be an integer from 0 to 100/],
  [['--sim-ms', '0'], /--sim-ms: must be a number greater than 0/],
  [['--workers', '0'], /--workers: must be an integer from 1 to \d+, got 0/],
  [['--workers', '2', '--driver', 'deterministic'], /--workers: needs --driver parallel/],
  [['--bogus'], /Unknown argument: bogus/],
];

// Every refusal from the checks the CLI runs (validateRun) in-process; through the CLI
// (a process each) one refusal per source: yargs, a flag's check, a workload's parameter,
// a combination of flags.
const THROUGH_CLI = new Set(['--bogus', '--cpus', '--param', '--workers']);
const raw = (args: string[]): RawRunArgs => {
  const a: Record<string, unknown> = { workload: 'ipi-storm', duration: '1' };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]!.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    a[key] = key === 'param' ? [args[i + 1]] : args[i + 1];
  }
  return a as RawRunArgs;
};
const throughCli = new Set<string>();
for (const [args, msg] of bad) {
  t.test(`bad input ${args.join(' ')}: exit 2, named, nothing written`, async (t) => {
    if (args[0] !== '--bogus') t.throws(() => validateRun(raw(args)), { name: 'UsageError', message: msg });
    if (!THROUGH_CLI.has(args[0]!) || throughCli.has(args[0]!)) return;
    throughCli.add(args[0]!);
    const r = cli(['run', '--workload', 'ipi-storm', '--duration', '1', ...args, '--json']);
    t.equal(r.status, 2);
    t.match(r.stderr, msg);
    t.equal(r.stdout, '');
  });
}

t.test('a command must be named', async (t) => {
  const r = cli([]);
  t.equal(r.status, 2);
  t.match(r.stderr, /name a command/);
});

t.test('list shows workloads, machines and kernels', async (t) => {
  const r = cli(['list', '--json']);
  t.equal(r.status, 0);
  const d = JSON.parse(r.stdout) as { workloads: { name: string }[]; machines: { name: string }[]; kernels: { name: string }[] };
  t.ok(d.workloads.some((w) => w.name === 'ipi-storm'));
  t.ok(d.machines.some((m) => m.name === 'z13'));
  t.same(d.kernels.map((k) => k.name), [
    'v4.4', 'v4.5-rc1', 'v4.5-rc1+kick', 'v4.5+kick', 'v4.5', 'v5.19', 'v6.0', 'v6.1',
    'v4.9-xenpv', 'v4.9-xenpv+d73af79742e7', 'v4.9-xenpv+9e52fc2b50de', 'v4.14-xenpv', 'v6.14+invlpgb', 'v6.15',
  ]);
  const m = d as unknown as { mechanisms: { name: string; follows: string }[] };
  t.ok(m.mechanisms.some((x) => x.name === 'khugepaged collapse' && /khugepaged\.c/.test(x.follows)), 'list says which source each mechanism follows');
});

t.test('ipi-storm, s390, 8 CPUs, parallel, 1 s: every CPU progresses, clocks within the slack', async (t) => {
  const r = cli(['run', '--workload', 'ipi-storm', '--arch', 's390', '--cpus', '8', '--duration', '1', '--json'], 30_000);
  t.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as {
    crashed: boolean; driver: string; steps: number; hostSeconds: number; eventHash: null;
    config: { slack: number };
    simulatedCycles: { perCpu: number[]; spread: number };
    cpus: { steps: number; ipisSent: number; ipisTaken: number; irqOffCycles: number }[];
  };
  t.equal(res.driver, 'parallel');
  t.equal(res.crashed, false);
  t.equal(res.cpus.length, 8);
  t.ok(res.cpus.every((c) => c.steps > 0 && c.ipisSent > 0 && c.ipisTaken > 0 && c.irqOffCycles > 0), 'every CPU made progress');
  // a CPU the hypervisor takes away jumps ahead by its whole undispatch at once, then waits for
  // the others: the spread stays within the slack plus the longest steal (z13: 1000 us)
  const longestSteal = 1000 * 5 * 1000;
  t.ok(res.simulatedCycles.spread <= res.config.slack + longestSteal, `spread ${res.simulatedCycles.spread} within slack ${res.config.slack} + longest steal`);
  t.ok(res.hostSeconds < 10, 'stopped at the wall-clock cap (not hung)');
  t.equal(res.eventHash, null, 'a parallel run has no event hash');
});

// Without steal every CPU stays within the slack of every other but for one step
// (ClockSync; a worker's CPUs share what any of them found of the other worker's).
// No kicks: nothing but the slack keeps the two workers' CPUs together.
t.test('without steal, 8 CPUs on 2 workers stay within the slack plus the longest step', async (t) => {
  const r = await run(validateRun({ workload: 'ipi-storm', arch: 's390', cpus: 8, workers: 2, steal: 'off', duration: 1, param: ['kickPercent=0'] }));
  t.equal(r.internalError, null);
  t.ok(r.cpus.every((c) => c.steps > 0), 'every CPU stepped');
  const longest = Math.max(...Object.values(costTable('z13').rows).map((x) => x.cycles));
  // (published clocks are rounded to units of 2^CLOCK_SHIFT cycles)
  const bound = r.config.slack + longest + 2 * 2 ** CLOCK_SHIFT;
  t.ok(r.simulatedCycles.spread <= bound, `spread ${r.simulatedCycles.spread} within ${bound}`);
});

t.test('free-running (--slack inf) also ends at the cap', async (t) => {
  const r = cli(['run', '--workload', 'ipi-storm', '--cpus', '4', '--slack', 'inf', '--duration', '1', '--json'], 30_000);
  t.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { cpus: { steps: number }[]; config: { slack: unknown } };
  t.equal(res.config.slack, null, 'Infinity is written as null in JSON');
  t.ok(res.cpus.every((c) => c.steps > 0));
});

t.test('--param is a list; a scalar flag given twice takes its last value', async (t) => {
  const r = cli(['run', '--workload', 'litmus-flush-irqoff', '--cpus', '2', '--param', 'level=1', '--param', 'hold=5000',
    '--seed', '4', '--seed', '5', '--driver', 'deterministic', '--json']);
  t.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { seed: number; config: { params: Record<string, number> } };
  t.equal(res.seed, 5);
  t.equal(res.config.params.level, 1);
  t.equal(res.config.params.hold, 5000);
});
