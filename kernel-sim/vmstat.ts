// vm event counters (include/linux/vm_event_item.h, v4.5), the ones this mm counts.
import type { Machine } from '../emulator/machine.js';
import { K } from './kernel_words.js';
import * as shared from '../emulator/shared.js';

export const VM_EVENT_NAMES = [
  'thp_fault_alloc', 'thp_fault_fallback', 'thp_split_pmd', 'thp_split_page', 'thp_split_page_failed',
  'thp_deferred_split_page', 'pgfault', 'gup_fast_pages', 'gup_slow_pages', 'dma_transfers', 'madvise_dontneed',
  'munmap', 'thp_collapse_alloc', 'thp_collapse_alloc_failed', 'khugepaged_scan_failed', 'khugepaged_isolate_failed',
  'khugepaged_pinned', 'dma_mapping_checks', 'khugepaged_retract', 'khugepaged_retract_busy',
] as const;
export type VmEvent = (typeof VM_EVENT_NAMES)[number];

export function count_vm_event(m: Machine, e: VmEvent, n = 1): void {
  shared.add(m.v.kernel, K.VM_EVENTS + VM_EVENT_NAMES.indexOf(e), n);
}

export function vmEvents(m: Machine): Record<VmEvent, number> {
  return Object.fromEntries(VM_EVENT_NAMES.map((n, i) => [n, shared.load(m.v.kernel, K.VM_EVENTS + i)])) as Record<VmEvent, number>;
}
