// The THP mechanisms one at a time, with the interleavings forced by hand:
// fast_gup's bail-outs and re-check, split refusing a pinned page, and the
// counts of a THP's life balancing back to zero.
import t from 'tap';
import { bootMachine } from '../system/boot.js';
import { loadEntry, storeEntry } from '../emulator/physmem.js';
import { __get_user_pages_fast } from '../kernel-sim/gup.js';
import { deferred_split_scan, split_huge_page, split_huge_pmd, trylock_page, unlock_page } from '../kernel-sim/huge_memory.js';
import { madvise_dontneed, unmap_slot, user_access } from '../kernel-sim/memory.js';
import { get_page, put_page } from '../kernel-sim/mm.js';
import { P, pw } from '../kernel-sim/mm_types.js';
import { nrFreePages } from '../kernel-sim/page_alloc.js';
import { _SEGMENT_ENTRY_SPLIT } from '../arch/s390/pgtable.js';
import { _PAGE_SPLITTING } from '../arch/x86/pgtable_ops.js';
import { config } from './helpers.js';
import { idle, runOn, stepAll, stepUntil } from './stepping.js';
function boot(arch, kernel) {
    const b = bootMachine(config({ workload: 'thp-split-vs-gup', arch, kernel, cpus: 2, driver: 'deterministic', param: ['thps=2'] }));
    const k = b.kernel;
    return { k, m: b.machine, cpus: [k.newCpu(0), k.newCpu(1)] };
}
function setup(t, arch, kernel) {
    const s = boot(arch, kernel);
    for (const c of s.cpus)
        c.start(idle());
    const va = s.k.thpBase();
    // touch the first huge page: a THP fault
    runOn(s.cpus, s.cpus[0], user_access(s.cpus[0], s.k, va, true, 1));
    const pmdp = s.k.pmdp(va);
    const pmd = loadEntry(s.m, pmdp);
    t.ok(s.k.arch.pt.pmd_trans_huge(pmd), `${arch}: the fault made a huge pmd`);
    const head = s.k.arch.pt.pmd_phys(pmd) >>> 12;
    return { ...s, va, pmdp, head };
}
const count = (m, pfn) => Atomics.load(m.v.pages, pw(pfn, P.COUNT));
for (const arch of ['s390', 'x86']) {
    t.test(`${arch} v4.4: fast_gup leaves a splitting pmd to the slow path`, async (t) => {
        const { k, m, cpus, va, pmdp, head } = setup(t, arch, 'v4.4');
        const split = arch === 's390' ? _SEGMENT_ENTRY_SPLIT : _PAGE_SPLITTING;
        storeEntry(m, pmdp, loadEntry(m, pmdp) | split);
        const pages = runOn(cpus, cpus[1], __get_user_pages_fast(cpus[1], k, va, 4, true));
        t.same(pages, []);
        t.equal(count(m, head), 1, 'no reference taken');
    });
    t.test(`${arch} v4.5-rc1: fast_gup bails on an invalidated pmd`, async (t) => {
        const { k, m, cpus, va, pmdp, head } = setup(t, arch, 'v4.5-rc1');
        runOn(cpus, cpus[0], k.arch.pmdpInvalidate(cpus[0], k, pmdp, va));
        const pages = runOn(cpus, cpus[1], __get_user_pages_fast(cpus[1], k, va, 4, true));
        t.same(pages, []);
        t.equal(count(m, head), 1);
    });
    t.test(`${arch}: fast_gup pins a huge pmd's subpages with references on the head`, async (t) => {
        const { k, m, cpus, va, head } = setup(t, arch, 'v4.5');
        const pages = runOn(cpus, cpus[1], __get_user_pages_fast(cpus[1], k, va + 0x3000, 4, true));
        t.same(pages, [head + 3, head + 4, head + 5, head + 6]);
        t.equal(count(m, head), 5);
        for (const p of pages)
            runOn(cpus, cpus[1], put_page(cpus[1], p));
        t.equal(count(m, head), 1);
    });
    t.test(`${arch}: split_huge_page refuses a pinned THP with -EBUSY, then splits it`, async (t) => {
        const { k, m, cpus, va, pmdp, head } = setup(t, arch, 'v4.5');
        const cpu = cpus[0];
        runOn(cpus, cpu, split_huge_pmd(cpu, k, pmdp, va));
        const nr = k.arch.pt.PTRS_PER_PTE;
        t.equal(count(m, head), nr, 'after the pmd split: a reference per pte');
        runOn(cpus, cpu, get_page(cpu, head)); // the caller's reference
        runOn(cpus, cpu, get_page(cpu, head + 7)); // a gup pin
        t.ok(runOn(cpus, cpu, trylock_page(cpu, head)));
        t.equal(runOn(cpus, cpu, split_huge_page(cpu, k, head)), -16, '-EBUSY');
        t.equal(count(m, head), nr + 2, 'counts restored');
        runOn(cpus, cpu, put_page(cpu, head + 7));
        t.equal(runOn(cpus, cpu, split_huge_page(cpu, k, head)), 0, 'unpinned, it splits');
        runOn(cpus, cpu, unlock_page(cpu, head));
        runOn(cpus, cpu, put_page(cpu, head));
        const ordinary = Array.from({ length: nr }, (_, i) => head + i)
            .filter((p) => count(m, p) === 1 && Atomics.load(m.v.pages, pw(p, P.MAPCOUNT)) === 0);
        t.equal(ordinary.length, nr, 'every subpage: one reference and one mapping, its pte\'s');
    });
    t.test(`${arch}: a THP's life from fault through split to free balances to zero`, async (t) => {
        const { k, m, cpus, va, head } = setup(t, arch, 'v4.5');
        const cpu = cpus[0];
        const hpage = 2 ** k.arch.hpageShift;
        runOn(cpus, cpu, madvise_dontneed(cpu, k, va + 0x10000, va + 0x20000)); // split the pmd, zap 16 pages
        t.equal(Atomics.load(m.v.kernel, 10 /* K.SPLIT_QUEUE_LEN */), 1, 'the THP waits on the deferred split queue');
        t.equal(runOn(cpus, cpu, deferred_split_scan(cpu, k)), 0, 'the shrinker split it');
        const freed = Array.from({ length: 16 }, (_, i) => head + 16 + i).filter((p) => Atomics.load(m.v.pages, pw(p, P.OWNER)) === 0);
        t.equal(freed.length, 16, 'the 16 zapped subpages are free');
        runOn(cpus, cpu, unmap_slot(cpu, k, va));
        t.equal(nrFreePages(m), freeAtBoot(k), 'every frame (page, page tables) is back');
        t.equal(loadEntry(m, k.pmdp(va)), k.arch.pt.pmd_empty, 'the pmd is empty again');
        runOn(cpus, cpu, user_access(cpu, k, va + hpage / 2, true, 2));
        t.ok(k.arch.pt.pmd_trans_huge(loadEntry(m, k.pmdp(va))), 'and the next touch faults a THP again');
    });
}
/** The free frames of a freshly booted machine of the same shape. */
function freeAtBoot(k) {
    const fresh = boot(k.arch.name, k.variant.name);
    return nrFreePages(fresh.m);
}
t.test('s390: the re-check gives back references taken from a pmd split meanwhile', async (t) => {
    const { k, m, cpus, va, pmdp, head } = setup(t, 's390', 'v4.5');
    const gupCpu = cpus[1];
    let pages;
    gupCpu.start((function* () { pages = yield* __get_user_pages_fast(gupCpu, k, va, 4, true); })());
    // fast_gup has read the huge pmd and stands before page_cache_add_speculative
    stepUntil(gupCpu, () => gupCpu.trace.at(-1) === 'gup_huge_pmd');
    t.notOk(gupCpu.irqOn, 'inside the interrupts-off walk');
    const splitter = cpus[0];
    splitter.start((function* () { yield* split_huge_pmd(splitter, k, pmdp, va); })());
    stepUntil(splitter, () => !splitter.isActive());
    t.notOk(k.arch.pt.pmd_trans_huge(loadEntry(m, pmdp)), 'the split went on: no IPI waited for the walk');
    const nr = k.arch.pt.PTRS_PER_PTE;
    stepUntil(gupCpu, () => pages !== undefined);
    t.same(pages, [], 'fast_gup gave up');
    t.equal(count(m, head), nr, 'and gave back every reference it took');
});
t.test('x86: the split waits for the interrupts-off walk (the flush IPI)', async (t) => {
    const { k, m, cpus, va, pmdp, head } = setup(t, 'x86', 'v4.5-rc1');
    const gupCpu = cpus[1];
    let pages;
    gupCpu.start((function* () { pages = yield* __get_user_pages_fast(gupCpu, k, va, 4, true); })());
    stepUntil(gupCpu, () => gupCpu.trace.at(-1) === 'gup_huge_pmd');
    const splitter = cpus[0];
    splitter.start((function* () { yield* split_huge_pmd(splitter, k, pmdp, va); })());
    for (let i = 0; i < 20_000; i++)
        splitter.step();
    t.ok(splitter.isActive(), 'the split is stuck in its flush while the walk has interrupts off');
    stepUntil(gupCpu, () => pages !== undefined);
    t.same(pages, [head, head + 1, head + 2, head + 3], 'the walk pinned the huge page before the split');
    stepAll(cpus, () => !splitter.isActive());
    t.equal(count(m, head), k.arch.pt.PTRS_PER_PTE + 4, 'pins and pte references both held');
});
//# sourceMappingURL=thp.test.js.map