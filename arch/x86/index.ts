// The x86-64 control: TLB flushes of other CPUs are IPIs that are waited for.
import type { Arch } from '../arch.js';
import { HPAGE_SHIFT, TABLE_BYTES } from './pgtable.js';
import { callFunctionInterrupt, native_send_call_func_ipi, native_send_call_func_single_ipi } from './smp.js';
import { gupWalkToPmd, pmdAlloc, pmdp_collapse_flush, pmdp_huge_get_and_clear, pmdp_splitting_flush, x86Pgtable } from './pgtable_ops.js';
import { flush_tlb_func, flush_tlb_mm_range, pmdp_invalidate, ptep_clear_flush, ptep_get_and_clear_full } from './tlb.js';
import { mapHuge, mapPage, pgdInit, translate } from './walk.js';

const HPAGE_SIZE = 2 ** HPAGE_SHIFT;

export const x86: Arch = {
  name: 'x86',
  description: 'x86-64: TLB shootdown by IPI (flush_tlb_others), which waits for CPUs with interrupts off',
  tlbFlush: 'ipi',
  gupSpeculative: false,
  spinlock: { kind: 'queued', source: 'arch/x86/Kconfig at v4.5 selects ARCH_USE_QUEUED_SPINLOCKS: kernel/locking/qspinlock.c queues waiters (MCS), served in order' },
  hz: { value: 1000, handler: 'smp_apic_timer_interrupt', source: 'arch/x86/configs/x86_64_defconfig at v4.5 (CONFIG_HZ_1000=y)' },
  init: (k) => k.registerSmpFunc('flush_tlb_func', flush_tlb_func),
  interruptEntry: callFunctionInterrupt,
  sendCallFunctionIpi: native_send_call_func_ipi,
  sendCallFunctionSingleIpi: native_send_call_func_single_ipi,
  pageShift: 12,
  pgdBytes: TABLE_BYTES,
  hpageShift: HPAGE_SHIFT,
  pgdInit,
  mapPage,
  mapHuge,
  translate,
  ptepFlushDirect: ptep_clear_flush,
  pmdpInvalidate: (cpu, k, pmdp, va) => pmdp_invalidate(cpu, k, pmdp, va, HPAGE_SIZE),
  pmdpSplittingFlush: pmdp_splitting_flush,
  pmdpHugeGetAndClear: pmdp_huge_get_and_clear,
  pmdpCollapseFlush: pmdp_collapse_flush,
  ptepGetAndClear: ptep_clear_flush,
  ptepGetAndClearFull: ptep_get_and_clear_full,
  tlbFlushRange: flush_tlb_mm_range,
  pt: x86Pgtable,
  pmdAlloc,
  gupWalkToPmd,
};
