// The arm64 model: descriptor formats, the table walk, TLBI broadcasts that
// complete while other CPUs have interrupts off, v4.4's splitting flush and
// its kick, the generic fast GUP's checks, and the THP stress and litmus
// workloads on every kernel preset.
import t from 'tap';
import { FAULT } from '../arch/arch.js';
import { thunderx } from '../arch/arm64/costs.js';
import {
  descriptorOf, mkHugePmd, mkPte, mkTable, pmd_mknotpresent, pmd_trans_huge, pmd_trans_splitting, PTE_RDONLY,
  PTE_SPECIAL, UPPER, wordOf,
} from '../arch/arm64/pgtable.js';
import { gic_raise_softirq, IPI_CALL_FUNC } from '../arch/arm64/smp.js';
import { flush_tlb_page, pmdp_invalidate, ptep_clear_flush } from '../arch/arm64/tlbflush.js';
import { tlbHolds } from '../arch/tlb.js';
import type { Routine } from '../emulator/cpu.js';
import { bootMachine } from '../system/boot.js';
import { Ev } from '../emulator/events.js';
import { C, CPU_STRIDE } from '../emulator/machine.js';
import { loadEntry, storeEntry } from '../emulator/physmem.js';
import { __get_user_pages_fast } from '../kernel-sim/gup.js';
import { split_huge_pmd } from '../kernel-sim/huge_memory.js';
import type { Kernel } from '../kernel-sim/kernel.js';
import { madvise_dontneed, user_access } from '../kernel-sim/memory.js';
import { P, pw } from '../kernel-sim/mm_types.js';
import { KERNEL_VARIANTS } from '../kernel-sim/variants.js';
import { run } from '../system/run.js';
import { config } from './helpers.js';
import { drain, idle, runOn, stepAll, stepUntil } from './stepping.js';

const HPAGE = 2 ** 21;
const VA = 0x500000;       // a 4 KiB page
const HUGE = 0x1400000;    // a 2 MiB block
const bit = (n: number): bigint => 1n << BigInt(n);

function machine(workload = 'ipi-storm', kernel = 'v4.5', cpus = 3) {
  const b = bootMachine(config({ workload, arch: 'arm64', kernel, cpus, driver: 'deterministic', param: workload === 'thp-split-vs-gup' ? ['thps=2'] : [] }));
  const k = b.kernel;
  return { k, m: b.machine, cpus: Array.from({ length: cpus }, (_, i) => k.newCpu(i)) };
}

t.test('descriptors: the v4.4 bit layout, kept in one word, round-trips', async (t) => {
  const phys = 0x1234000;
  // PAGE_SHARED made dirty, after set_pte_at: PTE_TYPE_PAGE|PTE_AF|PTE_SHARED|AttrIndx(MT_NORMAL)|PTE_USER|PTE_NG|PXN|UXN|WRITE|DIRTY
  const shared = BigInt(phys) | 3n | bit(10) | (3n << 8n) | (4n << 2n) | bit(6) | bit(11) |
    bit(UPPER.PTE_PXN) | bit(UPPER.PTE_UXN) | bit(UPPER.PTE_WRITE) | bit(UPPER.PTE_DIRTY);
  t.equal(descriptorOf(mkPte(phys, true)), shared, 'a writable pte: PTE_RDONLY clear, PTE_WRITE (= PTE_DBM, bit 51) and PTE_DIRTY set');
  const ro = BigInt(phys) | 3n | bit(10) | (3n << 8n) | (4n << 2n) | bit(6) | bit(11) | bit(7) | bit(UPPER.PTE_PXN) | bit(UPPER.PTE_UXN);
  t.equal(descriptorOf(mkPte(phys, false)), ro, 'a read-only pte: PTE_RDONLY (AP[2])');
  const huge = mkHugePmd(0x40200000, true);
  t.equal(huge & 3, 1, 'a THP is a level-2 block: PMD_TYPE_SECT, PMD_TABLE_BIT clear');
  t.equal(mkTable(0x7000) & 3, 3, 'pmd_populate: PMD_TYPE_TABLE');
  t.equal(descriptorOf(mkTable(0x7000)), 0x7003n, 'a table descriptor has no upper bits');
  const splitting = huge | PTE_SPECIAL;
  t.equal(descriptorOf(splitting) & bit(UPPER.PTE_SPECIAL), bit(UPPER.PTE_SPECIAL), "v4.4's splitting mark is PTE_SPECIAL, bit 56");
  for (const w of [mkPte(phys, true), mkPte(phys, false), huge, splitting, pmd_mknotpresent(huge), mkTable(0x7000), 0]) {
    t.equal(wordOf(descriptorOf(w)), w, `word 0x${(w >>> 0).toString(16)} round-trips`);
  }
  t.equal(descriptorOf(wordOf(shared)), shared, 'and so does the descriptor');
  t.throws(() => wordOf(shared | bit(7)), /cannot be kept/, 'a clean writable entry (PTE_WRITE with PTE_RDONLY) is not one the word can stand for');
  t.ok(pmd_trans_huge(huge) && !pmd_trans_huge(mkTable(0x7000)));
  t.ok(pmd_trans_huge(pmd_mknotpresent(huge)), 'pmd_mknotpresent keeps a block pmd_trans_huge on arm64');
  t.ok(pmd_trans_splitting(splitting) && !pmd_trans_splitting(huge));
});

t.test('the walk: three levels, blocks, permissions, faults', async (t) => {
  const { k, m, cpus } = machine();
  const { phys, ptep } = k.mapUserPage(VA);
  t.equal(drain(k.arch.translate(cpus[0]!, k.pgd(), VA + 0x123, true)), phys + 0x123);
  t.equal(cpus[0]!.tlbMisses, 1);
  t.equal(drain(k.arch.translate(cpus[0]!, k.pgd(), VA + 8, false)), phys + 8);
  t.equal(cpus[0]!.tlbHits, 1, 'the second access hits');
  const huge = k.mapUserHuge(HUGE);
  t.equal(huge.phys % HPAGE, 0);
  t.equal(drain(k.arch.translate(cpus[1]!, k.pgd(), HUGE + 0x1abcde, false)), huge.phys + 0x1abcde, 'one block covers 2 MiB');
  t.ok(tlbHolds(m, 1, HUGE + 0x100000, 21));
  storeEntry(m, ptep, loadEntry(m, ptep) | PTE_RDONLY);
  t.equal(drain(k.arch.translate(cpus[2]!, k.pgd(), VA, true)), FAULT, 'a write to PTE_RDONLY is a permission fault');
  t.equal(drain(k.arch.translate(cpus[2]!, k.pgd(), 0x40000000, false)), FAULT, 'an unmapped address faults');
});

t.test('TLBI ...IS purges every CPU\'s TLB, interrupts off or not, and interrupts nobody', async (t) => {
  const { k, m, cpus } = machine();
  const { ptep } = k.mapUserPage(VA);
  const { pmdp } = k.mapUserHuge(HUGE);
  for (const c of [0, 2]) {
    drain(k.arch.translate(cpus[c]!, k.pgd(), VA, false));
    drain(k.arch.translate(cpus[c]!, k.pgd(), HUGE, false));
  }
  cpus[0]!.irqDisable();
  drain(ptep_clear_flush(cpus[1]!, ptep, VA));
  t.equal(loadEntry(m, ptep), 0, 'the pte is clear');
  t.notOk(tlbHolds(m, 0, VA, 21), 'gone from CPU 0, which has interrupts off and never ran');
  t.notOk(tlbHolds(m, 2, VA, 21), 'gone from CPU 2');
  t.ok(tlbHolds(m, 0, HUGE, 21), 'another VA is untouched');
  drain(pmdp_invalidate(cpus[1]!, pmdp, HUGE));
  t.notOk(tlbHolds(m, 0, HUGE, 21), 'the block entry is gone too');
  t.equal(Atomics.load(m.v.cpu, 0 * CPU_STRIDE + C.PENDING), 0, 'no interrupt is pending at CPU 0');
  t.equal(cpus[0]!.ipisTaken, 0);
  t.equal(drain(k.arch.translate(cpus[0]!, k.pgd(), HUGE, false)), FAULT, 'the invalidated block faults');
});

t.test('pmdp_invalidate with an address one huge page too high (v4.5-rc1) leaves the block in every TLB', async (t) => {
  const { k, m, cpus } = machine();
  const { pmdp } = k.mapUserHuge(HUGE);
  drain(k.arch.translate(cpus[0]!, k.pgd(), HUGE + 0x5000, true));
  const before = loadEntry(m, pmdp);
  drain(k.arch.pmdpInvalidate(cpus[1]!, k, pmdp, HUGE + HPAGE));
  t.equal(loadEntry(m, pmdp), pmd_mknotpresent(before), 'the pmd itself is invalidated: set_pmd_at ignores the address');
  t.ok(tlbHolds(m, 0, HUGE, 21), 'but the 512 TLBIs named the next 2 MiB: CPU 0 still translates through the block');
  t.ok(drain(k.arch.translate(cpus[0]!, k.pgd(), HUGE + 0x1ff000, false)) >= 0, 'anywhere in it');
  drain(flush_tlb_page(cpus[1]!, HUGE + 0x7000));
  t.notOk(tlbHolds(m, 0, HUGE, 21), 'one TLBI at any address inside the block drops the whole block entry');
});

t.test('a walk that read the pmd before a pmdp_invalidate keeps nothing (the re-check of tlbFormChecked)', async (t) => {
  const { k, m, cpus } = machine();
  const { ptep } = k.mapUserPage(VA);
  const pmdp = k.arch.pmdAlloc(m, k.pgd(), VA, () => { throw new Error('the tables exist'); });
  const walker = cpus[0]!;
  let got: number | undefined;
  walker.start((function* (): Routine { got = yield* k.arch.translate(walker, k.pgd(), VA, false); })());
  // step until the walk has read the pmd and stands before reading the pte
  stepUntil(walker, () => walker.lastKind === Ev.dat_level && walker.lastArg === ptep, 20);
  t.equal(walker.lastArg, ptep, 'the walk is between its pmd and pte reads');
  drain(pmdp_invalidate(cpus[1]!, pmdp, VA - (VA % HPAGE)));
  stepUntil(walker, () => got !== undefined, 20);
  t.equal(got, FAULT, 'the walk retried and found the invalidated pmd');
  t.notOk(tlbHolds(m, 0, VA, 21), 'no translation formed from the old pmd survives');
});

t.test('IPIs are GICv3 SGIs: one ICC_SGI1R_EL1 write per cluster of 16', async (t) => {
  const { m, cpus } = machine('ipi-storm', 'v4.5', 40);
  const cpu = cpus[0]!;
  const g = gic_raise_softirq(cpu, [1, 2, 17, 39, 33], IPI_CALL_FUNC);
  let writes = 0;
  for (let r = g.next(); !r.done; r = g.next()) if (r.value === Ev.ipi_send) writes++;
  t.equal(writes, 3, 'clusters 0, 1 and 2');
  for (const c of [1, 2, 17, 33, 39]) t.equal(Atomics.load(m.v.cpu, c * CPU_STRIDE + C.PENDING), 1 << IPI_CALL_FUNC);
  t.equal(Atomics.load(m.v.cpu, 3 * CPU_STRIDE + C.PENDING), 0);
});

function thp(kernel: string) {
  const s = machine('thp-split-vs-gup', kernel, 2);
  for (const c of s.cpus) c.start(idle());
  const va = s.k.thpBase();
  runOn(s.cpus, s.cpus[0]!, user_access(s.cpus[0]!, s.k, va, true, 1));
  const pmdp = s.k.pmdp(va);
  const head = s.k.arch.pt.pmd_phys(loadEntry(s.m, pmdp)) >>> 12;
  return { ...s, va, pmdp, head };
}
const count = (k: Kernel, pfn: number) => Atomics.load(k.machine.v.pages, pw(pfn, P.COUNT));

t.test('v4.4: pmdp_splitting_flush marks the pmd and its kick waits for the interrupts-off CPU', async (t) => {
  const { k, m, cpus, pmdp, va, head } = thp('v4.4');
  const [splitter, held] = [cpus[0]!, cpus[1]!];
  let irqOnAgain = -1;
  held.start((function* (): Routine {
    held.irqDisable();
    for (let i = 0; i < 40; i++) yield held.ev(Ev.work, 0, 500); // a fast_gup walk's interrupts-off section
    irqOnAgain = held.clock;
    held.irqEnable();
    for (;;) yield Ev.idle;
  })());
  let done = -1;
  splitter.start((function* (): Routine { yield* k.arch.pmdpSplittingFlush(splitter, k, pmdp, va); done = splitter.clock; })());
  stepAll(cpus, () => done >= 0);
  t.ok(pmd_trans_splitting(loadEntry(m, pmdp)), 'the pmd carries PTE_SPECIAL');
  t.ok(irqOnAgain > 0 && done >= irqOnAgain, 'the splitting flush returned only after CPU 1 enabled interrupts');
  t.equal(held.ipisTaken, 1, 'CPU 1 took the kick');
  t.ok((splitter.kindCycles[Ev.csd_wait] ?? 0) > 0, 'CPU 0 waited in csd_lock_wait');
  t.same(runOn(cpus, held, __get_user_pages_fast(held, k, va, 4, true)), [], 'fast_gup leaves a splitting pmd to the slow path');
  t.equal(count(k, head), 1, 'and took no reference');
});

t.test('v4.5: the generic fast GUP takes references through a pmd_mknotpresent\'ed block, as mm/gup.c then did', async (t) => {
  const { k, cpus, pmdp, va, head } = thp('v4.5');
  runOn(cpus, cpus[0]!, k.arch.pmdpInvalidate(cpus[0]!, k, pmdp, va));
  const pages = runOn(cpus, cpus[1]!, __get_user_pages_fast(cpus[1]!, k, va + 0x3000, 2, true));
  t.same(pages, [head + 3, head + 4], 'gup_pmd_range checks pmd_none and pmd_protnone, not PMD_SECT_VALID');
  t.equal(count(k, head), 3);
});

t.test('fast GUP: the re-check gives references back when the pmd was split meanwhile', async (t) => {
  const { k, m, cpus, pmdp, va, head } = thp('v4.5');
  const gupCpu = cpus[1]!;
  let pages: number[] | undefined;
  gupCpu.start((function* (): Routine { pages = yield* __get_user_pages_fast(gupCpu, k, va, 4, true); })());
  stepUntil(gupCpu, () => gupCpu.trace.at(-1) === 'gup_huge_pmd');
  t.notOk(gupCpu.irqOn, 'inside the interrupts-off walk, the huge pmd read');
  const splitter = cpus[0]!;
  splitter.start((function* (): Routine { yield* split_huge_pmd(splitter, k, pmdp, va); })());
  stepUntil(splitter, () => !splitter.isActive());
  t.notOk(k.arch.pt.pmd_trans_huge(loadEntry(m, pmdp)), 'the split went on: its TLBIs waited for nobody');
  stepUntil(gupCpu, () => pages !== undefined);
  t.same(pages, [], 'fast_gup gave up');
  t.equal(count(k, head), k.arch.pt.PTRS_PER_PTE, 'and gave back every reference it took');
});

for (const kernel of ['v4.5-rc1', 'v4.5']) {
  const rc1 = kernel === 'v4.5-rc1';
  t.test(`${kernel}: ${rc1 ? 'a split leaves the block in other TLBs; the zap that frees pages drops it first' : 'the split drops the block from every TLB'}`, async (t) => {
    const { k, m, cpus, va } = thp(kernel);
    runOn(cpus, cpus[1]!, user_access(cpus[1]!, k, va + 0x8000, false));
    t.ok(tlbHolds(m, 1, va, 21), 'CPU 1 caches the block');
    const splitter = cpus[0]!;
    // MADV_DONTNEED of 4 pages: split_huge_pmd, then zap_pte_range and tlb_flush, then the pages go
    let done = false;
    splitter.start((function* (): Routine { yield* madvise_dontneed(splitter, k, va + 0x10000, va + 0x14000); done = true; })());
    let sawStale = false;
    stepAll(cpus, () => {
      const pmd = loadEntry(m, k.pmdp(va));
      if (pmd !== 0 && !k.arch.pt.pmd_trans_huge(pmd) && tlbHolds(m, 1, va, 21)) sawStale = true;
      return done;
    });
    t.equal(sawStale, rc1, rc1
      ? 'after pmd_populate, CPU 1 still held the huge translation (the TLBIs named the next 2 MiB)'
      : 'no CPU held the huge translation once the pmd pointed at the page table');
    t.notOk(tlbHolds(m, 1, va, 21), 'by the time the zapped pages were freed, no TLB held the block');
  });
}

t.test('thp-split-vs-gup, deterministic, seed 1: no preset crashes on arm64', async (t) => {
  for (const v of KERNEL_VARIANTS) {
    const j = await run(config({ workload: 'thp-split-vs-gup', arch: 'arm64', kernel: v.name, driver: 'deterministic', seed: 1, duration: 120 }));
    t.equal(j.internalError, null, `${v.name}: no internal error`);
    t.equal(j.crashed, false, `${v.name}: no crash`);
    t.equal(j.truncated, false, `${v.name}: ran its whole simulated length`);
    t.equal(j.config.machine, 'thunderx');
    const ev = j.workload.vmEvents as Record<string, number>;
    t.ok(ev.thp_split_pmd! > 0 && ev.dma_transfers! > 0, `${v.name}: splits and pins both happened`);
  }
});

t.test('litmus on arm64: the kick waits for the interrupts-off CPU; a TLBI does not', async (t) => {
  // a litmus fixes its interleaving: no exploration stalls under the deterministic driver
  const base = { arch: 'arm64', cpus: 2, slack: 1000, duration: 20, steal: 'off' };
  const pinned = (driver: 'deterministic' | 'parallel') => (driver === 'deterministic' ? { driver, schedule: 'time' } : { driver });
  const kick = await run(config({ ...base, ...pinned('deterministic'), workload: 'litmus-irqoff-kick', cpus: 4 }));
  const kw = kick.workload as Record<string, number>;
  t.ok(kw.cpu1OpStartedAt! < kw.cpu0IrqOnAgainAt! && kw.cpu1OpEndedAt! >= kw.cpu0IrqOnAgainAt!, 'kick_all_cpus_sync returned after CPU 0 enabled interrupts');
  t.equal(kick.cpus[0]!.ipisTaken, 1);
  for (const driver of ['deterministic', 'parallel'] as const) {
    for (const level of [0, 1]) {
      const r = await run(config({ ...base, ...pinned(driver), workload: 'litmus-flush-irqoff', param: [`level=${level}`] }));
      const w = r.workload as Record<string, number | boolean>;
      t.equal(w.tlbHeldBeforeSpan, true, `${driver} level ${level}: CPU 0 cached the translation`);
      t.equal(w.opCompletedWhileIrqOff, true, `${driver} level ${level}: the TLBI broadcast completed while CPU 0 had interrupts off`);
      t.equal(w.tlbHeldAtEndOfSpan, false, `${driver} level ${level}: and CPU 0's entry is gone`);
      t.equal(r.cpus[0]!.ipisTaken, 0, `${driver} level ${level}: nobody was interrupted`);
    }
  }
});

t.test('thunderx: the DSB ISH row has its reasoning too', async (t) => {
  t.match(thunderx.dsbIsh.source, /ESTIMATE: .{40,}/);
  t.equal(thunderx.lineShift.cycles, 7, '128-byte lines');
});
