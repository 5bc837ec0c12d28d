// The simulated kernel of one machine, as each thread sees it: the generic
// code's entry points for the arch (KernelEntry), smp cross-calls, the mm.
import { hasKasan } from './kasan.js';
import { addressing_exception } from './kernel_access.js';
import type { Arch, CostTable, KernelEntry } from '../arch/arch.js';
import { Cpu, type CpuCosts, type Fn } from '../emulator/cpu.js';
import { EVENT_COUNT, EVENT_NAMES, Ev } from '../emulator/events.js';
import type { Machine } from '../emulator/machine.js';
import { loadEntry, storeEntry } from '../emulator/physmem.js';
import { K } from './kernel_words.js';
import { Owner, P, pw } from './mm_types.js';
import { initPageAlloc, memblock_alloc } from './page_alloc.js';
import type { KernelVariant } from './variants.js';
import { Smp, type SmpFunc } from './smp.js';
import * as shared from '../emulator/shared.js';

/** cycles per event kind for `ncpus` CPUs: broadcast rows grow with the CPUs they reach. */
export function costVector(t: CostTable, ncpus: number): Float64Array {
  const v = new Float64Array(EVENT_COUNT);
  EVENT_NAMES.forEach((n, i) => {
    const row = t.rows[n];
    v[i] = row.cycles + (row.perCpu ?? 0) * (ncpus - 1);
  });
  return v;
}

/** The figures that stand for waiting, not work: a busy-wait's iterations and the idle loop's passes stay exact. */
const EXACT = [Ev.work, Ev.spin, Ev.csd_wait, Ev.idle];

/** Per-kind spread of each figure for a run with noise on; null with it off. */
function spreadVector(t: CostTable, noise: boolean): Float64Array | null {
  if (!noise) return null;
  const v = new Float64Array(EVENT_COUNT);
  EVENT_NAMES.forEach((n, i) => { v[i] = EXACT.includes(i) ? 0 : t.rows[n].spread ?? t.timing.spread.value; });
  return v;
}

/** The timing noise of one CPU, in cycles of the modelled clock. */
function cpuTiming(t: CostTable, arch: Arch, cfg: Machine['cfg']): Pick<CpuCosts, 'spreadOf' | 'transferSpread' | 'steal' | 'tick'> {
  const cyc = (us: number): number => us * t.ghz * 1000;
  const s = cfg.timing.steal;
  const dflt = t.timing.spread.value;
  return {
    spreadOf: spreadVector(t, cfg.timing.noise),
    transferSpread: [t.transfer.chip.spread ?? dflt, t.transfer.node.spread ?? dflt, t.transfer.far.spread ?? dflt],
    // a steal of mean m every gap g on average takes m / (g + m) of the time
    steal: s ? { mean: cyc(s.meanUs), gap: cyc(s.meanUs) * (100 - s.percent) / s.percent, max: cyc(Math.max(t.timing.steal.maxUs, 10 * s.meanUs)) } : null,
    tick: cfg.timing.hz ? { period: (t.ghz * 1e9) / cfg.timing.hz, cycles: t.timing.tick.cycles, handler: arch.hz.handler } : null,
  };
}

/** where the THP area starts: 1 GiB, aligned for both archs' huge pages */
export const THP_BASE = 0x40000000;

/** memblock memory for setup-time tables and the litmus workloads' fixed mappings */
const BOOT_BYTES = 8 * 1024 * 1024;

export class Kernel implements KernelEntry {
  readonly smp: Smp;
  readonly costOf: Float64Array;
  /** the arch's base page (PAGE_SHIFT, PAGE_SIZE) */
  readonly pageShift: number;
  readonly pageSize: number;
  /** the huge page a pmd maps (HPAGE_PMD_SIZE), 2 ** arch.hpageShift computed once (`2 ** x` calls pow) */
  readonly hpageSize: number;

  /** the process every CPU runs, by its command name (task->comm), for the kernel's messages */
  comm = 'a.out';

  constructor(readonly machine: Machine, readonly arch: Arch, readonly costs: CostTable, readonly variant: KernelVariant) {
    this.pageShift = arch.pageShift;
    this.pageSize = 2 ** arch.pageShift;
    this.hpageSize = 2 ** arch.hpageShift;
    this.smp = new Smp(machine, arch);
    this.costOf = costVector(costs, machine.ncpus);
    arch.init?.(this);
  }

  /** Boot (main thread, once per machine): the page allocator over all memory but the boot tables. */
  boot(o: { kasan: boolean } = { kasan: true }): void {
    this.machine.v.kernel[K.NO_KASAN] = o.kasan ? 0 : 1;
    // room for the tables and, aligned among them, one huge page of a litmus mapping, however large the arch's
    initPageAlloc(this.machine, this.arch.hpageShift - this.pageShift, Math.max(BOOT_BYTES, 3 * this.hpageSize));
    this.arch.boot?.(this.machine, (b) => memblock_alloc(this.machine, b));
    this.machine.v.kernel[K.SPINLOCK_QUEUED] = this.arch.spinlock.kind === 'queued' ? 1 : 0;
    // every CPU runs a thread of the one process, until a workload says otherwise
    for (let i = 0; i < this.machine.ncpus; i++) this.switch_mm(i);
  }

  /**
   * switch_mm: `cpu` runs the process from now on (setup time); it sets the
   * CPU's bit in mm_cpumask(next), as arch/s390/include/asm/mmu_context.h and
   * arch/x86/include/asm/mmu_context.h of v4.5 do.
   */
  switch_mm(cpu: number): void {
    shared.or(this.machine.v.kernel, K.MM_CPUMASK + (cpu >> 5), 1 << (cpu & 31));
  }

  /** `cpu` runs another process and never this one: out of mm_cpumask (setup time). */
  leave_mm(cpu: number): void {
    shared.and(this.machine.v.kernel, K.MM_CPUMASK + (cpu >> 5), ~(1 << (cpu & 31)));
  }

  /** The CPU object for simulated CPU `id` in this thread. */
  newCpu(id: number): Cpu {
    const t = this.costs;
    const costs: CpuCosts = {
      costOf: this.costOf,
      lineShift: t.lineShift.cycles,
      transfer: [t.transfer.chip.cycles, t.transfer.node.cycles, t.transfer.far.cycles],
      coresPerChip: t.topology.coresPerChip,
      chipsPerNode: t.topology.chipsPerNode,
      quiesceStall: t.quiesceStall.cycles,
      ghz: t.ghz,
      ...cpuTiming(t, this.arch, this.machine.cfg),
    };
    const cpu = new Cpu(id, this.machine, costs, this.arch.interruptEntry(this));
    const ms = this.machine.cfg.watchdogMs;
    cpu.watchdogCycles = ms === null ? Infinity : ms * t.ghz * 1e6;
    if (!hasKasan(cpu)) cpu.onAccessFault = (e) => addressing_exception(cpu, e);
    return cpu;
  }

  // --- KernelEntry -----------------------------------------------------------
  callFunctionInterrupt(cpu: Cpu): Fn<void> {
    return this.smp.flush_smp_call_function_queue(cpu);
  }

  smpCallFunctionMany(cpu: Cpu, targets: readonly number[], func: string, info: number, wait: boolean): Fn<void> {
    return this.smp.smp_call_function_many(cpu, targets, func, info, wait);
  }

  registerSmpFunc(name: string, fn: SmpFunc): void {
    this.smp.register(name, fn);
  }

  mmCpumask(): number[] {
    const kw = this.machine.v.kernel;
    const out: number[] = [];
    for (let i = 0; i < this.machine.ncpus; i++) if (shared.load(kw, K.MM_CPUMASK + (i >> 5)) & (1 << (i & 31))) out.push(i);
    return out;
  }

  thpSerialiseTargets(): number[] {
    return this.variant.thpIpiTargets === 'all' ? Array.from({ length: this.machine.ncpus }, (_, i) => i) : this.mmCpumask();
  }

  /**
   * The IPI that waits out every interrupts-off walker: kick_all_cpus_sync(),
   * or, targeted, smp_mb() + smp_call_function_many(mm_cpumask(mm), do_nothing,
   * NULL, 1), as powerpc's later serialize_against_pte_lookup() does
   * (arch/powerpc/mm/pgtable-book3s64.c, not in v4.5).
   */
  *thpSerialise(cpu: Cpu): Fn<void> {
    if (this.variant.thpIpiTargets === 'all') return yield* this.smp.kick_all_cpus_sync(cpu);
    cpu.enter('serialize_against_pte_lookup');
    yield* this.smp.smp_call_function_many(cpu, this.mmCpumask(), 'do_nothing', 0, true);
    cpu.leave();
  }

  // --- the process's address space (setup time) -------------------------------
  /** The mm's pgd, created on first use. */
  pgd(): number {
    const kw = this.machine.v.kernel;
    let pgd = shared.load(kw, K.MM_PGD);
    if (pgd === 0) {
      pgd = memblock_alloc(this.machine, this.arch.pgdBytes);
      this.arch.pgdInit(this.machine, pgd);
      shared.store(kw, K.MM_PGD, pgd);
    }
    return pgd;
  }

  /** Maps a base page at `va` to a fresh frame; returns the pte address. */
  mapUserPage(va: number): { ptep: number; phys: number } {
    const phys = memblock_alloc(this.machine, this.pageSize);
    const ptep = this.arch.mapPage(this.machine, this.pgd(), va, phys, (b) => memblock_alloc(this.machine, b));
    return { ptep, phys };
  }

  /** Maps a huge page at `va` (aligned to the arch's huge size); returns the pmd address. */
  mapUserHuge(va: number): { pmdp: number; phys: number } {
    const bytes = this.hpageSize;
    const phys = memblock_alloc(this.machine, bytes);
    const pmdp = this.arch.mapHuge(this.machine, this.pgd(), va, phys, (b) => memblock_alloc(this.machine, b));
    return { pmdp, phys };
  }

  /** The THP area: a writable anonymous VMA of `slots` huge pages at THP_BASE, its upper tables made. */
  setupThpArea(slots: number): void {
    const m = this.machine;
    const hpage = this.hpageSize;
    if (slots * hpage > 2 ** 30) throw new Error('the THP area must fit one pmd table');
    const pmd0 = this.arch.pmdAlloc(m, this.pgd(), THP_BASE, (b) => memblock_alloc(m, b));
    for (let i = 0; i < slots; i++) storeEntry(m, pmd0 + i * 8, this.arch.pt.pmd_empty);
    shared.store(m.v.kernel, K.THP_PMD0, pmd0);
    shared.store(m.v.kernel, K.THP_SLOTS, slots);
  }

  thpBase(): number { return THP_BASE; }
  thpSlots(): number { return shared.load(this.machine.v.kernel, K.THP_SLOTS); }

  /** The pmd entry address of `va` in the THP area. */
  pmdp(va: number): number {
    return shared.load(this.machine.v.kernel, K.THP_PMD0) + Math.floor((va - THP_BASE) / this.hpageSize) * 8;
  }

  /**
   * Whether physical address `addr` holds a page-table entry: a frame the
   * page allocator gave out as a page table, or the THP area's pmd table.
   */
  isTableEntry(addr: number): boolean {
    const m = this.machine;
    if (addr < 0 || addr >= m.v.mem.length * 4) return false;
    const frame = Math.floor(addr / this.pageSize);
    if (shared.load(m.v.pages, pw(frame, P.OWNER)) === Owner.PGTABLE) return true;
    const pmd0 = shared.load(m.v.kernel, K.THP_PMD0);
    return pmd0 > 0 && frame === Math.floor(pmd0 / this.pageSize);
  }

  entry(addr: number): number {
    return loadEntry(this.machine, addr);
  }

  /** page_to_phys / the pfn of a physical address, in base pages */
  physOf(pfn: number): number { return pfn * this.pageSize; }
  pfnOf(phys: number): number { return Math.floor(phys / this.pageSize); }
}
