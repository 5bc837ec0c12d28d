// Cost tables for s390 machines: cycles per event, each with its source.
// IBM publishes no cycle latencies for z caches, TLB, IPTE/IDTE or SIGP that
// we could find; such figures are marked ESTIMATE with the reasoning. Ratios
// between cache levels follow the CPU-MF relative nest intensity (RNI)
// weights (J. Burg, "z13 CPU MF formulas"; SG24-8251 sec. 12.4): L3 : L4
// local : L4 remote : memory = 0.4 : 1.6 : 3.5 : 7.5, anchored at L3 = 40.
import type { CostTable } from '../arch.js';

const SG24_8251 = 'IBM z13 Technical Guide, SG24-8251';
const SG24_8294 = 'IBM z13s Technical Guide, SG24-8294';
/** Timing noise shared by the s390 tables: s390 Linux always runs under a hypervisor (PR/SM, z/VM or KVM). */
const s390Timing: CostTable['timing'] = {
  spread: { value: 0.25, source: 'ESTIMATE: every figure above is one point of a range (cache state, SMT2 sibling load, millicode paths); +-25% covers the ranges given in the rows' },
  steal: {
    percent: 2, meanUs: 20, maxUs: 1000,
    source: 'ESTIMATE: short undispatches of a virtual CPU by PR/SM or z/VM. IBM reports steal under 1% for an uncontended z/VM guest and 2-2.5% during live guest relocation ("Linux guest performance during the relocation process"), 1-4% most of the time on shared IFLs ("Memory plugging and steal time"); a PR/SM dispatch time slice is 12.5-100 ms (PR/SM Planning Guide), so 2% in short gaps (mean 20 us, cut at 1 ms) is the quiet end, not a slice lost',
  },
  tick: { cycles: 5000, source: 'ESTIMATE: clock_comparator_work -> tick_sched_timer -> update_process_times (account, rcu_check_callbacks, scheduler_tick, run_posix_cpu_timers): some hundreds of instructions, 1 us at 5 GHz' },
};

const QUIESCE = 'IPTE/IDTE/CSP broadcasts run under a machine-wide quiesce: every CPU stops translating, TLBs are purged, the entry changes, the quiesce is released (IBM patents US 8,234,642 and US 9,372,805, background; A. Gordeev, "s390/mm: Batch PTE updates in lazy MMU mode", LKML: "an expensive global hardware lock")';

/** Rows shared by the s390 generations modelled; each table overrides what differs. */
const s390Rows: CostTable['rows'] = {
  work: { cycles: 0, source: 'given by the routine per step' },
  load: { cycles: 4, source: 'ESTIMATE: L1 hit, load-use of 4 cycles, usual for 5 GHz out-of-order cores (no IBM figure published)' },
  store: { cycles: 1, source: 'ESTIMATE: retired into the store queue (the L1 is store-through to L2, SG24-8294 sec. 2.3.6)' },
  atomic: { cycles: 30, source: 'ESTIMATE: CS/CSG serialise before and after (PoP SA22-7832-10, ch. 5 "Serialization") and need the line exclusive in L2: an L2 round trip plus serialisation, 20-40' },
  irq_disable: { cycles: 10, source: 'ESTIMATE: STNSM updates the PSW system mask; a few pipeline cycles' },
  irq_enable: { cycles: 10, source: 'ESTIMATE: STOSM sets the same PSW system-mask bits STNSM clears: the same few pipeline cycles' },
  tlb_hit: { cycles: 0, source: `TLB lookup runs beside the L1 directory access (${SG24_8294}, sec. 3.4.11)` },
  tlb_miss: { cycles: 10, source: `ESTIMATE: TLB1 miss served by the secondary TLB (${SG24_8294}, sec. 3.4.11: "a secondary TLB ... a translator unit"), 8-15, as an x86 STLB hit` },
  dat_level: { cycles: 25, source: 'ESTIMATE: one table entry read by the translator, about 5 of its own plus an L2 hit (11) to an L3 hit (40)' },
  user_load: { cycles: 4, source: 'the load row: a user load is an L1 hit once translated' },
  user_store: { cycles: 1, source: 'the store row: a user store also retires into the store queue' },
  ipte: { cycles: 7500, perCpu: 0, source: `ESTIMATE: ${QUIESCE}; 1-3 us for the initiator on one drawer, driven by the fabric's diameter more than by the number of CPUs` },
  idte: { cycles: 7500, perCpu: 0, source: 'ESTIMATE: as IPTE (same quiesce), a wider purge' },
  csp: { cycles: 7500, perCpu: 0, source: 'ESTIMATE: as IPTE (same quiesce); purges every TLB entry of every CPU' },
  sigp: { cycles: 1000, source: 'ESTIMATE: SIGP is executed by millicode and firmware checks the target before a fabric message: 500-1,500 for the sender' },
  ipi_send: { cycles: 0, source: 'not used on s390: IPIs are SIGP orders' },
  int_entry: { cycles: 3500, source: 'ESTIMATE: delivery of the external-interruption condition (0.5-1 us, the order of an x86 IPI) plus the PSW swap (50-100) and ext_int_handler entry (300-600: ~100 instructions at CPI 2-5)' },
  int_exit: { cycles: 300, source: 'ESTIMATE: register restore and the serialising LPSWE' },
  tlb_flush_local: { cycles: 0, source: 'not used on s390: purges are IPTE/IDTE/CSP' },
  spin: { cycles: 10, source: 'ESTIMATE: one lock-wait iteration: an L1 load, compare and branch' },
  csd_wait: { cycles: 10, source: 'ESTIMATE: one csd_lock_wait iteration, as spin' },
  idle: { cycles: 50, source: 'model parameter: one pass of the enabled-wait idle loop, short so an idle CPU takes an interrupt about when it arrives (the deterministic driver skips idle passes nothing can end)' },
  pte_store: { cycles: 4, source: 'ESTIMATE: a store to a page-table line held by this CPU' },
  hypercall: { cycles: 0, source: 'not an s390 instruction: the s390 broadcast is IPTE, IDTE or CSP' },
  invlpgb: { cycles: 0, source: 'not an s390 instruction: the s390 broadcast is IPTE, IDTE or CSP' },
};

export const z13: CostTable = {
  name: 'z13',
  arch: 's390',
  description: 'IBM z13 (2964), 5.0 GHz, 8 cores per PU chip, 3 PU chips per node',
  ghz: 5.0,
  source: `${SG24_8251}, ch. 3 (5.0 GHz; 10% below the 5.5 GHz zEC12, IntelliMagic 2018)`,
  rows: s390Rows,
  lineShift: { cycles: 8, source: `256-byte lines at every level (${SG24_8294}, sec. 2.3.6; valgrind none/tests/s390x/ecag.stdout.exp-z13)` },
  topology: { coresPerChip: 8, chipsPerNode: 3, source: `${SG24_8251}, ch. 2: 8 cores per PU chip, 3 PU chips and one SC (L4) chip per node, 2 nodes per drawer` },
  transfer: {
    chip: { cycles: 100, source: 'ESTIMATE: line owned by a core on the same chip, cross-interrogated through the shared L3 (40) and the owner\'s L2: 80-150' },
    node: { cycles: 250, source: 'ESTIMATE: another chip of the node, through the L4 (RNI weight 1.6 = 4x L3, 160) plus the owner\'s cross-interrogate: 200-300' },
    far: { cycles: 600, source: 'ESTIMATE: another node or drawer (RNI weight 3.5 = 8.75x L3, 350) plus the cross-interrogate: 400-800' },
  },
  quiesceStall: { cycles: 2500, source: `ESTIMATE: ${QUIESCE}; a CPU cannot translate from its quiesce point to the release, 1,000-5,000 with fast quiesce` },
  timing: s390Timing,
};

export const z14: CostTable = {
  name: 'z14',
  arch: 's390',
  description: 'IBM z14 (3906), 5.2 GHz, 10 cores per CP chip, 6 CP chips per drawer',
  ghz: 5.2,
  source: 'IBM z14 Technical Guide, SG24-8451, ch. 3 (5.2 GHz)',
  rows: {
    ...s390Rows,
    tlb_hit: { cycles: 0, source: 'z14 merged the first-level TLB into the L1 cache (IntelliMagic, "Impact of z14 on Processor Cache and MLC Expenses", 2018)' },
    tlb_miss: { cycles: 8, source: 'ESTIMATE: the z13 figure less the TLB1 step the z14 folded into L1' },
  },
  lineShift: { cycles: 8, source: '256-byte lines, unchanged from z13 (SG24-8451, ch. 3)' },
  topology: { coresPerChip: 10, chipsPerNode: 6, source: 'SG24-8451, ch. 2: 10 cores per CP chip, 6 CP chips and one SC chip per drawer' },
  transfer: {
    chip: { cycles: 100, source: 'ESTIMATE: as z13, through a 128 MB L3 (twice z13\'s)' },
    node: { cycles: 230, source: 'ESTIMATE: as z13 less 10-20%: the drawer\'s L4 (672 MB) is reached point to point' },
    far: { cycles: 500, source: 'ESTIMATE: another drawer, z13 figure less 10-20% (point-to-point drawer fabric)' },
  },
  quiesceStall: { cycles: 2500, source: `ESTIMATE: ${QUIESCE}; as z13` },
  timing: s390Timing,
};

export const S390_MACHINES: readonly CostTable[] = [z13, z14];
