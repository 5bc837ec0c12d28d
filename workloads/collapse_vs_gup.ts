// collapse-vs-gup: khugepaged against GUP-fast, the race of 70cbc3cc78a9
// ("mm: gup: fix the fast GUP race against THP collapse", v6.0) and of
// 2ba99c5e0881 ("mm/khugepaged: fix GUP-fast interaction by sending IPI",
// v6.1). One process whose faults map small pages (the fault path's THP
// allocation fails, as under defrag=never on fragmented memory), and a thread
// on every CPU:
//   collapsers  khugepaged: scan the huge-page ranges in order and collapse
//               the small pages of one into a THP;
//   zappers     discard a whole huge-page range now and then (MADV_DONTNEED
//               or munmap), so that it faults back in as small pages;
//   gup CPUs    pin pages with get_user_pages_fast for a simulated direct-I/O
//               read: write a pattern through the pin, then read the buffer
//               through the process's own mapping, as the reader of the
//               data does; a write that did not reach it was lost;
//   touchers    load and store through their TLBs (the rest).
// Roles go by CPU number in that order; a zapping or pinning thread also
// touches its memory after each action.
import { user_data_check } from '../kernel-sim/kasan.js';
import type { Cpu, OopsRecord, Routine } from '../emulator/cpu.js';
import { cacheWord, Range, rangeState, setupFileArea } from '../kernel-sim/filemap.js';
import { COLLAPSE_LOG, collapse_file, collapse_pte_mapped_thp, khugepaged_scan_pmd } from '../kernel-sim/khugepaged.js';
import type { Kernel } from '../kernel-sim/kernel.js';
import { K, WORKLOAD_WORDS } from '../kernel-sim/kernel_words.js';
import { madvise_dontneed, shmem_punch_range, unmap_slot, user_access } from '../kernel-sim/memory.js';
import { dumpPage } from '../kernel-sim/mm_types.js';
import { count_vm_event, vmEvents } from '../kernel-sim/vmstat.js';
import { busy } from './ipi_storm.js';
import { gup, ownTouches, PATTERN_OFFSET, toucher } from './thp_split_vs_gup.js';
import type { Params, Workload } from './workload.js';
import * as shared from '../emulator/shared.js';

/**
 * A range's discard generation (workload words): odd while a zapper discards
 * it. A pin that saw it even and unchanged had no legitimate reason to lose data.
 */
const gen = (slot: number): number => K.WORKLOAD + slot;

function* khugepaged(k: Kernel, cpu: Cpu, p: Params): Routine {
  const hpage = k.hpageSize;
  for (let slot = 0; ; slot = (slot + 1) % k.thpSlots()) {
    cpu.loops++;
    // khugepaged_do_scan sleeps khugepaged_scan_sleep_millisecs between passes; compressed here
    yield* busy(cpu, p.scanWork!, 500);
    const haddr = k.thpBase() + slot * hpage;
    if (p.file !== 1) { yield* khugepaged_scan_pmd(cpu, k, haddr); continue; }
    // khugepaged_scan_file: a range of small pages collapses; a huge one still under a table is retracted
    const st = rangeState(k, slot);
    if (st === Range.SMALL && cachedPages(k, slot) > 0) yield* collapse_file(cpu, k, haddr);
    else if (st === Range.HUGE) yield* collapse_pte_mapped_thp(cpu, k, haddr);
  }
}

function cachedPages(k: Kernel, range: number): number {
  const n = k.arch.pt.PTRS_PER_PTE;
  let c = 0;
  for (let i = range * n; i < (range + 1) * n; i++) if (shared.load(k.machine.v.kernel, cacheWord(i)) !== 0) c++;
  return c;
}

function* zapper(k: Kernel, cpu: Cpu, p: Params): Routine {
  const hpage = k.hpageSize;
  const kw = k.machine.v.kernel;
  for (;;) {
    cpu.loops++;
    yield* busy(cpu, p.zapWork!, 500);
    const slot = cpu.random(k.thpSlots());
    const haddr = k.thpBase() + slot * hpage;
    shared.add(kw, gen(slot), 1);
    if (p.file === 1) yield* shmem_punch_range(cpu, k, haddr);
    else if (cpu.random(100) < p.munmapPercent!) yield* unmap_slot(cpu, k, haddr);
    else yield* madvise_dontneed(cpu, k, haddr, haddr + hpage);
    shared.add(kw, gen(slot), 1);
    yield* ownTouches(k, cpu, p);
  }
}

/** The discard generations of the ranges [start, start + n pages) lies in. */
function gensOf(k: Kernel, start: number, n: number): number[] {
  const hpage = k.hpageSize;
  const first = Math.floor((start - k.thpBase()) / hpage);
  const last = Math.floor((start + n * k.pageSize - 1 - k.thpBase()) / hpage);
  const out: number[] = [];
  for (let s = first; s <= last; s++) out.push(shared.load(k.machine.v.kernel, gen(s)));
  return out;
}

/**
 * The reader's check: every word written through a pin is in the process's
 * memory at its address, unless a zapper discarded the range meanwhile.
 */
function mappingCheck(k: Kernel) {
  return function* (cpu: Cpu, start: number, pinned: { pages: number[]; fast: number; pmds: number[] }, pattern: number, before: unknown): Routine {
    const was = before as number[];
    const m = k.machine;
    cpu.enter('dio_read_done'); // the reader of a direct-I/O read looks at its buffer
    for (let i = 0; i < pinned.pages.length; i++) {
      const va = start + i * k.pageSize + PATTERN_OFFSET + cpu.id * 4;
      const phys = yield* user_access(cpu, k, va, false);
      const now = gensOf(k, start, pinned.pages.length);
      if (phys < 0 || was.some((g, j) => g % 2 === 1 || now[j] !== g)) break; // discarded meanwhile: nothing to expect
      count_vm_event(m, 'dma_mapping_checks');
      const got = shared.load(m.v.mem, phys >>> 2);
      if (got === pattern) continue;
      const pfn = pinned.pages[i]!;
      user_data_check(cpu, 'DMA data corruption', () => ({
        message: `a write through the pin of 0x${(va - (va % k.pageSize)).toString(16)} is not in the process's memory: the pin holds pfn 0x${pfn.toString(16)}, the address maps pfn 0x${k.pfnOf(phys).toString(16)}`,
        details: {
          address: `0x${va.toString(16)}`, expected: hex(pattern), found: hex(got),
          pinned: dumpPage(m, pfn), mapped: dumpPage(m, k.pfnOf(phys)),
          walk: i < pinned.fast ? `GUP-fast, through pmd ${hex(pinned.pmds[i]!)}` : 'the slow path (follow_page under mmap_lock)',
        },
      }));
    }
    cpu.leave();
  };
}

const hex = (x: number): string => `0x${(x >>> 0).toString(16)}`;
const p_file = (k: Kernel): boolean => shared.load(k.machine.v.kernel, K.AREA_FILE) === 1;

export const collapseVsGup: Workload = {
  name: 'collapse-vs-gup',
  description: 'khugepaged collapsing small pages into THPs against fast_gup pins whose data is read back through the mapping, zaps and TLB-cached loads and stores',
  minCpus: 2,
  params: {
    thps: { type: 'int', default: 8, min: 1, max: 32, description: 'huge-page ranges in the area' },
    collapsers: { type: 'int', default: 1, min: 1, max: 255, description: 'CPUs that run khugepaged (the first ones)' },
    zappers: { type: 'int', default: 1, perCpu: 1 / 8, min: 0, max: 255, description: 'CPUs that discard whole ranges (the next ones)' },
    gupers: { type: 'int', default: 3, perCpu: 3 / 8, min: 1, max: 255, description: 'CPUs that pin with fast_gup (the next ones); the rest touch' },
    ownTouches: { type: 'int', default: 1, min: 0, max: 64, description: 'touches a zapping or pinning CPU makes of its memory after each action' },
    pinPages: { type: 'int', default: 8, min: 1, max: 64, description: 'most pages one gup pins' },
    dmaCycles: { type: 'int', default: 4000, min: 0, max: 10_000_000, description: 'cycles a pin is held for its transfer' },
    scanWork: { type: 'int', default: 20_000, min: 0, max: 10_000_000, description: 'cycles khugepaged waits between two ranges (its scan sleep, compressed)' },
    zapWork: { type: 'int', default: 1_000_000, min: 0, max: 100_000_000, description: 'cycles between two discards' },
    munmapPercent: { type: 'int', default: 50, min: 0, max: 100, description: 'discards that munmap the range (its page table freed) rather than MADV_DONTNEED it, percent' },
    touchWork: { type: 'int', default: 200, min: 0, max: 10_000_000, description: 'cycles between two touches' },
    file: { type: 'int', default: 0, min: 0, max: 1, description: '1: the area is a shared shmem file: khugepaged\'s collapse_file + retract_page_tables, discards punch holes' },
  },
  setup(k: Kernel, p: Params): void {
    if (p.thps! > WORKLOAD_WORDS) throw new Error('collapse-vs-gup: more ranges than workload words');
    if (p.file === 1) setupFileArea(k, p.thps!);
    else k.setupThpArea(p.thps!);
    shared.store(k.machine.v.kernel, K.FAULT_NO_THP, 1);
  },
  *program(k: Kernel, cpu: Cpu, p: Params): Routine {
    const c = p.collapsers!;
    const z = c + p.zappers!;
    if (cpu.id < c) yield* khugepaged(k, cpu, p);
    else if (cpu.id < z) yield* zapper(k, cpu, p);
    else if (cpu.id < z + p.gupers!) yield* gup(k, cpu, p, (start, n) => gensOf(k, start, n), mappingCheck(k));
    else yield* toucher(k, cpu, p);
  },
  report(k: Kernel): Record<string, unknown> {
    return { vmEvents: vmEvents(k.machine) };
  },
  explainsNamedRaces: true,
  explain(k: Kernel, oops: OopsRecord): Record<string, unknown> {
    const d = oops.details as Record<string, unknown> | undefined;
    const addr = Number.parseInt(String(d?.address ?? 'NaN'), 16);
    if (!Number.isFinite(addr)) return {};
    const hpage = k.hpageSize;
    const slot = Math.floor((addr - k.thpBase()) / hpage);
    const s = k.machine.v.scratch;
    if (slot < 0 || slot >= 32 || s[COLLAPSE_LOG + slot * 4 + 3] !== 1) return { lastCollapse: 'none recorded' };
    const by = `CPU${s[COLLAPSE_LOG + slot * 4]}`;
    const at = s[COLLAPSE_LOG + slot * 4 + 1];
    const old = s[COLLAPSE_LOG + slot * 4 + 2]!;
    const thp = `0x${(k.thpBase() + slot * hpage).toString(16)}`;
    const ptep = Number.parseInt(String(d?.ptep ?? 'NaN'), 16);
    if (Number.isFinite(ptep)) {
      // a lockless walk of a freed table: was it the one the collapse took out?
      const table = k.arch.pt.pmd_phys(old);
      const same = Math.floor(ptep / k.pageSize) === Math.floor(table / k.pageSize);
      return {
        thp,
        collapse: `${by} took pmd ${hex(old)} out at clock ${at} (pmdp_collapse_flush(), no IPI): ` +
          (p_file(k) ? 'retract_page_tables() freed the table with pte_free() at once' : 'the table was deposited, and freed at once when the THP was zapped (zap_deposited_table)'),
        walker: `CPU${oops.cpu} read that pmd with interrupts off before the flush and loaded a pte from ${same ? 'that very table' : `0x${ptep.toString(16)}`} after it was freed` +
          (same ? '' : ' (an older table of this range)'),
        fix: '2ba99c5e0881 (v6.1): tlb_remove_table_sync_one() after pmdp_collapse_flush() waits for the walker',
      };
    }
    return {
      thp,
      collapse: `${by} collapsed it at clock ${at}: pmdp_collapse_flush() cleared pmd ${hex(old)}` +
        `, found no pin on the small pages (__collapse_huge_page_isolate), copied them and freed them`,
      walker: `CPU${oops.cpu} ${String(d?.walk ?? 'pinned a page')}; ` +
        (String(d?.walk ?? '').includes(hex(old)) ? 'the pmd the collapse took away: ' : '') +
        'its pin came after the pin check and its pte re-check saw the pte still there, so it kept the old page',
      lost: `the transfer went to the old page; the process reads the THP's copy, made before it`,
      fix: '70cbc3cc78a9 (v6.0): GUP-fast re-checks the pmd',
    };
  },
};
