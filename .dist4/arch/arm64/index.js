import { HPAGE_SHIFT, PAGE_SHIFT, TABLE_BYTES } from './pgtable.js';
import { arm64Pgtable, gupWalkToPmd, pmdAlloc, pmdp_splitting_flush } from './pgtable_ops.js';
import { arch_send_call_function_ipi_mask, arch_send_call_function_single_ipi, gicHandleIrq } from './smp.js';
import { pmdp_huge_get_and_clear, pmdp_invalidate, ptep_clear_flush, ptep_get_and_clear, tlb_flush } from './tlbflush.js';
import { mapHuge, mapPage, pgdInit, translate } from './walk.js';
export const arm64 = {
    name: 'arm64',
    description: 'arm64 (ARMv8-A, 4 KiB pages, 3 levels): TLB invalidation is a TLBI ...IS broadcast that interrupts nobody; IPIs are GICv3 SGIs',
    tlbFlush: 'broadcast',
    gupSpeculative: true,
    spinlock: { kind: 'queued', source: 'arch/arm64/include/asm/spinlock.h at v4.5: a ticket lock (owner and next halves), served in order' },
    hz: { value: 250, handler: 'arch_timer_handler_phys', source: 'arch/arm64/configs/defconfig at v4.5 sets no CONFIG_HZ_*: kernel/Kconfig.hz `default HZ_250`' },
    // gup_pte_range of the generic fast GUP takes its reference on compound_head(page) (v4.5 mm/gup.c)
    gupPteRefHead: true,
    interruptEntry: gicHandleIrq,
    sendCallFunctionIpi: arch_send_call_function_ipi_mask,
    sendCallFunctionSingleIpi: arch_send_call_function_single_ipi,
    pageShift: PAGE_SHIFT,
    pgdBytes: TABLE_BYTES,
    hpageShift: HPAGE_SHIFT,
    pgdInit,
    mapPage,
    mapHuge,
    translate,
    ptepFlushDirect: (cpu, _k, ptep, va) => ptep_clear_flush(cpu, ptep, va),
    // the generic pmdp_invalidate, with the address exactly as the caller passes it
    pmdpInvalidate: (cpu, _k, pmdp, va) => pmdp_invalidate(cpu, pmdp, va),
    pmdpSplittingFlush: (cpu, k, pmdp) => pmdp_splitting_flush(cpu, k, pmdp),
    pmdpHugeGetAndClear: (cpu, _k, pmdp, va) => pmdp_huge_get_and_clear(cpu, pmdp, va),
    ptepGetAndClear: (cpu, _k, ptep, va) => ptep_clear_flush(cpu, ptep, va),
    // zap_pte_range clears; tlb_finish_mmu's tlb_flush purges the range before the pages go
    ptepGetAndClearFull: (cpu, _k, ptep) => ptep_get_and_clear(cpu, ptep),
    tlbFlushRange: (cpu, _k, start, end) => tlb_flush(cpu, start, end),
    pt: arm64Pgtable,
    pmdAlloc,
    gupWalkToPmd,
};
//# sourceMappingURL=index.js.map