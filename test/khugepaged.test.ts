// The family's later members with their interleavings forced by hand:
// khugepaged's collapse against a GUP-fast walker (70cbc3cc78a9, v6.0), the
// deposited table freed under a walker (2ba99c5e0881, v6.1), and x86 flushes
// that interrupt nobody (the Xen PV get_page() race; INVLPGB).
import t from 'tap';
import type { Cpu, Routine } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { M, OOPS_BYTES } from '../emulator/machine.js';
import { loadEntry } from '../emulator/physmem.js';
import { __get_user_pages_fast } from '../kernel-sim/gup.js';
import { collapse_file, collapse_huge_page, Scan, type ScanResult } from '../kernel-sim/khugepaged.js';
import { madvise_dontneed, user_access } from '../kernel-sim/memory.js';
import { Owner, P, pw } from '../kernel-sim/mm_types.js';
import { bootMachine } from '../system/boot.js';
import { config } from './helpers.js';
import { idle, runOn, stepAll, stepUntil } from './stepping.js';

function boot(arch: string, kernel: string, workload = 'collapse-vs-gup') {
  const b = bootMachine(config({ workload, arch, kernel, cpus: 2, driver: 'deterministic', param: ['thps=2'] }));
  const k = b.kernel;
  const cpus = [k.newCpu(0), k.newCpu(1)] as [Cpu, Cpu];
  for (const c of cpus) c.start(idle());
  return { k, m: b.machine, cpus };
}

/** Four small pages faulted in at the area's start (the fault path maps no THP here). */
function smallPages(s: ReturnType<typeof boot>) {
  const va = s.k.thpBase();
  for (let i = 0; i < 4; i++) runOn(s.cpus, s.cpus[0], user_access(s.cpus[0], s.k, va + i * s.k.pageSize, true, 7));
  const pmdp = s.k.pmdp(va);
  const table = s.k.arch.pt.pmd_phys(loadEntry(s.m, pmdp));
  const pfn = s.k.pfnOf(s.k.arch.pt.pte_phys(loadEntry(s.m, table)));
  return { va, pmdp, pfn };
}

const oopsOf = (m: ReturnType<typeof boot>['m']) =>
  (Atomics.load(m.v.control, M.OOPS_CPU) >= 0 ? JSON.parse(m.readText(m.v.oops, 0, OOPS_BYTES)) : null) as { kind: string; message: string } | null;

/** The walker started on one page, stopped after its pmd load, before its first pte load. */
function walkerAtPte(s: ReturnType<typeof boot>, va: number) {
  const walker = s.cpus[1];
  const out: { pages?: number[] } = {};
  walker.start((function* (): Routine { out.pages = yield* __get_user_pages_fast(walker, s.k, va, 1, true); })());
  stepUntil(walker, () => walker.trace.at(-1) === 'gup_pte_range');
  return { walker, out };
}

for (const [arch, kernel] of [['s390', 'v5.19'], ['s390', 'v6.0'], ['arm64', 'v5.19'], ['arm64', 'v6.0']] as const) {
  const stale = kernel === 'v5.19';
  t.test(`${arch} ${kernel}: GUP-fast across a collapse ${stale ? 'keeps the page the collapse replaces' : 're-checks the pmd and lets go'}`, async (t) => {
    const s = boot(arch, kernel);
    const { va, pmdp, pfn } = smallPages(s);
    t.notOk(s.k.arch.pt.pmd_trans_huge(loadEntry(s.m, pmdp)), 'small pages under a page table');
    const { walker, out } = walkerAtPte(s, va);
    const collapser = s.cpus[0];
    let result: ScanResult | undefined;
    collapser.start((function* (): Routine { result = yield* collapse_huge_page(collapser, s.k, va); })());
    // through pmdp_collapse_flush and the isolate's pin check, to the copy
    stepUntil(collapser, () => collapser.trace.at(-1) === '__collapse_huge_page_copy');
    t.ok(s.k.arch.pt.pmd_none(loadEntry(s.m, pmdp)), 'the pmd is cleared and flushed: the flush waited for nobody');
    stepUntil(walker, () => out.pages !== undefined);
    t.same(out.pages, stale ? [pfn] : [], stale ? 'the walker pinned the old page: its pte re-check saw the pte still there' : 'the pmd re-check gave the page back');
    stepAll(s.cpus, () => result !== undefined);
    t.equal(result, Scan.SUCCEED, 'the collapse went through');
    const huge = loadEntry(s.m, pmdp);
    t.ok(s.k.arch.pt.pmd_trans_huge(huge), 'a huge pmd now');
    t.not(s.k.pfnOf(s.k.arch.pt.pmd_phys(huge)), pfn, 'the address maps the new THP');
    t.equal(Atomics.load(s.m.v.pages, pw(pfn, P.COUNT)), stale ? 1 : 0, stale ? 'only the stale pin keeps the old page alive' : 'the old page is freed');
  });
}

t.test('x86 v5.19: the collapse flush IPI waits for the walker, whose pin the isolate then sees', async (t) => {
  const s = boot('x86', 'v5.19');
  const { va, pmdp, pfn } = smallPages(s);
  const { walker, out } = walkerAtPte(s, va);
  const collapser = s.cpus[0];
  let result: ScanResult | undefined;
  collapser.start((function* (): Routine { result = yield* collapse_huge_page(collapser, s.k, va); })());
  for (let i = 0; i < 50_000 && result === undefined; i++) collapser.step();
  t.equal(result, undefined, 'pmdp_collapse_flush() is still waiting for the interrupts-off walker');
  t.ok(collapser.trace.includes('pmdp_collapse_flush'));
  stepUntil(walker, () => out.pages !== undefined);
  t.same(out.pages, [pfn], 'the walker finished its pin first');
  stepAll(s.cpus, () => result !== undefined);
  t.equal(result, Scan.PAGE_COUNT, 'the isolate saw the pin and gave up');
  t.equal(s.k.pfnOf(s.k.arch.pt.pte_phys(loadEntry(s.m, s.k.arch.pt.pmd_phys(loadEntry(s.m, pmdp))))), pfn, 'the page table is back, mapping the pinned page');
});

for (const kernel of ['v6.0', 'v6.1']) {
  const sync = kernel === 'v6.1';
  t.test(`s390 ${kernel}: a collapsed THP's deposited table ${sync ? 'cannot be freed while a walker is in it' : 'freed by MADV_DONTNEED under a walker'}`, async (t) => {
    const s = boot('s390', kernel);
    const { va } = smallPages(s);
    const { walker, out } = walkerAtPte(s, va);
    const other = s.cpus[0];
    let result: ScanResult | undefined;
    other.start((function* (): Routine { result = yield* collapse_huge_page(other, s.k, va); })());
    if (sync) {
      for (let i = 0; i < 50_000 && result === undefined; i++) other.step();
      t.equal(result, undefined, 'tlb_remove_table_sync_one() waits for the interrupts-off walker');
      t.ok(other.trace.includes('tlb_remove_table_sync_one'));
      stepUntil(walker, () => out.pages !== undefined);
      t.same(out.pages, [], 'the walker left the table before it could be reused (its pmd re-check let go of the page)');
      stepAll(s.cpus, () => result !== undefined);
      t.equal(result, Scan.SUCCEED, 'then the collapse went on');
      t.equal(oopsOf(s.m), null, 'no oops');
      return;
    }
    stepUntil(other, () => result !== undefined);
    t.equal(result, Scan.SUCCEED, 'collapsed, the old table deposited');
    let zapped = false;
    other.start((function* (): Routine { yield* madvise_dontneed(other, s.k, va, va + 2 ** s.k.arch.hpageShift); zapped = true; })());
    stepUntil(other, () => zapped);
    t.throws(() => stepUntil(walker, () => out.pages !== undefined), 'the walker oopses');
    const o = oopsOf(s.m);
    t.equal(o?.kind, 'KASAN: use-after-free');
    t.match(o?.message, /^CPU1 fast_gup read the pte of 0x[0-9a-f]+ from a page table CPU0 freed under it/);
  });
}

for (const [kernel, crashes] of [['v4.9-xenpv', true], ['v4.9-xenpv+d73af79742e7', false], ['v4.5', false]] as const) {
  t.test(`x86 ${kernel}: munmap of a page a walker has read the pte of, before its reference`, async (t) => {
    const s = boot('x86', kernel, 'munmap-small');
    const { va, pfn } = smallPages(s);
    const walker = s.cpus[1];
    const out: { pages?: number[] } = {};
    walker.start((function* (): Routine { out.pages = yield* __get_user_pages_fast(walker, s.k, va, 1, true); })());
    stepUntil(walker, () => walker.trace.at(-1) === 'gup_pte_range' && walker.lastKind === Ev.atomic);
    const zapper = s.cpus[0];
    let done = false;
    zapper.start((function* (): Routine { yield* madvise_dontneed(zapper, s.k, va, va + s.k.pageSize); done = true; })());
    if (kernel === 'v4.5') {
      for (let i = 0; i < 50_000 && !done; i++) zapper.step();
      t.notOk(done, 'native x86: the flush IPI waits for the walker');
      stepAll(s.cpus, () => done && out.pages !== undefined);
      t.equal(oopsOf(s.m), null, 'no oops');
      return;
    }
    stepUntil(zapper, () => done);
    t.equal(Atomics.load(s.m.v.pages, pw(pfn, P.COUNT)), 0, 'the hypercall flush waited for nobody: the page is freed');
    if (crashes) {
      t.throws(() => stepUntil(walker, () => out.pages !== undefined), 'get_page() on the freed page');
      t.match(oopsOf(s.m)?.message, /atomic_read\(&page->_count\) <= 0/, 'VM_BUG_ON_PAGE in get_page (CONFIG_DEBUG_VM; production kernels saw bad page state later)');
    } else {
      stepUntil(walker, () => out.pages !== undefined);
      t.same(out.pages, [], 'the speculative reference failed on the zero count');
      t.equal(oopsOf(s.m), null, 'no oops');
    }
  });
}

for (const kernel of ['v6.0', 'v6.1']) {
  const sync = kernel === 'v6.1';
  t.test(`s390 ${kernel}, shmem: retract_page_tables ${sync ? 'waits for the walker before pte_free()' : 'frees the table a walker is about to read'}`, async (t) => {
    const s = boot('s390', kernel, 'collapse-file');
    const { va, pmdp } = smallPages(s);
    const table = s.k.arch.pt.pmd_phys(loadEntry(s.m, pmdp));
    const { walker, out } = walkerAtPte(s, va);
    const collapser = s.cpus[0];
    let result: ScanResult | undefined;
    collapser.start((function* (): Routine { result = yield* collapse_file(collapser, s.k, va); })());
    if (sync) {
      for (let i = 0; i < 200_000 && result === undefined; i++) collapser.step();
      t.equal(result, undefined, 'the collapse is held in tlb_remove_table_sync_one()');
      t.ok(collapser.trace.includes('tlb_remove_table_sync_one'));
      t.equal(Atomics.load(s.m.v.pages, pw(table >>> 12, P.OWNER)), Owner.PGTABLE, 'the table is not freed yet');
      stepUntil(walker, () => out.pages !== undefined);
      t.same(out.pages, [], 'the walker read a cleared pte from a live table and gave up');
      stepAll(s.cpus, () => result !== undefined);
      t.equal(oopsOf(s.m), null, 'no oops');
    } else {
      stepUntil(collapser, () => result !== undefined);
      t.equal(Atomics.load(s.m.v.pages, pw(table >>> 12, P.OWNER)), Owner.FREE, 'the emptied table is freed, no grace period');
      t.ok(s.k.arch.pt.pmd_none(loadEntry(s.m, pmdp)), 'and its pmd cleared, to be refaulted huge');
      t.throws(() => stepUntil(walker, () => out.pages !== undefined), 'the walker oopses');
      t.match(oopsOf(s.m)?.message, /^CPU1 fast_gup read the pte of 0x[0-9a-f]+ from a page table CPU0 freed under it/);
    }
    t.equal(result, Scan.SUCCEED, 'the collapse finished');
  });
}
