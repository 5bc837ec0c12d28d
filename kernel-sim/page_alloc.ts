// The page allocator, reduced from mm/page_alloc.c (Linux v4.5) to the two
// orders the THP story needs: order 0, and the arch's huge-page order (s390:
// a 1 MiB segment of 4 KiB pages, order 8; ppc64: 16 MiB of 64 KiB pages, order 8). Memory is cut into blocks of the huge order. A
// whole free block serves a THP; a block broken up serves order-0 pages from
// its own stack, LIFO, so a freed frame is the next one handed out, as page
// tables or data alike; a block whose frames are all free again becomes whole.
// Frees run free_pages_check(); a failure is the kernel's "Bad page state".
import { BUG_AT } from './bug_sites.js';
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { kwordAddr } from '../emulator/kaddr.js';
import { BLOCK_META, type Machine } from '../emulator/machine.js';
import { K } from './kernel_words.js';
import { dumpPage, Owner, P, PG_dirty, PG_double_map, PG_head, PG_locked, pw } from './mm_types.js';
import { spin_lock, spin_unlock } from './spinlock.js';
import * as shared from '../emulator/shared.js';

// blockMeta fields
const STATE = 0;   // BlockState
const NFREE = 1;   // free frames on the block's stack (broken blocks)
const PARTIAL = 2; // 1 while on the partial stack

const BlockState = { WHOLE_FREE: 0, BROKEN: 1, WHOLE_USED: 2, BOOT: 3 } as const;

export class OutOfMemory extends Error {
  override name = 'OutOfMemory';
}

function blockOrder(m: Machine): number {
  return shared.load(m.v.kernel, K.BLOCK_ORDER);
}

/**
 * Boot: the first `bootBytes` (rounded up to blocks) stay memblock memory for
 * setup-time tables; every other block goes on the free stack.
 */
export function initPageAlloc(m: Machine, order: number, bootBytes: number): void {
  const kw = m.v.kernel;
  const perBlock = 1 << order;
  const nblocks = Math.floor(m.frames / perBlock);
  const first = Math.ceil(bootBytes / (perBlock * m.pageBytes));
  if (first >= nblocks) throw new OutOfMemory('simulated memory too small for the boot tables');
  shared.store(kw, K.BLOCK_ORDER, order);
  shared.store(kw, K.FIRST_BLOCK, first);
  shared.store(kw, K.NR_BLOCKS, nblocks);
  for (let pfn = 0; pfn < m.frames; pfn++) {
    m.v.pages[pw(pfn, P.MAPCOUNT)] = -1;
    m.v.pages[pw(pfn, P.COMPOUND_MAPCOUNT)] = -1;
    m.v.pages[pw(pfn, P.OWNER)] = pfn < first * perBlock ? Owner.BOOT : Owner.FREE;
  }
  let n = 0;
  // highest blocks last on the stack, so the lowest block is handed out first
  for (let b = nblocks - 1; b >= first; b--) {
    m.v.blockMeta[b * BLOCK_META + STATE] = BlockState.WHOLE_FREE;
    m.v.freeBlocks[n++] = b;
  }
  for (let b = 0; b < first; b++) m.v.blockMeta[b * BLOCK_META + STATE] = BlockState.BOOT;
  shared.store(kw, K.NR_FREE_BLOCKS, n);
}

/** memblock_alloc: setup-time memory, `bytes` aligned to its power-of-two size, never freed. */
export function memblock_alloc(m: Machine, bytes: number): number {
  const kw = m.v.kernel;
  const page = m.pageBytes;
  const align = Math.max(page, 2 ** Math.ceil(Math.log2(bytes)));
  const limit = shared.load(kw, K.FIRST_BLOCK) * (1 << blockOrder(m)) * page;
  const cur = shared.load(kw, K.BOOT_NEXT);
  const start = Math.ceil(Math.max(cur, page) / align) * align; // frame 0 stays unused: 0 is "no table"
  if (start + bytes > limit) throw new OutOfMemory(`memblock: no room for ${bytes} bytes below 0x${limit.toString(16)}`);
  shared.store(kw, K.BOOT_NEXT, start + bytes);
  return start;
}

function newPage(m: Machine, pfn: number, owner: number): void {
  const pg = m.v.pages;
  shared.store(pg, pw(pfn, P.COUNT), 1); // set_page_refcounted
  shared.store(pg, pw(pfn, P.OWNER), owner);
}

function popWhole(m: Machine): number {
  const kw = m.v.kernel;
  const n = shared.load(kw, K.NR_FREE_BLOCKS);
  if (n === 0) return -1;
  shared.store(kw, K.NR_FREE_BLOCKS, n - 1);
  return m.v.freeBlocks[n - 1]!;
}

function pushPartial(m: Machine, b: number): void {
  const meta = m.v.blockMeta;
  if (meta[b * BLOCK_META + PARTIAL]) return;
  meta[b * BLOCK_META + PARTIAL] = 1;
  const n = shared.load(m.v.kernel, K.NR_PARTIAL);
  m.v.partialBlocks[n] = b;
  shared.store(m.v.kernel, K.NR_PARTIAL, n + 1);
}

/** An order-0 frame from a broken block, breaking a whole one if none has free frames. */
function takeSmall(m: Machine): number {
  const kw = m.v.kernel;
  const meta = m.v.blockMeta;
  const per = 1 << blockOrder(m);
  for (;;) {
    const n = shared.load(kw, K.NR_PARTIAL);
    if (n === 0) {
      const b = popWhole(m);
      if (b < 0) return -1;
      meta[b * BLOCK_META + STATE] = BlockState.BROKEN;
      meta[b * BLOCK_META + NFREE] = per;
      // stack the block's frames so the lowest is taken first
      for (let i = 0; i < per; i++) m.v.blockStack[b * per + i] = b * per + (per - 1 - i);
      pushPartial(m, b);
      continue;
    }
    const b = m.v.partialBlocks[n - 1]!;
    const nfree = meta[b * BLOCK_META + NFREE]!;
    if (meta[b * BLOCK_META + STATE] !== BlockState.BROKEN || nfree === 0) {
      // became whole again or ran dry: drop it from the partial stack
      meta[b * BLOCK_META + PARTIAL] = 0;
      shared.store(kw, K.NR_PARTIAL, n - 1);
      continue;
    }
    meta[b * BLOCK_META + NFREE] = nfree - 1;
    return m.v.blockStack[b * per + nfree - 1]!;
  }
}

/** alloc_pages(gfp, order): order 0 or the huge order; the pfn, or -1 when memory is exhausted. */
export function* alloc_pages(cpu: Cpu, order: number, owner: number): Fn<number> {
  const m = cpu.machine;
  cpu.enter('alloc_pages');
  yield* spin_lock(cpu, K.ZONE_LOCK);
  yield cpu.ev(Ev.atomic, kwordAddr(K.NR_FREE_BLOCKS));
  let pfn: number;
  if (order === 0) {
    pfn = takeSmall(m);
  } else {
    if (order !== blockOrder(m)) throw new Error(`alloc_pages: order ${order} is not modelled (0 or ${blockOrder(m)})`);
    const b = popWhole(m);
    if (b >= 0) m.v.blockMeta[b * BLOCK_META + STATE] = BlockState.WHOLE_USED;
    pfn = b < 0 ? -1 : b << order;
  }
  yield* spin_unlock(cpu, K.ZONE_LOCK);
  if (pfn >= 0) {
    newPage(m, pfn, owner);
    if (order > 0) prepCompoundPage(m, pfn, order, owner);
  }
  cpu.leave();
  return pfn;
}

/** prep_compound_page: head flag and order, tails pointing at the head with no count of their own. */
function prepCompoundPage(m: Machine, head: number, order: number, owner: number): void {
  const pg = m.v.pages;
  shared.or(pg, pw(head, P.FLAGS), PG_head);
  shared.store(pg, pw(head, P.ORDER), order);
  shared.store(pg, pw(head, P.COMPOUND_MAPCOUNT), -1);
  for (let i = 1; i < 1 << order; i++) {
    shared.store(pg, pw(head + i, P.COMPOUND_HEAD), head + 1);
    shared.store(pg, pw(head + i, P.OWNER), owner);
  }
}

/** free_pages_check: what makes a page bad to free (mm/page_alloc.c, v4.5). */
function badReason(m: Machine, pfn: number): string | null {
  const f = (x: number) => shared.load(m.v.pages, pw(pfn, x));
  if (f(P.MAPCOUNT) !== -1) return 'nonzero mapcount';
  if (f(P.COUNT) !== 0) return 'nonzero _count';
  if (f(P.FLAGS) & (PG_locked | PG_double_map)) return 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set';
  if (f(P.OWNER) === Owner.FREE) return 'page already free';
  return null;
}

function clearPage(m: Machine, pfn: number, cpu: Cpu): void {
  const pg = m.v.pages;
  if (cpu.tracer !== null) cpu.note(shared.load(pg, pw(pfn, P.OWNER)) === Owner.PGTABLE ? 'page table freed' : 'page freed', { pfn: `0x${pfn.toString(16)}` });
  shared.store(pg, pw(pfn, P.FREED_BY), cpu.id + 1);
  shared.store(pg, pw(pfn, P.FREED_KCYCLE), Math.floor(cpu.clock / 1000));
  shared.store(pg, pw(pfn, P.FLAGS), 0);
  shared.store(pg, pw(pfn, P.COMPOUND_HEAD), 0);
  shared.store(pg, pw(pfn, P.ORDER), 0);
  shared.store(pg, pw(pfn, P.COMPOUND_MAPCOUNT), -1);
  shared.store(pg, pw(pfn, P.FREED_AT), shared.add(m.v.kernel, K.FREE_SEQ, 1) + 1);
  shared.store(pg, pw(pfn, P.OWNER), Owner.FREE);
}

/** __free_pages(page, order): checks every page, then returns the frames. */
export function* __free_pages(cpu: Cpu, pfn: number, order: number): Fn<void> {
  const m = cpu.machine;
  cpu.enter('__free_pages');
  for (let i = 0; i < 1 << order; i++) {
    const why = badReason(m, pfn + i);
    if (why) {
      cpu.enter('bad_page');
      cpu.oops('Bad page state', `BUG: Bad page state: ${why}`, { page: dumpPage(m, pfn + i), reason: why, at: BUG_AT.bad_page });
    }
  }
  for (let i = 0; i < 1 << order; i++) clearPage(m, pfn + i, cpu);
  shared.and(m.v.pages, pw(pfn, P.FLAGS), ~(PG_head | PG_dirty));
  yield* spin_lock(cpu, K.ZONE_LOCK);
  yield cpu.ev(Ev.atomic, kwordAddr(K.NR_FREE_BLOCKS));
  const bo = blockOrder(m);
  const per = 1 << bo;
  const b = pfn >> bo;
  const meta = m.v.blockMeta;
  if (order === bo) {
    meta[b * BLOCK_META + STATE] = BlockState.WHOLE_FREE;
    const n = shared.load(m.v.kernel, K.NR_FREE_BLOCKS);
    m.v.freeBlocks[n] = b;
    shared.store(m.v.kernel, K.NR_FREE_BLOCKS, n + 1);
  } else {
    // the frames of a split THP come back one by one into its block
    if (meta[b * BLOCK_META + STATE] !== BlockState.BROKEN) {
      meta[b * BLOCK_META + STATE] = BlockState.BROKEN;
      meta[b * BLOCK_META + NFREE] = 0;
    }
    const nfree = meta[b * BLOCK_META + NFREE]!;
    m.v.blockStack[b * per + nfree] = pfn;
    meta[b * BLOCK_META + NFREE] = nfree + 1;
    if (nfree + 1 === per) {
      // every frame of the block is free again: it can serve a THP
      meta[b * BLOCK_META + STATE] = BlockState.WHOLE_FREE;
      const n = shared.load(m.v.kernel, K.NR_FREE_BLOCKS);
      m.v.freeBlocks[n] = b;
      shared.store(m.v.kernel, K.NR_FREE_BLOCKS, n + 1);
    } else pushPartial(m, b);
  }
  yield* spin_unlock(cpu, K.ZONE_LOCK);
  cpu.leave();
}

/** Free frames (for reports and the tests' conservation checks). */
export function nrFreePages(m: Machine): number {
  const bo = blockOrder(m);
  let n = shared.load(m.v.kernel, K.NR_FREE_BLOCKS) << bo;
  const nb = shared.load(m.v.kernel, K.NR_BLOCKS);
  for (let b = 0; b < nb; b++) if (m.v.blockMeta[b * BLOCK_META + STATE] === BlockState.BROKEN) n += m.v.blockMeta[b * BLOCK_META + NFREE]!;
  return n;
}
