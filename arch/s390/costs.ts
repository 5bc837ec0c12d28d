// Cost tables for s390 machines: cycles per event, each with its source.
// ESTIMATE marks a figure no public measurement gives; the reason follows.
import type { CostTable } from '../arch.js';

const SG24_8251 = 'IBM z13 Technical Guide, SG24-8251';

export const z13: CostTable = {
  name: 'z13',
  arch: 's390',
  description: 'IBM z13 (2964), 5.0 GHz',
  ghz: 5.0,
  source: `${SG24_8251}, ch. 3 "Central processor complex system design" (5.0 GHz cycle)`,
  rows: {
    work: { cycles: 0, source: 'given by the routine per step' },
    load: { cycles: 4, source: `L1 data cache hit; ESTIMATE: z13 L1 use latency of 4 cycles as for zEC12 (${SG24_8251}, ch. 3 cache hierarchy gives sizes, not latency)` },
    store: { cycles: 1, source: 'ESTIMATE: retired into the store queue, one cycle of issue' },
    atomic: { cycles: 20, source: 'ESTIMATE: CS/CSG serialises the pipeline (PoP SA22-7832-10 ch. 5 "Serialization"), about a store-queue drain' },
    irq_disable: { cycles: 10, source: 'ESTIMATE: STNSM updates the PSW system mask; a few pipeline cycles' },
    irq_enable: { cycles: 10, source: 'ESTIMATE: STOSM, as STNSM' },
    tlb_hit: { cycles: 0, source: 'folded into the L1 access (translation in parallel with the cache lookup)' },
    tlb_miss: { cycles: 20, source: 'ESTIMATE: TLB1 miss satisfied from the CRSTE/PTE TLB2 lookup' },
    dat_level: { cycles: 30, source: 'ESTIMATE: one table entry read from L2/L3 by the translator' },
    user_load: { cycles: 4, source: 'L1 hit, as load' },
    user_store: { cycles: 1, source: 'as store' },
    ipte: { cycles: 1000, perCpu: 40, source: 'ESTIMATE: IPTE broadcasts a TLB purge and quiesces the configuration until every CPU has purged (PoP ch. 10 "INVALIDATE PAGE TABLE ENTRY"); hundreds of cycles locally plus a share per CPU' },
    idte: { cycles: 1500, perCpu: 40, source: 'ESTIMATE: IDTE as IPTE, with a wider purge (PoP ch. 10 "INVALIDATE DAT TABLE ENTRY")' },
    csp: { cycles: 1500, perCpu: 40, source: 'ESTIMATE: CSP purges every TLB of the configuration (PoP ch. 10 "COMPARE AND SWAP AND PURGE")' },
    sigp: { cycles: 600, source: 'ESTIMATE: SIGP is executed by millicode and signals through the system fabric' },
    ipi_send: { cycles: 0, source: 'not used on s390: IPIs are SIGP orders' },
    int_entry: { cycles: 400, source: 'ESTIMATE: external-interruption PSW swap plus ext_int_handler register save and do_IRQ dispatch' },
    int_exit: { cycles: 200, source: 'ESTIMATE: register restore and LPSWE' },
    tlb_flush_local: { cycles: 0, source: 'not used on s390: purges are IPTE/IDTE/CSP' },
    spin: { cycles: 10, source: 'ESTIMATE: one csd_lock_wait iteration: an L1 load, compare and branch' },
    idle: { cycles: 1000, source: 'model parameter: one pass of the enabled-wait idle loop' },
    pte_store: { cycles: 4, source: 'ESTIMATE: store to a page-table line held by this CPU' },
  },
};

export const S390_MACHINES: readonly CostTable[] = [z13];
