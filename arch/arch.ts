// The one interface between the generic simulated kernel (kernel-sim/) and a
// hardware model, in the way Linux's generic mm calls arch hooks. kernel-sim
// never asks which arch it runs on; it asks the arch to do a thing.
import type { Cpu, Fn, InterruptEntry } from '../emulator/cpu.js';
import type { EventName } from '../emulator/events.js';
import type { Machine } from '../emulator/machine.js';

/** One figure of a cost table, with where it comes from. */
export interface CostRow {
  readonly cycles: number;
  /** added per other CPU for broadcasts (IPTE/IDTE/CSP purge every TLB) */
  readonly perCpu?: number;
  readonly source: string;
}

export interface CostTable {
  readonly name: string;
  readonly arch: string;
  readonly description: string;
  /** modelled clock, GHz */
  readonly ghz: number;
  readonly source: string;
  readonly rows: { readonly [K in EventName]: CostRow };
}

/** What the generic kernel provides to arch code (the arch calls back into generic smp code). */
export interface KernelEntry {
  /** generic_smp_call_function_single_interrupt / generic_smp_call_function_interrupt */
  callFunctionInterrupt(cpu: Cpu): Fn<void>;
  /** smp_call_function_many(mask, func, info, wait), for archs whose TLB flush is an IPI */
  smpCallFunctionMany(cpu: Cpu, targets: readonly number[], func: string, info: number, wait: boolean): Fn<void>;
  /** registers a function an IPI may run on the target CPU */
  registerSmpFunc(name: string, fn: (cpu: Cpu, info: number) => Fn<void>): void;
}

/** Result of a user access: the physical address, or a fault. */
export const FAULT = -1;

export interface Arch {
  readonly name: string;
  readonly description: string;
  /** how a TLB flush reaches other CPUs: a hardware broadcast, or an IPI that is waited for */
  readonly tlbFlush: 'broadcast' | 'ipi';

  /** registers the arch's IPI functions with the generic kernel (x86 flush_tlb_func) */
  init?(k: KernelEntry): void;
  /** The arch's interrupt entry (s390 do_ext_call_interrupt, x86 smp_call_function_interrupt). */
  interruptEntry(k: KernelEntry): InterruptEntry;
  /** arch_send_call_function_ipi_mask */
  sendCallFunctionIpi(cpu: Cpu, targets: readonly number[]): Fn<void>;
  /** arch_send_call_function_single_ipi */
  sendCallFunctionSingleIpi(cpu: Cpu, target: number): Fn<void>;

  // --- page tables, in the arch's own entry formats (setup time, not routines)
  /** bytes of one top-level table (s390 region-third, x86 PML4) */
  readonly pgdBytes: number;
  /** log2 of the bytes one huge PMD maps (s390 20, x86 21) */
  readonly hpageShift: number;
  /** initialises an empty top-level table at physical address `pgd` */
  pgdInit(m: Machine, pgd: number): void;
  /** maps one 4 KiB page; `alloc` gives memory for missing tables; returns the pte address */
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
  /** pmdp_invalidate: the PMD-level counterpart (s390 IDTE, x86 not-present + flush_tlb_range). */
  pmdpInvalidate(cpu: Cpu, k: KernelEntry, pmdp: number, vaddr: number): Fn<number>;
}
