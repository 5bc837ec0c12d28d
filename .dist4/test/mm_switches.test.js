// The mm switches a fix candidate is written with, one mechanism at a time and
// with the interleavings forced by hand: RCU table freeing against a lockless
// walk, the refcount freeze of split_huge_page(), and mm_cpumask-targeted IPIs.
import t from 'tap';
import { bootMachine } from '../system/boot.js';
import { Ev } from '../emulator/events.js';
import { M, OOPS_BYTES } from '../emulator/machine.js';
import { loadEntry } from '../emulator/physmem.js';
import { __get_user_pages_fast } from '../kernel-sim/gup.js';
import { split_huge_page, split_huge_pmd, trylock_page } from '../kernel-sim/huge_memory.js';
import { local_irq_disable } from '../kernel-sim/irqflags.js';
import { unmap_slot, user_access } from '../kernel-sim/memory.js';
import { get_page, page_cache_add_speculative } from '../kernel-sim/mm.js';
import { P, pw } from '../kernel-sim/mm_types.js';
import { KERNEL_VARIANTS } from '../kernel-sim/variants.js';
import { config } from './helpers.js';
import { idle, runOn, stepAll, stepUntil } from './stepping.js';
function boot(arch, switches, cpus = 2) {
    const base = KERNEL_VARIANTS.find((v) => v.name === 'v4.5');
    const cfg = { ...config({ workload: 'thp-split-vs-gup', arch, kernel: 'v4.5', cpus, driver: 'deterministic', param: ['thps=2'] }), variant: { ...base, ...switches, name: 'test' } };
    const b = bootMachine(cfg);
    const k = b.kernel;
    const all = Array.from({ length: cpus }, (_, i) => k.newCpu(i));
    for (const c of all)
        c.start(idle());
    return { k, m: b.machine, cpus: all };
}
/** A huge page faulted in at the THP base and its pmd split into a page table. */
function splitThp(s) {
    const va = s.k.thpBase();
    runOn(s.cpus, s.cpus[0], user_access(s.cpus[0], s.k, va, true, 1));
    const pmdp = s.k.pmdp(va);
    const head = s.k.arch.pt.pmd_phys(loadEntry(s.m, pmdp)) >>> 12;
    runOn(s.cpus, s.cpus[0], split_huge_pmd(s.cpus[0], s.k, pmdp, va));
    return { va, pmdp, head };
}
const oopsOf = (m) => (Atomics.load(m.v.control, M.OOPS_CPU) >= 0 ? JSON.parse(m.readText(m.v.oops, 0, OOPS_BYTES)) : null);
// The free waits for the interrupts-off walker where it is RCU's (tlb_remove_table_smp_sync) or an
// IPI's (x86 flush_tlb_others; a17c9da9264d: "on bare metal, by blocking IRQs, which block TLB flush
// IPIs"). After the flush alone, s390 IPTE/IDTE and arm64 TLBI ...IS do not wait: arm64 selects
// HAVE_RCU_TABLE_FREE for its fast GUP for this reason (5e5f6dc10546).
for (const [arch, free] of [['s390', 'rcu'], ['s390', 'after-flush'], ['arm64', 'after-flush'], ['x86', 'after-flush']]) {
    const waits = free === 'rcu' || arch === 'x86';
    t.test(`${arch}, pgtableFree=${free}: munmap frees the page table a lockless walk is in`, async (t) => {
        const s = boot(arch, { pgtableFree: free });
        const { va } = splitThp(s);
        const [unmapper, walker] = s.cpus;
        let pages;
        walker.start((function* () { pages = yield* __get_user_pages_fast(walker, s.k, va, 4, true); })());
        stepUntil(walker, () => walker.trace.at(-1) === 'gup_pte_range');
        t.notOk(walker.irqOn, 'the walker has read the pmd, interrupts off');
        unmapper.start((function* () { yield* unmap_slot(unmapper, s.k, va); })());
        if (waits) {
            for (let i = 0; i < 50_000 && unmapper.isActive(); i++)
                unmapper.step();
            t.ok(unmapper.isActive(), `${free === 'rcu' ? 'tlb_remove_table' : 'the flush IPI'} waits for the walker`);
            if (free === 'rcu')
                t.ok(unmapper.trace.includes('tlb_remove_table'));
            stepUntil(walker, () => pages !== undefined);
            if (free === 'rcu')
                t.same(pages, [], 'the walk saw the cleared ptes and gave up');
            stepAll(s.cpus, () => !unmapper.isActive());
            t.equal(oopsOf(s.m), null, 'no oops');
        }
        else {
            stepUntil(unmapper, () => !unmapper.isActive());
            t.throws(() => stepUntil(walker, () => pages !== undefined), 'the walker oopses');
            const o = oopsOf(s.m);
            t.equal(o?.kind, 'KASAN: use-after-free');
            t.match(o?.message, new RegExp(`^CPU${walker.id} fast_gup read the pte of 0x[0-9a-f]+ from a page table CPU${unmapper.id} freed under it`), 'the race named: who walked, who freed');
        }
    });
}
for (const freeze of [false, true]) {
    t.test(`splitRefFreeze=${freeze}: a speculative reference during __split_huge_page`, async (t) => {
        const s = boot('s390', { splitRefFreeze: freeze });
        const { head } = splitThp(s);
        const [splitter, other] = s.cpus;
        let ret;
        splitter.start((function* () {
            yield* trylock_page(splitter, head);
            yield* get_page(splitter, head);
            ret = yield* split_huge_page(splitter, s.k, head);
        })());
        stepUntil(splitter, () => splitter.trace.at(-1) === '__split_huge_page');
        const count = Atomics.load(s.m.v.pages, pw(head, P.COUNT));
        let got;
        other.start((function* () { got = yield* page_cache_add_speculative(other, head, 1); })());
        stepUntil(other, () => got !== undefined);
        if (freeze) {
            t.equal(count, 0, 'the head is frozen');
            t.equal(got, false, 'the speculative reference fails');
            stepUntil(splitter, () => ret !== undefined);
            t.equal(ret, 0, 'the split succeeds');
            // afterwards: the caller's reference and the head's mapping; a tail, its mapping alone
            t.equal(Atomics.load(s.m.v.pages, pw(head, P.COUNT)), 2, 'the head\'s count is given back');
            t.equal(Atomics.load(s.m.v.pages, pw(head + 1, P.COUNT)), 1, 'a tail holds its mapping\'s reference');
        }
        else {
            t.equal(count, 1, 'v4.5 compared the count and went on');
            t.equal(got, true, 'the speculative reference slips in mid-split');
        }
    });
}
for (const targets of ['all', 'mm-cpumask']) {
    t.test(`thpIpiTargets=${targets}: the kick and a CPU of another process with interrupts off`, async (t) => {
        const s = boot('s390', { kickInPmdpInvalidate: true, thpIpiTargets: targets }, 3);
        const va = s.k.thpBase();
        runOn(s.cpus, s.cpus[0], user_access(s.cpus[0], s.k, va, true, 1));
        s.k.leave_mm(2);
        t.same(s.k.mmCpumask(), [0, 1]);
        const other = s.cpus[2];
        other.start((function* () { yield* local_irq_disable(other); for (;;)
            yield other.ev(Ev.work, 0, 100); })());
        other.step();
        const splitter = s.cpus[0];
        splitter.start((function* () { yield* split_huge_pmd(splitter, s.k, s.k.pmdp(va), va); })());
        // CPU1 idles and takes its IPI; CPU2 never enables interrupts
        const cpus01 = [s.cpus[0], s.cpus[1]];
        for (let i = 0; i < 100_000 && splitter.isActive(); i++)
            cpus01.reduce((a, c) => (c.clock < a.clock ? c : a)).step();
        if (targets === 'all') {
            t.ok(splitter.isActive(), 'kick_all_cpus_sync waits for the CPU outside the mm');
            t.ok(splitter.trace.includes('kick_all_cpus_sync'));
        }
        else {
            t.notOk(splitter.isActive(), 'the mm_cpumask IPI does not wait for it');
            t.equal(s.cpus[1].ipisTaken, 1, 'the mm\'s other CPU took the IPI');
        }
    });
}
//# sourceMappingURL=mm_switches.test.js.map