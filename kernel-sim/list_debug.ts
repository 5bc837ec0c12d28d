// struct list_head kept in simulated memory, as a kernel structure that lives
// in a page's own frame does (s390's deposited page tables: arch/s390/mm/pgtable.c
// of v4.5 makes the table's first 16 bytes a list_head), with the checks of
// CONFIG_DEBUG_LIST (lib/list_debug.c, v4.5): __list_add and __list_del_entry
// WARN on a corrupted neighbour and, for a delete, leave the entry where it is.
// Pointers are the kernel's identity-mapped addresses, as big-endian doublewords.
import type { Cpu } from '../emulator/cpu.js';
import { BUG_AT } from './bug_sites.js';
import { kernel_load, kernel_store } from './kernel_access.js';

/** include/linux/poison.h, v4.5 (s390 sets no CONFIG_ILLEGAL_POINTER_VALUE: POISON_POINTER_DELTA 0) */
export const LIST_POISON1 = 0x100;
export const LIST_POISON2 = 0x200;

const NEXT = 0;
const PREV = 8;
// %p of v4.5: 16 hex digits, no 0x
const hex = (x: number): string => (x >>> 0).toString(16).padStart(16, '0');

export function INIT_LIST_HEAD(cpu: Cpu, lh: number): void {
  kernel_store(cpu, lh + NEXT, lh);
  kernel_store(cpu, lh + PREV, lh);
}

export const list_empty = (cpu: Cpu, lh: number): boolean => kernel_load(cpu, lh + NEXT) === lh;

/** list_add(new, head): __list_add(new, head, head->next) with v4.5's three WARNs. */
export function list_add(cpu: Cpu, entry: number, head: number): void {
  const prev = head;
  const next = kernel_load(cpu, head + NEXT);
  const nextPrev = kernel_load(cpu, next + PREV);
  if (nextPrev !== prev) {
    cpu.warn('list_add corruption', `list_add corruption. next->prev should be prev (${hex(prev)}), but was ${hex(nextPrev)}. (next=${hex(next)}).`, '__list_add', { at: BUG_AT.list_add_next_prev });
  }
  const prevNext = kernel_load(cpu, prev + NEXT);
  if (prevNext !== next) {
    cpu.warn('list_add corruption', `list_add corruption. prev->next should be next (${hex(next)}), but was ${hex(prevNext)}. (prev=${hex(prev)}).`, '__list_add', { at: BUG_AT.list_add_prev_next });
  }
  if (entry === prev || entry === next) {
    cpu.warn('list_add double add', `list_add double add: new=${hex(entry)}, prev=${hex(prev)}, next=${hex(next)}.`, '__list_add', { at: BUG_AT.list_add_double });
  }
  kernel_store(cpu, next + PREV, entry);
  kernel_store(cpu, entry + NEXT, next);
  kernel_store(cpu, entry + PREV, prev);
  kernel_store(cpu, prev + NEXT, entry);
}

/** list_del(entry): __list_del_entry, then the entry is poisoned (whether or not it was unlinked). */
export function list_del(cpu: Cpu, entry: number): void {
  cpu.enter('__list_del_entry');
  try {
    __list_del_entry(cpu, entry);
  } finally {
    cpu.leave();
  }
  kernel_store(cpu, entry + NEXT, LIST_POISON1);
  kernel_store(cpu, entry + PREV, LIST_POISON2);
}

/** __list_del_entry: v4.5's four WARNs (after one, nothing is unlinked), else the unlink. */
function __list_del_entry(cpu: Cpu, entry: number): void {
  const next = kernel_load(cpu, entry + NEXT);
  const prev = kernel_load(cpu, entry + PREV);
  const warned = ((): boolean => {
    if (next === LIST_POISON1) return cpu.warn('list_del corruption', `list_del corruption, ${hex(entry)}->next is LIST_POISON1 (${hex(LIST_POISON1)})`, '__list_del_entry', { at: BUG_AT.list_del_poison1 });
    if (prev === LIST_POISON2) return cpu.warn('list_del corruption', `list_del corruption, ${hex(entry)}->prev is LIST_POISON2 (${hex(LIST_POISON2)})`, '__list_del_entry', { at: BUG_AT.list_del_poison2 });
    const prevNext = kernel_load(cpu, prev + NEXT);
    if (prevNext !== entry) return cpu.warn('list_del corruption', `list_del corruption. prev->next should be ${hex(entry)}, but was ${hex(prevNext)}`, '__list_del_entry', { at: BUG_AT.list_del_prev_next });
    const nextPrev = kernel_load(cpu, next + PREV);
    if (nextPrev !== entry) return cpu.warn('list_del corruption', `list_del corruption. next->prev should be ${hex(entry)}, but was ${hex(nextPrev)}`, '__list_del_entry', { at: BUG_AT.list_del_next_prev });
    return false;
  })();
  if (warned) return;
  kernel_store(cpu, next + PREV, prev);
  kernel_store(cpu, prev + NEXT, next);
}
