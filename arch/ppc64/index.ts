// The ppc64 (Book3S 64, hash MMU, 64 KiB pages) hardware model behind the
// Arch interface, for Linux v4.4/v4.5 on a POWER8 PowerNV machine.
import type { Arch } from '../arch.js';
import { translate } from './hash_utils.js';
import { htab_initialize } from './mmu_hash.js';
import { HPAGE_SHIFT, PAGE_SHIFT, PGD_TABLE_BYTES } from './pgtable.js';
import {
  gupWalkToPmd, mapHuge, mapPage, pgdInit, pgtable_trans_huge_deposit, pgtable_trans_huge_withdraw, pmdAlloc,
  pmdp_collapse_flush, pmdp_huge_get_and_clear, pmdp_huge_split_prepare, pmdp_invalidate, pmdp_splitting_flush, ppc64Pgtable, ptep_get_and_clear,
} from './pgtable_ops.js';
import { arch_send_call_function_ipi_mask, arch_send_call_function_single_ipi, ppc64IpiEntry } from './smp.js';

export const ppc64: Arch = {
  name: 'ppc64',
  description: 'Book3S 64 (POWER8) hash MMU, 64 KiB pages: the hardware searches a hashed page table hash_page() fills; tlbie is a broadcast that interrupts nobody; IPIs are doorbells and XICS',
  tlbFlush: 'broadcast',
  // v4.4/v4.5 powerpc selects HAVE_GENERIC_RCU_GUP: mm/gup.c's speculative references and re-check
  gupSpeculative: true,
  spinlock: { kind: 'cas', source: 'arch/powerpc/include/asm/spinlock.h at v4.5: arch_spin_lock retries __arch_spin_trylock (lwarx/stwcx. of the lock token), no queue of waiters' },
  hz: { value: 100, handler: 'timer_interrupt', source: 'arch/powerpc/configs/ppc64_defconfig and pseries_defconfig at v4.5 (CONFIG_HZ_100=y)' },
  gupPteRefHead: true,
  needsPgtableDeposit: true,
  boot: htab_initialize,
  interruptEntry: ppc64IpiEntry,
  sendCallFunctionIpi: arch_send_call_function_ipi_mask,
  sendCallFunctionSingleIpi: arch_send_call_function_single_ipi,
  pageShift: PAGE_SHIFT,
  pgdBytes: PGD_TABLE_BYTES,
  hpageShift: HPAGE_SHIFT,
  pgdInit,
  mapPage,
  mapHuge,
  translate,
  ptepFlushDirect: (cpu, _k, ptep, va) => ptep_get_and_clear(cpu, ptep, va),
  pmdpInvalidate: pmdp_invalidate,
  pmdpSplittingFlush: pmdp_splitting_flush,
  pmdpHugeGetAndClear: pmdp_huge_get_and_clear,
  pmdpCollapseFlush: pmdp_collapse_flush,
  ptepGetAndClear: (cpu, _k, ptep, va) => ptep_get_and_clear(cpu, ptep, va),
  // zap_pte_range's pte_update flushes each HPTE at once (no lazy-MMU batch modelled)
  ptepGetAndClearFull: (cpu, _k, ptep, va) => ptep_get_and_clear(cpu, ptep, va),
  // every pte was flushed by its own tlbie already
  tlbFlushRange: function* () { /* nothing left to flush */ },
  pt: ppc64Pgtable,
  pmdAlloc,
  gupWalkToPmd,
  pgtableDeposit: pgtable_trans_huge_deposit,
  pgtableWithdraw: pgtable_trans_huge_withdraw,
  pmdpHugeSplitPrepare: pmdp_huge_split_prepare,
};
