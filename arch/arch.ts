// The one interface between the generic simulated kernel (kernel-sim/) and a
// hardware model, in the way Linux's generic mm calls arch hooks. kernel-sim
// never asks which arch it runs on; it asks the arch to do a thing.
import type { OopsRecord } from '../emulator/cpu.js';
import type { Cpu, Fn, InterruptEntry } from '../emulator/cpu.js';
import type { EventName } from '../emulator/events.js';
import type { Machine } from '../emulator/machine.js';
import type { KernelVariant } from '../kernel-sim/variants.js';

/** One figure of a cost table, with where it comes from. */
export interface CostRow {
  readonly cycles: number;
  /** added per other CPU for broadcasts (IPTE/IDTE/CSP purge every TLB) */
  readonly perCpu?: number;
  /** relative half-width of this figure's seeded variation, where it differs from the table's */
  readonly spread?: number;
  readonly source: string;
}

/**
 * The machine's timing noise (all of it seeded): how much each figure varies,
 * how often and how long the hypervisor takes a virtual CPU away (steal), and
 * what the timer tick's handler costs.
 */
export interface TimingNoise {
  /** relative half-width of every figure's variation: a cost c becomes uniform in [c(1-s), c(1+s)] */
  readonly spread: { readonly value: number; readonly source: string };
  /** hypervisor steal: share of time stolen, mean and longest undispatch; percent 0 = bare metal */
  readonly steal: { readonly percent: number; readonly meanUs: number; readonly maxUs: number; readonly source: string };
  /** the timer tick's handler: update_process_times() and what it calls */
  readonly tick: CostRow;
}

export interface CostTable {
  readonly name: string;
  readonly arch: string;
  readonly description: string;
  /** modelled clock, GHz */
  readonly ghz: number;
  readonly source: string;
  readonly rows: { readonly [K in EventName]: CostRow };
  /** cache line size, as log2 of bytes */
  readonly lineShift: CostRow;
  /** which CPUs share a chip, and chips a node: what a line transfer has to cross */
  readonly topology: { readonly coresPerChip: number; readonly chipsPerNode: number; readonly source: string };
  /** extra cycles when a line comes from another CPU: same chip, same node, farther */
  readonly transfer: { readonly chip: CostRow; readonly node: CostRow; readonly far: CostRow };
  /** cycles every other CPU loses to a broadcast purge (s390 quiesce); 0 where there is none */
  readonly quiesceStall: CostRow;
  readonly timing: TimingNoise;
}

/** What the generic kernel provides to arch code (the arch calls back into generic smp code). */
export interface KernelEntry {
  /** generic_smp_call_function_single_interrupt / generic_smp_call_function_interrupt */
  callFunctionInterrupt(cpu: Cpu): Fn<void>;
  /** smp_call_function_many(mask, func, info, wait), for archs whose TLB flush is an IPI */
  smpCallFunctionMany(cpu: Cpu, targets: readonly number[], func: string, info: number, wait: boolean): Fn<void>;
  /** registers a function an IPI may run on the target CPU */
  registerSmpFunc(name: string, fn: (cpu: Cpu, info: number) => Fn<void>): void;
  /** mm_cpumask(mm): the CPUs that run the process (x86 flush_tlb_others targets them) */
  mmCpumask(): readonly number[];
  /** whom a THP serialisation IPI goes to: every CPU, or mm_cpumask, as the variant says */
  thpSerialiseTargets(): readonly number[];
  /** kick_all_cpus_sync(), or its mm_cpumask form, as the variant says (pre-4.5 splitting flushes) */
  thpSerialise(cpu: Cpu): Fn<void>;
  /** the running kernel: an arch's own fix is one of its switches (ppc64 splitPrepare) */
  readonly variant: KernelVariant;
}

/** Result of a user access: the physical address, or a fault. */
export const FAULT = -1;

export interface Arch {
  readonly name: string;
  readonly description: string;
  /** how a TLB flush reaches other CPUs: a hardware broadcast, or an IPI that is waited for */
  readonly tlbFlush: 'broadcast' | 'ipi';
  /**
   * How the arch's fast_gup takes references: s390 speculatively
   * (page_cache_add_speculative, then re-checks the entry); x86 outright
   * (get_head_page_multiple), relying on its flush IPI to keep the page.
   */
  readonly gupSpeculative: boolean;
  /**
   * The arch's spinlock: 'cas', taken by whoever swaps the word first, or
   * 'queued', waiters served in arrival order (qspinlock, ticket locks).
   */
  readonly spinlock: { readonly kind: 'cas' | 'queued'; readonly source: string };

  /** CONFIG_HZ of the modelled kernel's defconfig, and the handler the tick interrupt enters */
  readonly hz: { readonly value: number; readonly handler: string; readonly source: string };

  /** registers the arch's IPI functions with the generic kernel (x86 flush_tlb_func) */
  init?(k: KernelEntry): void;
  /** boot, once per machine after the page allocator (ppc64 htab_initialize: the hashed page table) */
  boot?(m: Machine, alloc: (bytes: number) => number): void;
  /** The arch's interrupt entry (s390 do_ext_call_interrupt, x86 smp_call_function_interrupt). */
  interruptEntry(k: KernelEntry): InterruptEntry;
  /** arch_send_call_function_ipi_mask */
  sendCallFunctionIpi(cpu: Cpu, targets: readonly number[]): Fn<void>;
  /** arch_send_call_function_single_ipi */
  sendCallFunctionSingleIpi(cpu: Cpu, target: number): Fn<void>;

  /**
   * log2 of the base page size: the frame struct page describes, what the
   * allocator hands out at order 0, and a base TLB entry (s390, x86: 12;
   * ppc64 with 64 KiB pages: 16)
   */
  readonly pageShift: number;

  // --- page tables, in the arch's own entry formats (setup time, not routines)
  /** bytes of one top-level table (s390 region-third, x86 PML4) */
  readonly pgdBytes: number;
  /** log2 of the bytes one huge PMD maps (s390 20, x86 21) */
  readonly hpageShift: number;
  /** initialises an empty top-level table at physical address `pgd` */
  pgdInit(m: Machine, pgd: number): void;
  /** maps one base page; `alloc` gives memory for missing tables; returns the pte address */
  mapPage(m: Machine, pgd: number, vaddr: number, phys: number, alloc: (bytes: number) => number): number;
  /** maps one huge page with a PMD-level entry; returns the pmd address */
  mapHuge(m: Machine, pgd: number, vaddr: number, phys: number, alloc: (bytes: number) => number): number;

  // --- user access and TLB ----------------------------------------------------
  /** translate through the CPU's TLB, walking the tables on a miss; FAULT if unmapped */
  translate(cpu: Cpu, pgd: number, vaddr: number, write: boolean): Fn<number>;
  /**
   * Invalidates the PTE at `ptep` (mapping `vaddr`) and makes every CPU's TLB
   * forget it: s390 IPTE, a broadcast that interrupts nobody; x86 a local
   * INVLPG and an IPI to the other CPUs, waited for. Returns the old pte.
   */
  ptepFlushDirect(cpu: Cpu, k: KernelEntry, ptep: number, vaddr: number): Fn<number>;
  /**
   * pmdp_invalidate(vma, address, pmdp): the PMD-level counterpart (s390 IDTE,
   * x86 not-present + flush_tlb_range). `vaddr` is the address the caller
   * passes, right or wrong: v4.5-rc1 passed one a huge page too high.
   */
  pmdpInvalidate(cpu: Cpu, k: KernelEntry, pmdp: number, vaddr: number): Fn<number>;
  /** v4.4's pmdp_splitting_flush: mark the pmd splitting and serialise against fast_gup */
  pmdpSplittingFlush(cpu: Cpu, k: KernelEntry, pmdp: number, vaddr: number): Fn<void>;
  /** pmdp_huge_get_and_clear: clear a huge pmd and flush it (zap_huge_pmd); returns the old pmd */
  pmdpHugeGetAndClear(cpu: Cpu, k: KernelEntry, pmdp: number, vaddr: number): Fn<number>;
  /** ptep_clear_flush: clear a pte and flush it at once (try_to_unmap); returns the old pte */
  ptepGetAndClear(cpu: Cpu, k: KernelEntry, ptep: number, vaddr: number): Fn<number>;
  /**
   * ptep_get_and_clear_full, as zap_pte_range uses it under an mmu_gather:
   * s390 purges with IPTE at once; x86 leaves the flush to tlbFlushRange.
   */
  ptepGetAndClearFull(cpu: Cpu, k: KernelEntry, ptep: number, vaddr: number): Fn<number>;
  /** tlb_finish_mmu's flush of [start, end) before the pages are freed */
  tlbFlushRange(cpu: Cpu, k: KernelEntry, start: number, end: number): Fn<void>;

  /** entry formats and the predicates generic code uses */
  readonly pt: PgtableOps;
  /** setup time: the pmd entry address for `vaddr`, allocating the upper tables */
  pmdAlloc(m: Machine, pgd: number, vaddr: number, alloc: (bytes: number) => number): number;
  /** the walk fast_gup makes down to the pmd, with interrupts off; -1 when an upper level is empty */
  gupWalkToPmd(cpu: Cpu, pgd: number, vaddr: number): Fn<number>;

  // --- hooks an arch overrides only where it keeps state in the deposited table (__HAVE_ARCH_*)
  /** pgtable_trans_huge_deposit (ppc64: the table's address in the second half of the PMD table) */
  pgtableDeposit?(cpu: Cpu, k: KernelEntry, pmdp: number, table: number): Fn<void>;
  /** pgtable_trans_huge_withdraw (ppc64: clears the hash slots the table held) */
  pgtableWithdraw?(cpu: Cpu, k: KernelEntry, pmdp: number): Fn<number>;
  /**
   * pmdp_collapse_flush(vma, haddr, pmdp): clear a pmd that points to a page
   * table whose ptes are still present and flush the whole range. Generic
   * (mm/pgtable-generic.c, v5.19): pmdp_huge_get_and_clear, then
   * flush_tlb_range over the huge page (pmdpHugeGetAndClear + tlbFlushRange).
   */
  pmdpCollapseFlush?(cpu: Cpu, k: KernelEntry, pmdp: number, haddr: number): Fn<number>;
  /** pmdp_huge_split_prepare, called by __split_huge_pmd_locked before the withdraw (generic: nothing) */
  pmdpHugeSplitPrepare?(cpu: Cpu, k: KernelEntry, pmdp: number, haddr: number): Fn<void>;
  /**
   * arch_needs_pgtable_deposit(): a file THP's huge pmd gets a deposited
   * table too (ppc64 hash keeps its HPTE slots there:
   * arch/powerpc/include/asm/book3s/64/pgtable.h, v5.19); elsewhere only anonymous THPs do.
   */
  readonly needsPgtableDeposit?: boolean;
  /**
   * fast_gup's pte reference goes to compound_head(page), as the generic RCU
   * fast GUP of mm/gup.c does (ppc64); s390's own gup.c takes it on the page.
   */
  readonly gupPteRefHead?: boolean;

  // --- how the arch's kernel prints a crash (without these, the generic layout)
  /** die() for a kernel check (BUG, VM_BUG_ON_PAGE, bad page state, an access fault); null: not the kernel's own check */
  oopsLines?(o: OopsRecord, ctx: OopsContext): string[] | null;
  /** a WARN() as the arch's report_bug prints it */
  warnLines?(w: OopsRecord, ctx: OopsContext): string[];
}

/** What an arch's oops layout is told beside the record: the process, the kernel, the CPU's state. */
export interface OopsContext {
  readonly comm: string;
  /** the kernel's preset or scenario name */
  readonly kernel: string;
  /** interrupts were enabled on the CPU when it stopped */
  readonly irqOn: boolean;
  /** a warning (taint W) or a bad page (taint B) was reported before */
  readonly warned: boolean;
  readonly badPage: boolean;
}

/** Entry formats, as the arch's pgtable.h defines them (all on the low word of an entry). */
export interface PgtableOps {
  readonly PTRS_PER_PTE: number;
  /** bytes of a page table as allocated (s390: a 2 KiB half of a frame; x86: a frame) */
  readonly pteTableBytes: number;
  readonly pte_empty: number;
  readonly pmd_empty: number;
  pte_index(va: number): number;
  pte_none(pte: number): boolean;
  pte_present(pte: number): boolean;
  pte_phys(pte: number): number;
  mk_pte(phys: number, write: boolean): number;
  pmd_none(pmd: number): boolean;
  pmd_trans_huge(pmd: number): boolean;
  /** v4.4: pmd_trans_splitting */
  pmd_trans_splitting(pmd: number): boolean;
  pmd_phys(pmd: number): number;
  /** pmd_populate: the entry that points at a page table */
  pmd_populate(table: number): number;
  mk_huge_pmd(phys: number, write: boolean): number;
  /** the bail-out checks of the arch's fast_gup, as that version of its gup.c makes them */
  gup_huge_pmd_ok(pmd: number, write: boolean): boolean;
  gup_pte_ok(pte: number, write: boolean): boolean;
}
