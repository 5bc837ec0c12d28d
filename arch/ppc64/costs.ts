// Cost table for a POWER8 server: cycles per event, each with its source;
// ESTIMATE marks a figure no public measurement gives, with the reasoning.
// The event kinds are shared by all archs; on ppc64 they stand for:
// ipte = tlbie of a 64 KiB page, idte = tlbie of a 16 MiB page (L=1),
// sigp = msgsnd (a doorbell to a thread of the same core), ipi_send = a
// store to the target's XICS MFRR, dat_level = one PTEG of the hashed page
// table read by the hardware search, tlb_flush_local = tlbiel.
import type { CostRow, CostTable } from '../arch.js';
import type { Machine } from '../../emulator/machine.js';

const REDP5097 = 'IBM Power System S824 Technical Overview and Introduction, REDP-5097';
const ANANDTECH = 'J. De Gelas, "Assessing IBM\'s POWER8, Part 1: A Low Level Look at Little Endian", AnandTech, July 2016 (LMBench random load latency)';
const SINHAROY = 'B. Sinharoy et al., "IBM POWER8 processor core microarchitecture", IBM J. Res. & Dev. 59(1), 2015';
const FABRIC = 'a tlbie is broadcast on the SMP fabric and snooped by every core\'s MMU; tlbsync/ptesync wait until all have performed it (Power ISA 2.07 Book III-S, 5.10.1 "tlbie", "tlbsync")';

/** What a POWER8 machine adds to the shared table: exception costs, and the MMU and SMT facts Linux keys on. */
export interface Ppc64CostTable extends CostTable {
  /** the data storage interrupt a hash fault takes, up to hash_page (EXCEPTION_PROLOG_COMMON, do_hash_page) */
  readonly excEntry: CostRow;
  /** the return from it (rfid) */
  readonly excExit: CostRow;
  /** "eieio; tlbsync; ptesync" after a tlbie: waiting until every processor has performed it */
  readonly tlbsync: CostRow;
  /** the XICS presentation of an external interrupt: the XIRR load that accepts it and the EOI store */
  readonly xirr: CostRow;
  /** hardware threads per core: Linux CPUs of one core reach each other with msgsnd doorbells */
  readonly threadsPerCore: { readonly value: number; readonly source: string };
  /** MMU_FTR_LOCKLESS_TLBIE: whether tlbies run without native_tlbie_lock */
  readonly locklessTlbie: { readonly value: boolean; readonly source: string };
}

export const power8: Ppc64CostTable = {
  name: 'power8',
  arch: 'ppc64',
  description: 'IBM Power System S824 (8286-42A): POWER8 12-core SCMs at 3.52 GHz, SMT8, two sockets',
  ghz: 3.52,
  source: `${REDP5097}, ch. 1 (12-core POWER8 modules at 3.52 GHz; 6-core 3.89, 8-core 4.15)`,
  rows: {
    work: { cycles: 0, source: 'given by the routine per step' },
    load: { cycles: 3, source: `L1 load-use 3 cycles, measured (${ANANDTECH})` },
    store: { cycles: 1, source: 'ESTIMATE: a store retires into the store queue; the L1 is store-through to L2 and nothing waits for it' },
    atomic: { cycles: 40, source: `ESTIMATE: ldarx/stdcx. needs the line exclusive in the core's L2 (13 cycles, ${ANANDTECH}) and kernel atomics carry sync/lwsync barriers on both sides: 30-60` },
    irq_disable: { cycles: 4, source: 'ESTIMATE: local_irq_disable on ppc64 is a soft disable, a byte store to paca->soft_enabled (arch/powerpc/include/asm/hw_irq.h, v4.4); hard disabling is mtmsrd, a few more' },
    irq_enable: { cycles: 6, source: 'ESTIMATE: arch_local_irq_restore: a store and a check of paca->irq_happened for an interrupt to replay (arch/powerpc/kernel/irq.c, v4.4)' },
    tlb_hit: { cycles: 0, source: `the ERAT is looked up beside the L1 directory (${SINHAROY})` },
    tlb_miss: { cycles: 12, source: `ESTIMATE: an ERAT miss looked up in the core's TLB (512 sets: POWER8_TLB_SETS, arch/powerpc/include/asm/mmu-hash64.h) before the hardware searches the hashed page table; about an L2 access` },
    dat_level: { cycles: 35, source: `ESTIMATE: one 128-byte PTEG (a cache line) read by the table walker; the 256 KiB-plus table lives in L2/L3: L3 27-28 cycles (${ANANDTECH}) plus the walker's own steps` },
    user_load: { cycles: 3, source: 'the load row: a user load is an L1 hit once translated' },
    user_store: { cycles: 1, source: 'the store row: a user store also retires into the store queue' },
    ipte: { cycles: 100, source: `ESTIMATE: issuing tlbie for a 64 KiB page (with the ptesync before it); ${FABRIC}; the wait is the tlbsync row` },
    idte: { cycles: 100, source: 'ESTIMATE: tlbie with L=1 for a 16 MiB page: the same instruction as for 64 KiB, another LP encoding' },
    csp: { cycles: 0, source: 'not used: ppc64 has no compare-and-swap-and-purge; these paths tlbie page by page' },
    sigp: { cycles: 40, source: 'ESTIMATE: msgsnd, a doorbell to another thread of the same core, stays inside the core (CPU_FTR_DBELL; icp_native_cause_ipi, arch/powerpc/sysdev/xics/icp-native.c, v4.4): a sync and a core-local message, 20-60' },
    ipi_send: { cycles: 300, source: 'ESTIMATE: icp_native_set_qirr: a cache-inhibited store to the target\'s MFRR in the XICS presentation controller, after the full barrier cause_ipi requires (arch/powerpc/kernel/smp.c, v4.4): 200-400' },
    int_entry: { cycles: 800, source: 'ESTIMATE: delivery of the exception to the target thread and the 0x500/0xe80 vector with EXCEPTION_PROLOG_COMMON (saving the GPRs, switching to the kernel stack): 500-1,000; the XICS XIRR load is the xirr row' },
    int_exit: { cycles: 300, source: 'ESTIMATE: register restore and rfid (context-synchronising): 200-400' },
    tlb_flush_local: { cycles: 20, source: 'ESTIMATE: tlbiel and ptesync on this core only, no fabric traffic: 10-30' },
    spin: { cycles: 10, source: 'ESTIMATE: one lock-wait iteration: an L1 load, compare and branch' },
    csd_wait: { cycles: 10, source: 'ESTIMATE: one csd_lock_wait iteration, as spin' },
    idle: { cycles: 50, source: 'model parameter: one pass of the idle loop, short so an idle CPU takes an interrupt about when it arrives (the deterministic driver skips idle passes nothing can end)' },
    pte_store: { cycles: 3, source: 'ESTIMATE: a store to a page-table (or HPT) line held by this CPU: the load row\'s L1 latency' },
    hypercall: { cycles: 0, source: 'not a ppc64 instruction: its broadcast is tlbie' },
    invlpgb: { cycles: 0, source: 'not a ppc64 instruction: its broadcast is tlbie' },
  },
  lineShift: { cycles: 7, source: `128-byte cache lines at every level (${SINHAROY}; L1_CACHE_SHIFT 7 in arch/powerpc/include/asm/cache.h for PPC64)` },
  topology: {
    coresPerChip: 96, chipsPerNode: 1,
    source: `${REDP5097}: 12 cores per module, 8 threads each (SMT8), each module its own node, two sockets. The model's CPUs are Linux CPUs, i.e. threads: 96 per chip`,
  },
  transfer: {
    chip: { cycles: 60, source: `ESTIMATE: a line another CPU of the chip wrote: from a sibling thread's shared L1/L2 (3-13 cycles) or another core's L2/L3 by intervention (L3 27-28 cycles locally, ${ANANDTECH}, more across the chip); the model has no core level, so one figure, 40-100` },
    node: { cycles: 60, source: 'no level between chip and node: as chip' },
    far: { cycles: 400, source: `ESTIMATE: a line from the other socket over the SMP X-bus: of the order of a memory access (89-91 ns measured, ${ANANDTECH}) plus the coherence hop, 100-130 ns at 3.52 GHz` },
  },
  quiesceStall: { cycles: 0, source: `ESTIMATE: 0: ${FABRIC}; a snooping core drops matching entries and keeps translating, no machine-wide quiesce as on s390` },
  timing: {
    spread: { value: 0.25, source: 'ESTIMATE: as the s390 tables: the rows are points of ranges (cache state, SMT8 sibling load); +-25%' },
    steal: { percent: 0, meanUs: 0, maxUs: 0, source: 'ESTIMATE: 0: the model is a bare-metal (PowerNV) host, as the fatal ERAT multi-hit machine check assumes; under PowerVM it would see steal as s390 does' },
    tick: { cycles: 3500, source: 'ESTIMATE: timer_interrupt -> tick_sched_timer -> update_process_times: some hundreds of instructions, 1 us at 3.52 GHz' },
  },
  excEntry: { cycles: 300, source: 'ESTIMATE: the 0x300 data storage interrupt: vector, EXCEPTION_PROLOG_COMMON and do_hash_page (arch/powerpc/kernel/exceptions-64s.S, v4.4) before hash_page runs, 200-400' },
  excExit: { cycles: 150, source: 'ESTIMATE: fast_exception_return: register restore and rfid, 100-200' },
  tlbsync: { cycles: 700, source: `ESTIMATE: ${FABRIC}: about two fabric round trips, each of the order of a memory access (89-91 ns measured, ${ANANDTECH}), 0.2 us = 700 cycles at 3.52 GHz` },
  xirr: { cycles: 1000, source: 'ESTIMATE: icp_native_get_irq loads XIRR and the EOI stores it back, both cache-inhibited accesses to the presentation controller off the core (arch/powerpc/sysdev/xics/icp-native.c, v4.4): of the order of a memory access each, 0.2-0.4 us in all' },
  threadsPerCore: { value: 8, source: `POWER8 cores run SMT8 (${SINHAROY}); Linux numbers a core's threads consecutively` },
  locklessTlbie: { value: true, source: 'MMU_FTRS_POWER8 = MMU_FTRS_POWER6, which includes MMU_FTR_LOCKLESS_TLBIE (arch/powerpc/include/asm/mmu.h)' },
};

export const PPC64_MACHINES: readonly Ppc64CostTable[] = [power8];

/** The ppc64 table the machine runs with (a name the CLI checked). */
export function ppc64Costs(m: Machine): Ppc64CostTable {
  return PPC64_MACHINES.find((t) => t.name === m.cfg.machine) ?? power8;
}
