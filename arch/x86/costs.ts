// Cost table for the x86 control machine: cycles per event, each with its source.
// ESTIMATE marks a figure no public measurement gives; the reason follows.
import type { CostTable } from '../arch.js';

const TLB_C = 'arch/x86/mm/tlb.c, Linux v4.5 (tlb_single_page_flush_ceiling comment: "Each single flush is about 100 ns")';

export const haswellEp: CostTable = {
  name: 'haswell-ep',
  arch: 'x86',
  description: 'Intel Xeon E5 v3 (Haswell-EP), 2.3 GHz',
  ghz: 2.3,
  source: 'Intel Xeon E5-2600 v3 product family (2.3 GHz base parts, e.g. E5-2698 v3)',
  rows: {
    work: { cycles: 0, source: 'given by the routine per step' },
    load: { cycles: 4, source: 'L1 data cache hit; Intel 64 and IA-32 Architectures Optimization Reference Manual, Haswell cache table (4-5 cycles)' },
    store: { cycles: 1, source: 'ESTIMATE: retired into the store buffer' },
    atomic: { cycles: 20, source: 'ESTIMATE: LOCK CMPXCHG on a line in L1, about 20 cycles on Haswell' },
    irq_disable: { cycles: 3, source: 'ESTIMATE: CLI, a few cycles' },
    irq_enable: { cycles: 3, source: 'ESTIMATE: STI, a few cycles' },
    tlb_hit: { cycles: 0, source: 'folded into the L1 access' },
    tlb_miss: { cycles: 9, source: 'ESTIMATE: STLB lookup after a DTLB miss' },
    dat_level: { cycles: 25, source: 'ESTIMATE: one page-walk level served from the paging-structure caches or L2' },
    user_load: { cycles: 4, source: 'L1 hit, as load' },
    user_store: { cycles: 1, source: 'as store' },
    ipte: { cycles: 0, source: 'not an x86 instruction' },
    idte: { cycles: 0, source: 'not an x86 instruction' },
    csp: { cycles: 0, source: 'not an x86 instruction' },
    sigp: { cycles: 0, source: 'not an x86 instruction' },
    ipi_send: { cycles: 500, source: 'ESTIMATE: x2APIC ICR write (a serialising WRMSR) per destination' },
    int_entry: { cycles: 1500, source: 'ESTIMATE: delivery to the target plus IDT entry and irq_enter; published IPI round trips are 1-2 us' },
    int_exit: { cycles: 300, source: 'ESTIMATE: EOI write and IRET' },
    tlb_flush_local: { cycles: 230, source: `${TLB_C}: 100 ns at 2.3 GHz` },
    spin: { cycles: 10, source: 'ESTIMATE: one csd_lock_wait iteration with PAUSE excluded' },
    idle: { cycles: 1000, source: 'model parameter: one pass of the idle loop' },
    pte_store: { cycles: 4, source: 'ESTIMATE: store to a page-table line held by this CPU' },
  },
};

export const X86_MACHINES: readonly CostTable[] = [haswellEp];
