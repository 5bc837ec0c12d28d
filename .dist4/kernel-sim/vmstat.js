import { K } from './kernel_words.js';
export const VM_EVENT_NAMES = [
    'thp_fault_alloc', 'thp_fault_fallback', 'thp_split_pmd', 'thp_split_page', 'thp_split_page_failed',
    'thp_deferred_split_page', 'pgfault', 'gup_fast_pages', 'gup_slow_pages', 'dma_transfers', 'madvise_dontneed',
    'munmap',
];
export function count_vm_event(m, e, n = 1) {
    Atomics.add(m.v.kernel, K.VM_EVENTS + VM_EVENT_NAMES.indexOf(e), n);
}
export function vmEvents(m) {
    return Object.fromEntries(VM_EVENT_NAMES.map((n, i) => [n, Atomics.load(m.v.kernel, K.VM_EVENTS + i)]));
}
//# sourceMappingURL=vmstat.js.map