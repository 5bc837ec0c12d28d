// The instruction-boundary events a routine yields. A routine yields the kind
// *before* the access it names; the driver charges the kind's cost, records it
// in the flight recorder, and may run another CPU before the access happens.

export const EVENT_NAMES = [
  'work',         // computation with no shared access; cycles given by the routine
  'load',         // kernel load of a shared word (struct page, lock, csd)
  'store',        // kernel store to a shared word
  'atomic',       // interlocked update (CS/CSG, LAA; x86 LOCK-prefixed)
  'irq_disable',  // s390 STNSM / x86 CLI
  'irq_enable',   // s390 STOSM / x86 STI
  'tlb_hit',      // user access translated by the TLB
  'tlb_miss',     // TLB miss: a DAT walk follows
  'dat_level',    // one table level read by the DAT walk
  'user_load',    // user load through the TLB
  'user_store',   // user store through the TLB
  'ipte',         // IPTE: invalidate a PTE and purge it from every TLB
  'idte',         // IDTE: invalidate a segment entry and purge TLBs formed through it
  'csp',          // CSP: compare and swap and purge every TLB
  'sigp',         // SIGP order sent to another CPU
  'ipi_send',     // x86 APIC ICR write
  'int_entry',    // interrupt taken: entry into the handler
  'int_exit',     // return from the handler
  'tlb_flush_local', // flush of this CPU's own TLB entries (x86 INVLPG / flush_tlb_func)
  'spin',         // one iteration of a busy-wait on a lock
  'csd_wait',     // one iteration of csd_lock_wait: waiting for an IPI's function to have run
  'idle',         // one pass of the idle loop with interrupts enabled
  'pte_store',    // store of a page-table entry
  'hypercall',    // x86 paravirt guest: a TLB-flush hypercall (Xen PV mmuext_op, Hyper-V HvFlushVirtualAddressSpace)
  'invlpgb',      // x86 AMD INVLPGB broadcast invalidation, with its TLBSYNC
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

export const Ev: { readonly [K in EventName]: number } = Object.fromEntries(
  EVENT_NAMES.map((n, i) => [n, i]),
) as { [K in EventName]: number };

export const EVENT_COUNT = EVENT_NAMES.length;
