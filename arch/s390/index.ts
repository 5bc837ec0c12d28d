// The s390 hardware model behind the Arch interface.
import type { Arch, KernelEntry } from '../arch.js';
import type { Cpu } from '../../emulator/cpu.js';
import { mapHuge, mapPage, pgdInit, translate } from './dat.js';
import { CRST_TABLE_BYTES, HPAGE_SHIFT } from './pgtable.js';
import {
  gupWalkToPmd, pmdAlloc, pmdp_huge_get_and_clear, pmdp_splitting_flush, ptep_get_and_clear, s390Pgtable,
} from './pgtable_ops.js';
import { arch_send_call_function_ipi_mask, arch_send_call_function_single_ipi, doExtCallInterrupt } from './smp.js';
import { pmdp_flush_direct, ptep_flush_direct } from './tlbflush.js';
import { pgtable_trans_huge_deposit, pgtable_trans_huge_withdraw } from './pgtable_deposit.js';
import { s390OopsLines, s390WarnLines } from './oops.js';

export const s390: Arch = {
  name: 's390',
  description: 'z/Architecture: TLB purges are IPTE/IDTE/CSP broadcasts that interrupt nobody; IPIs are SIGP external calls',
  tlbFlush: 'broadcast',
  gupSpeculative: true,
  spinlock: { kind: 'cas', source: 'arch/s390/lib/spinlock.c at v4.5: arch_spin_lock_wait compare-and-swaps SPINLOCK_LOCKVAL into a free lock, no queue of waiters' },
  hz: { value: 100, handler: 'clock_comparator_work', source: 'arch/s390/configs/default_defconfig at v4.5 (CONFIG_HZ_100=y; performance_defconfig the same): kernel/Kconfig.hz default HZ_250 is not what s390 builds' },
  // pmdp_splitting_flush_sync: "Simply deliver the interrupt"
  init: (k) => k.registerSmpFunc('pmdp_splitting_flush_sync', function* () { /* empty */ }),
  interruptEntry: doExtCallInterrupt,
  sendCallFunctionIpi: arch_send_call_function_ipi_mask,
  sendCallFunctionSingleIpi: arch_send_call_function_single_ipi,
  pageShift: 12,
  pgdBytes: CRST_TABLE_BYTES,
  hpageShift: HPAGE_SHIFT,
  pgdInit,
  mapPage,
  mapHuge,
  translate,
  ptepFlushDirect: (cpu: Cpu, _k: KernelEntry, ptep: number) => ptep_flush_direct(cpu, ptep),
  // asm/pgtable.h v4.5: pmdp_invalidate() is pmdp_flush_direct(); z13 has IDTE
  pmdpInvalidate: (cpu: Cpu, _k: KernelEntry, pmdp: number, va: number) => pmdp_flush_direct(cpu, va, pmdp, true),
  pmdpSplittingFlush: (cpu, k, pmdp) => pmdp_splitting_flush(cpu, k, pmdp),
  pmdpHugeGetAndClear: (cpu, _k, pmdp, va) => pmdp_huge_get_and_clear(cpu, pmdp, va),
  ptepGetAndClear: (cpu, _k, ptep) => ptep_get_and_clear(cpu, ptep),
  ptepGetAndClearFull: (cpu, _k, ptep) => ptep_get_and_clear(cpu, ptep),
  // every pte was purged by its IPTE already
  tlbFlushRange: function* () { /* nothing left to flush */ },
  pt: s390Pgtable,
  oopsLines: s390OopsLines,
  warnLines: s390WarnLines,
  pgtableDeposit: pgtable_trans_huge_deposit,
  pgtableWithdraw: pgtable_trans_huge_withdraw,
  pmdAlloc,
  gupWalkToPmd,
};
