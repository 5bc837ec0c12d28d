// The interface between the deterministic driver and an exploration policy,
// after shuttle's Scheduler trait (src/scheduler/mod.rs): a policy is told
// when an execution begins, is asked at every interesting step whether to hold
// that CPU back, and says what it did. In virtual time a policy cannot stop a
// CPU from running: what it can do is stall it, so others run meanwhile.
import type { Cpu, StallCause } from '../cpu.js';
import { EVENT_COUNT, Ev } from '../events.js';
import { KDATA, VMEMMAP } from '../kaddr.js';

export interface ExecutionInfo {
  readonly ncpus: number;
  /** the run's simulated length in cycles (Infinity: none) */
  readonly limitCycles: number;
  /** the modelled clock, GHz */
  readonly ghz: number;
  readonly seed: number;
  /** whether a physical address holds a page-table entry now (the kernel layer knows its frames) */
  readonly tableEntry: (addr: number) => boolean;
  /** the base page size: a table lies within one page */
  readonly pageBytes: number;
}

/** An access another CPU made to the address a held-back CPU was about to touch (KCSAN's watchpoint). */
export interface Conflict {
  /** the CPU held back, and the access it was about to make */
  cpu: number;
  access: string;
  address: string;
  /** the CPU that touched the same entry meanwhile, how, and when */
  by: number;
  byAccess: string;
  clock: number;
}

export interface PolicySummary {
  policy: string;
  /** PCT's depth */
  depth?: number;
  /** interesting steps seen (accesses to page-table entries and struct pages, purges, IPIs) */
  interestingSteps: number;
  /** stalls the policy decided */
  decisions: number;
  stallCycles: number;
  /** PCT: the steps its change points fell on, and how many steps it expected */
  changePoints?: number[];
  expectedSteps?: number;
  /** delay: accesses by other CPUs to a watched entry during a stall */
  conflicts?: { count: number; first: Conflict[] };
}

export interface SchedulePolicy {
  readonly name: string;
  readonly cause: StallCause;
  /** new_execution: once, before the first step */
  begin(x: ExecutionInfo): void;
  /**
   * `cpu` has stepped to an interesting access (`cpu.lastKind`, `cpu.lastArg`,
   * not yet made), the `index`-th of the run: the cycles to hold it back
   * before it, 0 for none.
   */
  decide(cpu: Cpu, index: number): number;
  /** every step of every CPU, for a policy that watches addresses (`cpu.doneKind`, `cpu.doneArg`) */
  observe?(cpu: Cpu): void;
  summary(): PolicySummary;
}

// Interesting kinds: accesses (by address, below), TLB purges, IPI sends and receipts.
const ACCESS = new Uint8Array(EVENT_COUNT);
for (const k of [Ev.load, Ev.store, Ev.atomic, Ev.pte_store]) ACCESS[k] = 1;
const ALWAYS = new Uint8Array(EVENT_COUNT);
for (const k of [Ev.ipte, Ev.idte, Ev.csp, Ev.tlb_flush_local, Ev.sigp, Ev.ipi_send, Ev.int_entry]) ALWAYS[k] = 1;
/** kinds that write what they name */
export const WRITES = new Uint8Array(EVENT_COUNT);
for (const k of [Ev.store, Ev.atomic, Ev.pte_store, Ev.ipte, Ev.idte, Ev.csp]) WRITES[k] = 1;

/**
 * Whether the access `kind` at `arg` is one a race is made of: a load or
 * store of a page-table entry or of a struct page word, a TLB purge, an IPI
 * sent or taken. Page contents (user data, DMA) are not.
 */
export function interesting(kind: number, arg: number, tableEntry: (addr: number) => boolean): boolean {
  if (ALWAYS[kind] === 1) return true;
  // (page tables are in physical memory, below VMEMMAP)
  return ACCESS[kind] === 1 && (arg < VMEMMAP ? tableEntry(arg) : arg < KDATA);
}

/** Whether `kind` is an access to a named address (a watchpoint can see it). */
export const isAccess = (kind: number): boolean => kind >= 0 && (ACCESS[kind] === 1 || WRITES[kind] === 1);

/** Uniform in [lo, hi] from a pure-rand generator. */
export type Draw = (lo: number, hi: number) => number;
