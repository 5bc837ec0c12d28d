// Cost table for the x86 control machine: cycles per event, each with its
// source; ESTIMATE marks a figure no public measurement gives, with reasons.
import type { CostTable } from '../arch.js';

const HANSEN = 'D. Hansen, LKML 2015-06, TLB flush cost on a Haswell Xeon';

export const haswellEp: CostTable = {
  name: 'haswell-ep',
  arch: 'x86',
  description: 'Intel Xeon E5 v3 (Haswell-EP), 2.3 GHz, 18 cores per socket, 2 sockets',
  ghz: 2.3,
  source: 'Intel Xeon E5-2600 v3 product family (2.3 GHz E5-2699 v3, 18 cores)',
  rows: {
    work: { cycles: 0, source: 'given by the routine per step' },
    load: { cycles: 4, source: 'L1 load-use 4 cycles (7-cpu.com Haswell; AnandTech LMBench on Broadwell-EP: L1 4, L2 12-15, L3 38-51)' },
    store: { cycles: 1, source: 'ESTIMATE: retired into the store buffer' },
    atomic: { cycles: 19, source: 'LOCK CMPXCHG uncontended, 18-20 cycles (A. Fog, instruction tables, Haswell)' },
    irq_disable: { cycles: 3, source: 'ESTIMATE: CLI only clears EFLAGS.IF, no serialisation: 1-3 cycles (A. Fog, instruction tables)' },
    irq_enable: { cycles: 3, source: 'ESTIMATE: STI only sets EFLAGS.IF (with a one-instruction shadow): 1-3 cycles (A. Fog, instruction tables)' },
    tlb_hit: { cycles: 0, source: 'folded into the L1 access' },
    tlb_miss: { cycles: 8, source: 'STLB hit after a DTLB miss, 7-9 cycles (7-cpu.com Haswell)' },
    dat_level: { cycles: 8, source: 'ESTIMATE: a page walk of 20-30 cycles with paging-structure-cache hits, over 4 levels (7-cpu.com)' },
    user_load: { cycles: 4, source: 'the load row: a user load is an L1 hit once translated' },
    user_store: { cycles: 1, source: 'the store row: a user store also retires into the store buffer' },
    ipte: { cycles: 0, source: 'not an x86 instruction' },
    idte: { cycles: 0, source: 'not an x86 instruction' },
    csp: { cycles: 0, source: 'not an x86 instruction' },
    sigp: { cycles: 0, source: 'not an x86 instruction' },
    ipi_send: { cycles: 300, source: 'ESTIMATE: an x2APIC ICR write (a serialising WRMSR) per destination, 100-300' },
    int_entry: { cycles: 1700, source: 'ESTIMATE: IPI delivery 0.5-1 us on one socket (N. Amit, "[RFC PATCH 0/6] x86/mm: Flush remote and local TLBs concurrently", 2019: the first remote target adds 0.6-0.8 us to a shootdown) plus IDT entry' },
    int_exit: { cycles: 300, source: 'ESTIMATE: EOI write and IRET, interrupt entry+exit 200-400 without PTI' },
    tlb_flush_local: { cycles: 216, source: `INVLPG, 216 cycles (${HANSEN}); a full flush (CR3 write) is 124` },
    spin: { cycles: 10, source: 'ESTIMATE: one lock-wait iteration with PAUSE excluded' },
    csd_wait: { cycles: 10, source: 'ESTIMATE: one csd_lock_wait iteration, as spin' },
    idle: { cycles: 50, source: 'model parameter: one pass of the idle loop, short so an idle CPU takes an interrupt about when it arrives (the deterministic driver skips idle passes nothing can end)' },
    pte_store: { cycles: 4, source: 'ESTIMATE: a store to a page-table line held by this CPU' },
    hypercall: { cycles: 4600, source: 'ESTIMATE: no published figure for a TLB-flush hypercall; a VMEXIT round trip is 1,344-2,576 cycles (M. Roth, LKML 2020-12, lkml.iu.edu/hypermail/linux/kernel/2012.2/00527.html, AMD SVM), and the hypervisor then flushes the other vCPUs (host IPIs to those running): 2 us' },
    invlpgb: { cycles: 1200, source: 'ESTIMATE: no published latency for INVLPGB + TLBSYNC (AMD Zen 3 and later; this Haswell has none: the figure stands for one); TLBSYNC waits for every core to acknowledge, as a broadcast TLBI does: 0.5 us. R. van Riel\'s INVLPGB series (linux-mm, 2025) gives only throughput: TLB invalidation from about 40% to 4% of CPU time in will-it-scale tlb_flush2' },
  },
  lineShift: { cycles: 6, source: '64-byte cache lines (Intel 64 and IA-32 Optimization Reference Manual)' },
  topology: { coresPerChip: 18, chipsPerNode: 1, source: 'E5-2699 v3: 18 cores per socket; two sockets, each its own node' },
  transfer: {
    chip: { cycles: 75, source: 'line modified in another core of the socket: about 75 cycles via the L3 (Intel Performance Analysis Guide, Nehalem; Molka et al., ICPP 2015, for Haswell-EP)' },
    node: { cycles: 75, source: 'no level between socket and system: as chip' },
    far: { cycles: 280, source: 'cross-socket line transfer, 100-130 ns (Molka, Hackenberg, Schoene, Nagel, "Cache Coherence Protocol and Memory Performance of the Intel Haswell-EP Architecture", ICPP 2015), at 2.3 GHz' },
  },
  quiesceStall: { cycles: 0, source: 'no broadcast purge on x86: remote CPUs pay the flush IPI instead' },
  timing: {
    spread: { value: 0.25, source: 'ESTIMATE: as the s390 tables: the rows are points of ranges (cache state, HyperThreading sibling load); +-25%' },
    steal: { percent: 0, meanUs: 0, maxUs: 0, source: 'bare metal: the x86 control runs on the machine itself, no hypervisor takes its CPUs' },
    tick: { cycles: 2300, source: 'ESTIMATE: smp_apic_timer_interrupt -> local_apic_timer_interrupt -> tick_sched_timer -> update_process_times: some hundreds of instructions, 1 us at 2.3 GHz' },
  },
};

export const X86_MACHINES: readonly CostTable[] = [haswellEp];
