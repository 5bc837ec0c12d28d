// Cost table for one 2016 arm64 server, Cavium ThunderX (CN88xx), chosen for
// its published measurements (AnandTech's cache and memory latencies). Every
// figure names its source; ESTIMATE marks one no public measurement gives.
// The event kinds are shared by all archs; on arm64 the broadcast-purge kinds
// stand for TLBIs: ipte = TLBI VALE1IS (one page, last level), idte = TLBI
// VAE1IS (one page, all levels), csp = TLBI ASIDE1IS (the whole ASID).
import type { CostRow, CostTable } from '../arch.js';

const ANANDTECH = 'J. De Gelas, "Investigating Cavium\'s ThunderX: The First ARM Server SoC With Ambition", AnandTech, June 2016 (ThunderX 2.0 GHz, LMBench/Tinymembench)';
const DVM = 'a TLBI ...IS is sent as a DVM message to every PE of the inner-shareable domain; the issuer can issue the next one before the last completes, and only the DSB ISH that follows waits for every PE to acknowledge (ARM ARM DDI 0487A, D4.7 "TLB maintenance requirements")';

/** A ThunderX table also prices the DSB ISH that completes a batch of TLBI ...IS. */
export interface Arm64CostTable extends CostTable {
  /** DSB ISH after TLBI ...IS: waiting until every PE has performed the invalidation */
  readonly dsbIsh: CostRow;
}

export const thunderx: Arm64CostTable = {
  name: 'thunderx',
  arch: 'arm64',
  description: 'Cavium ThunderX CN88xx, 2.0 GHz, 48 cores per chip (GICv3), two chips over CCPI',
  ghz: 2.0,
  source: `${ANANDTECH}; 48 cores and GICv3: arch/arm64/boot/dts/cavium/thunder-88xx.dtsi`,
  rows: {
    work: { cycles: 0, source: 'given by the routine per step' },
    load: { cycles: 3, source: `L1 load-to-use 3 cycles, measured (${ANANDTECH})` },
    store: { cycles: 1, source: 'ESTIMATE: a store retires into the store buffer; its line write is not waited for' },
    atomic: { cycles: 50, source: 'ESTIMATE: ThunderX (ARMv8.0) has no LSE atomics, so an atomic is an LDAXR/STLXR loop; the exclusive store must own the line in the shared L2, whose load latency was measured at 40 cycles (AnandTech): 40-60' },
    irq_disable: { cycles: 5, source: 'ESTIMATE: MSR DAIFSet, #2 only sets PSTATE.I; a few pipeline cycles' },
    irq_enable: { cycles: 5, source: 'ESTIMATE: MSR DAIFClr, #2 clears PSTATE.I: the same few cycles as DAIFSet' },
    tlb_hit: { cycles: 0, source: 'folded into the L1 access: the micro-TLB is looked up beside the L1 tags' },
    tlb_miss: { cycles: 8, source: 'ESTIMATE: a micro-TLB miss served by the main TLB, 7-10 cycles as on other 2016 cores (7-cpu.com: Haswell STLB hit 7-9)' },
    dat_level: { cycles: 40, source: `ESTIMATE: one descriptor read by the table walker from the shared 16 MB L2, whose load latency is 40 cycles (${ANANDTECH})` },
    user_load: { cycles: 3, source: 'the load row: a user load is an L1 hit once translated' },
    user_store: { cycles: 1, source: 'the store row: a user store also retires into the store buffer' },
    ipte: { cycles: 50, source: `ESTIMATE: TLBI VALE1IS, issue cost to the initiator; ${DVM}. The issue is a system instruction that leaves the core as a message: 30-80` },
    idte: { cycles: 50, source: 'ESTIMATE: TLBI VAE1IS, as VALE1IS (the walk-cache entries it also drops are each receiving PE\'s own work)' },
    csp: { cycles: 50, source: 'ESTIMATE: TLBI ASIDE1IS, one DVM message as VALE1IS; each receiving PE then drops every entry tagged with the ASID' },
    sigp: { cycles: 0, source: 'not an arm64 instruction' },
    ipi_send: { cycles: 150, source: 'ESTIMATE: one ICC_SGI1R_EL1 write per cluster of up to 16 target CPUs (drivers/irqchip/irq-gic-v3.c gic_raise_softirq), a system-register write the GICv3 CPU interface sends on to the redistributors: 100-300, as an x2APIC ICR write' },
    int_entry: { cycles: 2000, source: 'ESTIMATE: SGI delivery through the GICv3 redistributor to the target, 0.5-1 us as an x86 IPI on one socket (N. Amit, LKML 2019: 0.6-0.8 us for the first remote target), plus exception entry saving 31 registers and the ICC_IAR1_EL1 acknowledge' },
    int_exit: { cycles: 300, source: 'ESTIMATE: ICC_EOIR1_EL1 write, register restore and ERET: 200-400' },
    tlb_flush_local: { cycles: 0, source: 'not used: Linux v4.4/v4.5 arm64 flushes user mappings only with TLBI ...IS broadcasts (asm/tlbflush.h)' },
    spin: { cycles: 10, source: 'ESTIMATE: one lock-wait iteration: an L1 load, compare and branch' },
    csd_wait: { cycles: 10, source: 'ESTIMATE: one csd_lock_wait iteration, as spin' },
    idle: { cycles: 50, source: 'model parameter: one pass of the idle loop, short so an idle CPU takes an interrupt about when it arrives (the deterministic driver skips idle passes nothing can end)' },
    pte_store: { cycles: 4, source: 'ESTIMATE: a store to a page-table line held by this CPU (set_pte: STR, then DSB ISHST only for kernel mappings)' },
    hypercall: { cycles: 0, source: 'not an arm64 instruction: its broadcast is TLBI ...IS' },
    invlpgb: { cycles: 0, source: 'not an arm64 instruction: its broadcast is TLBI ...IS' },
  },
  lineShift: { cycles: 7, source: '128-byte cache lines: L1_CACHE_SHIFT raised to 7 for ThunderX ("arm64: Increase the max granular size", R. Richter, Cavium, linux-arm-kernel/linux-mm, 2015; arch/arm64/include/asm/cache.h, v4.4)' },
  topology: { coresPerChip: 48, chipsPerNode: 1, source: '48 cores per chip, MPIDR Aff1 clusters of 16 (arch/arm64/boot/dts/cavium/thunder-88xx.dtsi); a two-socket system joins two chips over CCPI, each chip its own node' },
  transfer: {
    chip: { cycles: 45, source: `ESTIMATE: a line another core of the chip wrote comes through the shared L2 (40 cycles, ${ANANDTECH}) plus the snoop of that core's L1: 40-60` },
    node: { cycles: 45, source: 'no level between chip and system: as chip' },
    far: { cycles: 300, source: `ESTIMATE: the other socket over CCPI, about the local memory latency (103 ns, ${ANANDTECH}) again on top of a local L2 miss: 250-400 at 2.0 GHz` },
  },
  quiesceStall: { cycles: 0, source: 'ESTIMATE: 0: a PE receiving a DVM invalidation drops its entries without stopping its own translation (no machine-wide quiesce as on s390); any per-PE cost is unmeasured' },
  timing: {
    spread: { value: 0.25, source: 'ESTIMATE: as the s390 tables: the rows are points of ranges (cache state, L2 contention between 48 cores); +-25%' },
    steal: { percent: 0, meanUs: 0, maxUs: 0, source: 'bare metal: the 2016 ThunderX servers ran Linux on the machine itself (EL2 left to KVM hosts)' },
    tick: { cycles: 2000, source: 'ESTIMATE: arch_timer_handler_phys -> tick_sched_timer -> update_process_times: some hundreds of instructions, 1 us at 2.0 GHz' },
  },
  dsbIsh: {
    cycles: 1000,
    perCpu: 10,
    source: `ESTIMATE: ${DVM}. The DSB waits for a DVM Sync round trip to the farthest PE, of the order of a memory access (103 ns measured, ${ANANDTECH}) plus queueing behind the TLBIs: 300-1,000 ns; 10 more per other PE for its acknowledgement`,
  },
};

export const ARM64_MACHINES: readonly Arm64CostTable[] = [thunderx];

/** DSB ISH cycles for `ncpus` CPUs on the named machine (the default table if unknown). */
export function dsbIshCycles(machine: string, ncpus: number): number {
  const t = ARM64_MACHINES.find((x) => x.name === machine) ?? thunderx;
  return t.dsbIsh.cycles + (t.dsbIsh.perCpu ?? 0) * (ncpus - 1);
}
