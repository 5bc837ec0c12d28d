// --detect kernel: a kernel without KASAN, as the 2016 s390 test kernels were.
// The shadow notes silently, stale stores land in memory, and only the
// kernel's own checks end a run: CONFIG_DEBUG_LIST on s390's deposited tables,
// DEBUG_PAGEALLOC and the fault handler, BUG_ON and VM_BUG_ON_PAGE; the report
// is s390's die() layout of v4.5.
import t from 'tap';
import { s390OopsLines } from '../arch/s390/oops.js';
import type { OopsContext } from '../arch/arch.js';
import type { OopsRecord } from '../emulator/cpu.js';
import { M, OOPS_BYTES } from '../emulator/machine.js';
import { storeWord } from '../emulator/physmem.js';
import { kernel_access } from '../kernel-sim/kernel_access.js';
import { Owner, P, pw } from '../kernel-sim/mm_types.js';
import { pte_alloc_one } from '../kernel-sim/pgtable.js';
import { oopsReport } from '../commands/report.js';
import { bootMachine } from '../system/boot.js';
import { run } from '../system/run.js';
import { cli, config } from './helpers.js';
import { drain } from './stepping.js';

function machine(detect: 'kasan' | 'kernel') {
  const b = bootMachine(config({ workload: 'ipi-storm', arch: 's390', cpus: 2, driver: 'deterministic', detect }));
  return { b, k: b.kernel, m: b.machine, cpu: b.kernel.newCpu(0) };
}

const oopsOf = (m: ReturnType<typeof machine>['m']): OopsRecord => JSON.parse(m.readText(m.v.oops, 0, OOPS_BYTES)) as OopsRecord;

t.test('s390 deposit: the list_head lives in the table; a stray store into it is list_del corruption (a WARN, and the CPU goes on)', async (t) => {
  const { k, m, cpu } = machine('kernel');
  const pmdp = k.pmdp(k.thpBase());
  const t1 = drain(pte_alloc_one(cpu, k));
  const t2 = drain(pte_alloc_one(cpu, k));
  drain(k.arch.pgtableDeposit!(cpu, k, pmdp, t1));
  drain(k.arch.pgtableDeposit!(cpu, k, pmdp, t2));
  // FIFO with the newest as head: t1 <-> t2, each pointer a big-endian doubleword in the table itself
  t.equal(Atomics.load(m.v.mem, (t2 >>> 2) + 1), t1, "t2's next is t1, in t2's pte[0]");
  t.equal(Atomics.load(m.v.mem, (t1 >>> 2) + 3), t2, "t1's prev is t2, in t1's pte[1]");
  // a user store through a stale translation: the word 12 bytes in, t1's prev (low word)
  storeWord(m, t1 + 12, 5);
  const got = drain(k.arch.pgtableWithdraw!(cpu, k, pmdp));
  t.equal(got, t2, 'the newest table comes back');
  t.equal(Atomics.load(m.v.control, M.WARN_COUNT), 1, 'one warning');
  const w = JSON.parse(m.readText(m.v.warn, 0, OOPS_BYTES)) as OopsRecord;
  t.equal(w.message, `list_del corruption. next->prev should be ${t2.toString(16).padStart(16, '0')}, but was 0000000000000005`);
  t.same(w.trace.slice(-3), ['pgtable_trans_huge_withdraw', 'list_del', '__list_del_entry']);
  t.equal((w.details as { at: string }).at, 'lib/list_debug.c:62');
  // withdraw writes empty ptes over the list_head whatever happened to it
  t.equal(Atomics.load(m.v.mem, (t2 >>> 2) + 1), 0x400);
  t.equal(Atomics.load(m.v.mem, (t2 >>> 2) + 3), 0x400);
  t.equal(Atomics.load(m.v.control, M.OOPS_CPU), -1, 'a WARN does not stop the machine');
});

t.test('a kernel access to a free page faults (DEBUG_PAGEALLOC), one beyond memory too; memory in use does not', async (t) => {
  const { m, cpu } = machine('kernel');
  let free = -1;
  for (let pfn = m.frames - 1; pfn > 0 && free < 0; pfn--) if (Atomics.load(m.v.pages, pw(pfn, P.OWNER)) === Owner.FREE) free = pfn;
  t.ok(free > 0, 'a free frame');
  t.throws(() => kernel_access(cpu, free * 4096 + 8, false), /Oops on CPU 0/);
  const o = oopsOf(m);
  t.equal(o.kind, 'Oops');
  t.match(o.details, { fault: { reason: 'free-page', address: free * 4096 + 8, write: false, user: false } });
  const { m: m2, cpu: c2 } = machine('kernel');
  t.doesNotThrow(() => kernel_access(c2, 0x1000, true), 'boot memory is mapped');
  t.throws(() => kernel_access(c2, m2.v.mem.length * 4, true), /Oops on CPU 0/);
  t.match(oopsOf(m2).details, { fault: { reason: 'beyond-memory', write: true } });
});

const ctx: OopsContext = { comm: 'thp-split-vs-gup', kernel: 'v4.5-rc1', irqOn: true, warned: false, badPage: false };

t.test("s390's die() layout of v4.5: a BUG, and a kernel fault with its failing address and TEID", async (t) => {
  const bug: OopsRecord = {
    kind: 'BUG', cpu: 2, message: 'BUG_ON(!pte_none(*pte))', clock: 1,
    trace: ['madvise_dontneed', 'split_huge_pmd', '__split_huge_pmd_locked'], details: { at: 'mm/huge_memory.c:2891' },
  };
  const b = s390OopsLines(bug, { ...ctx, warned: true })!;
  t.same(b.slice(0, 3), ['------------[ cut here ]------------', 'kernel BUG at mm/huge_memory.c:2891!', 'illegal operation: 0001 ilc:1 [#1] PREEMPT SMP DEBUG_PAGEALLOC']);
  t.ok(b.includes('CPU: 2 PID: - Comm: thp-split-vs-gu Tainted: G        W       4.5.0-rc1 #1'), 'taint W after a warning, 16 letters; Comm at most 15 characters');
  t.ok(b.includes('Krnl PSW : 0704c00180000000 (__split_huge_pmd_locked)'));
  t.ok(b.includes('           R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:0 AS:3 CC:0 PM:0 EA:3'));
  const trace = b.slice(b.indexOf('Call Trace:') + 1, b.indexOf('Last Breaking-Event-Address:'));
  t.same(trace, ['(__split_huge_pmd_locked)', ' split_huge_pmd', ' madvise_dontneed'], 'innermost first, the first in parentheses');
  t.equal(b.at(-1), ' __split_huge_pmd_locked');
  const fault: OopsRecord = {
    kind: 'Oops', cpu: 1, message: '', clock: 1, trace: ['__split_huge_pmd_locked', 'pgtable_trans_huge_withdraw', 'list_del', '__list_del_entry'],
    details: { fault: { reason: 'free-page', address: 0x6e1eb008, write: false, user: false } },
  };
  const f = s390OopsLines(fault, { ...ctx, irqOn: false })!;
  t.same(f.slice(0, 5), [
    'Unable to handle kernel pointer dereference in virtual kernel address space',
    'failing address: 000000006e1eb000 TEID: 000000006e1eb803',
    'Fault in home space mode while using kernel ASCE.',
    "AS: (the kernel's own tables are not modelled)",
    'Oops: 0011 ilc:3 [#1] PREEMPT SMP DEBUG_PAGEALLOC',
  ]);
  // a store through NULL: low-address protection, as the thread's Trace A (Oops: 0004, TEID bit 0x4 clear)
  const low = s390OopsLines({ ...fault, details: { fault: { reason: 'low-address', address: 8, write: true, user: false } } }, ctx)!;
  t.same(low.slice(1, 2), ['failing address: 0000000000000000 TEID: 0000000000000403']);
  t.ok(low.includes('Oops: 0004 ilc:3 [#1] PREEMPT SMP DEBUG_PAGEALLOC'));
  t.ok(f.includes('Krnl PSW : 0404c00180000000 (__list_del_entry)'), 'interrupts off: I/O and external masks clear');
  const kasan: OopsRecord = { kind: 'KASAN: use-after-free', cpu: 0, message: '', clock: 1, trace: [] };
  t.equal(s390OopsLines(kasan, ctx), null, "a KASAN finding is not the kernel's own check: the generic layout");
  t.equal(s390OopsLines({ ...bug, details: {} }, ctx), null, 'nor is a check of the model with no source line');
});

t.test('s390 v4.5-rc1 without KASAN, seed 2: a kernel check ends the run, the shadow saw the race begin, the run replays', async (t) => {
  const raw = { arch: 's390', kernel: 'v4.5-rc1', driver: 'deterministic', seed: 2, simMs: 60_000, duration: 120 };
  const cfg = config({ ...raw, detect: 'kernel' });
  const a = await run(cfg);
  t.equal(a.internalError, null);
  t.ok(a.crashed && !a.truncated, 'crashed within its simulated length');
  t.notMatch(a.oops!.kind, /KASAN|DMA/, "the kernel's own check");
  t.match(a.shadow?.first.kind, /^KASAN: /, 'the silent shadow saw a stale access first');
  t.ok(a.shadow!.first.clock < a.oops!.clock, 'before the crash');
  const report = oopsReport(a);
  for (const line of ['Krnl PSW : ', 'Call Trace:', 'Last Breaking-Event-Address:', 'What the shadow saw first', 'Replay: ']) t.match(report, line);
  t.match(a.replay, / --detect kernel /, 'the replay line keeps the mode');
  // the race is explained from the split log as it stood at the shadow's finding, not at the end of the run
  const race = (a.oops!.details as { race: { split: string; access: string } }).race;
  const splitAt = Number(/at clock (\d+)/.exec(race.split)![1]);
  t.ok(splitAt <= a.shadow!.first.clock, `the split (clock ${splitAt}) came before the stale access (clock ${a.shadow!.first.clock})`);
  t.match(race.access, `at clock ${a.shadow!.first.clock}`);
  const b = await run(cfg);
  t.equal(b.eventHash, a.eventHash, 'the same run, event for event');
  // with KASAN the same seed runs the same until the first stale access, and stops there
  const k = await run(config({ ...raw, detect: 'kasan' }));
  t.equal(k.oops?.kind, a.shadow!.first.kind);
  t.equal(k.oops?.message, a.shadow!.first.message);
  t.equal(k.oops?.clock, a.shadow!.first.clock, 'KASAN reports where and when the shadow first saw it');
});

t.test('s390 v4.5 without KASAN: no crash, and nothing for the shadow to see', async (t) => {
  const r = await run(config({ arch: 's390', kernel: 'v4.5', driver: 'deterministic', seed: 1, simMs: 4, duration: 120, detect: 'kernel' }));
  t.equal(r.crashed, false);
  t.equal(r.shadow, null);
  t.equal(r.warnings, null);
});

t.test('--detect: a bad mode is refused, naming the allowed ones; validate takes it as an axis', async (t) => {
  const bad = cli(['run', '--detect', 'kmsan']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, "--detect: 'kmsan' is not allowed; choose one of: kasan, kernel");
  t.equal(bad.stdout, '');
  const v = cli(['validate', '--arch', 's390', '--kernel', 'v4.5', '--seeds', '1', '--driver', 'deterministic', '--sim-ms', '1', '--detect', 'kasan,kernel', '--expect', 'none', '--json']);
  t.equal(v.status, 0, v.stderr);
  const r = JSON.parse(v.stdout) as { matrix: { detects: string[] }; cells: { detect?: string; runs: number }[]; runs: { detect?: string; replay: string }[] };
  t.same(r.matrix.detects, ['kasan', 'kernel']);
  t.same(r.cells.map((c) => [c.detect ?? 'kasan', c.runs]), [['kasan', 1], ['kernel', 1]]);
  t.match(r.runs.find((x) => x.detect === 'kernel')!.replay, / --detect kernel /);
});
