// struct page in shared memory, one PAGE_WORDS record per base-page frame, with
// the fields of include/linux/mm_types.h (Linux v4.5) the mm code here uses,
// plus a KASAN-like shadow: OWNER, and FREED_AT, the machine-wide free
// sequence number of the frame's last free, so a pin or a TLB entry that
// outlives its page is caught when it is used.
import { VMEMMAP } from '../emulator/kaddr.js';
import type { Machine } from '../emulator/machine.js';
import { K } from './kernel_words.js';
import * as shared from '../emulator/shared.js';

const K_FREE_SEQ = K.FREE_SEQ;

export const PAGE_WORDS = 10;
/** The kernel address of frame `pfn`'s struct page (the vmemmap array), an event's argument. */
export const pageAddr = (pfn: number): number => VMEMMAP + pfn * PAGE_WORDS * 4;
export const P = {
  FLAGS: 0,
  COUNT: 1,            // _count
  MAPCOUNT: 2,         // _mapcount, -1 when unmapped
  COMPOUND_HEAD: 3,    // tail pages: head pfn + 1 (v4.5 compound_head with bit 0 set); 0 otherwise
  COMPOUND_MAPCOUNT: 4, // on the head (v4.5 keeps it in the first tail page), -1 when not PMD-mapped
  ORDER: 5,            // compound_order, on the head
  FREED_AT: 6,         // shadow: free sequence number of the last free, 0 if never freed
  OWNER: 7,            // shadow: who has the frame (Owner)
  FREED_BY: 8,         // shadow: CPU + 1 that last freed it
  FREED_KCYCLE: 9,     // shadow: that CPU's clock then, in thousands of cycles
} as const;

// page flags (include/linux/page-flags.h, v4.5), by bit
export const PG_locked = 1 << 0;
export const PG_head = 1 << 1;
export const PG_double_map = 1 << 2;
export const PG_dirty = 1 << 3;

export const Owner = { FREE: 0, ANON: 1, PGTABLE: 2, BOOT: 3, FILE: 4 } as const;
export const OWNER_NAMES = ['free', 'anon', 'page-table', 'boot', 'file'] as const;

/** Word index of field `f` of the struct page of frame `pfn`. */
export const pw = (pfn: number, f: number): number => pfn * PAGE_WORDS + f;

export function pageField(m: Machine, pfn: number, f: number): number {
  return shared.load(m.v.pages, pw(pfn, f));
}

/** compound_head(): the head's pfn for a tail page, else the page itself. */
export function compoundHead(m: Machine, pfn: number): number {
  const h = shared.load(m.v.pages, pw(pfn, P.COMPOUND_HEAD));
  return h === 0 ? pfn : h - 1;
}

/** The machine's free sequence number now: a frame with FREED_AT above it was freed after this. */
export function freeSeq(m: Machine): number {
  return shared.load(m.v.kernel, K_FREE_SEQ);
}

/** Whether frame `pfn` was freed after free sequence number `seq`. */
export function freedSince(m: Machine, pfn: number, seq: number): boolean {
  return shared.load(m.v.pages, pw(pfn, P.FREED_AT)) > seq;
}

/** dump_page(): the fields a "page dumped because" line shows. */
export function dumpPage(m: Machine, pfn: number): Record<string, number | string> {
  const f = (x: number) => pageField(m, pfn, x);
  const head = compoundHead(m, pfn);
  const flags = f(P.FLAGS);
  const names = [[PG_locked, 'locked'], [PG_head, 'head'], [PG_double_map, 'double_map'], [PG_dirty, 'dirty']]
    .filter(([b]) => flags & (b as number)).map(([, n]) => n);
  return {
    page: `pfn 0x${pfn.toString(16)} (phys 0x${(pfn * m.pageBytes).toString(16)})`,
    count: f(P.COUNT),
    mapcount: f(P.MAPCOUNT),
    compound_head: head === pfn ? '-' : `pfn 0x${head.toString(16)}`,
    compound_mapcount: pageField(m, head, P.COMPOUND_MAPCOUNT),
    order: pageField(m, head, P.ORDER),
    flags: names.join('|') || '0',
    owner: OWNER_NAMES[f(P.OWNER)] ?? '?',
    freedAtSeq: f(P.FREED_AT),
    ...(f(P.FREED_BY) ? { lastFreedBy: `CPU${f(P.FREED_BY) - 1} at clock ~${f(P.FREED_KCYCLE)}k` } : {}),
  };
}
