// thp-split-vs-gup, the 2016 reproducer. One process with a THP-backed area
// and a thread on every CPU:
//   splitters  split huge pages the ways the kernel does: MADV_DONTNEED of part
//              of one (split_huge_pmd, then the ptes go and the THP waits on the
//              deferred split queue), the deferred-split shrinker
//              (split_huge_page frees what was unmapped), and munmap+mmap of a
//              whole one (the next touch faults a fresh THP);
//   gup CPUs   pin pages with get_user_pages_fast for simulated direct I/O:
//              write a pattern through the pin, check it, release;
//   touchers   load and store through their TLBs.
// Roles go by CPU number: the first `splitters`, then `gupers`, the rest touch.
// The default roles are shares of the CPUs (a quarter split, three eighths
// pin: 2, 3 and 3 at 8 CPUs), and a splitting or pinning thread also touches
// its memory after each action, as every thread of a real process does: a
// 2-CPU machine has a CPU that loads and stores through its TLB too.
import { kasan_report, user_data_check } from '../kernel-sim/kasan.js';
import type { Cpu, Fn, Routine } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import type { OopsRecord } from '../emulator/cpu.js';
import { get_user_pages_fast, type GupResult } from '../kernel-sim/gup.js';
import { deferred_split_scan, SPLIT_LOG } from '../kernel-sim/huge_memory.js';
import type { Kernel } from '../kernel-sim/kernel.js';
import { madvise_dontneed, unmap_slot, user_access } from '../kernel-sim/memory.js';
import { put_page } from '../kernel-sim/mm.js';
import { dumpPage, freedSince, freeSeq, Owner, P, pw } from '../kernel-sim/mm_types.js';
import { local_irq_disable, local_irq_enable } from '../kernel-sim/irqflags.js';
import { count_vm_event, vmEvents } from '../kernel-sim/vmstat.js';
import { busy } from './ipi_storm.js';
import { K } from '../kernel-sim/kernel_words.js';
import type { Params, Workload } from './workload.js';
import * as shared from '../emulator/shared.js';

export const PATTERN_OFFSET = 1024; // DMA writes here (+ 4 * cpu); touchers write at 4 * cpu

function* splitter(k: Kernel, cpu: Cpu, p: Params): Routine {
  const hpage = k.hpageSize;
  const ppp = hpage / k.pageSize;
  for (;;) {
    cpu.loops++;
    yield busy(cpu, p.splitWork!, 500);
    const haddr = k.thpBase() + cpu.random(k.thpSlots()) * hpage;
    const r = cpu.random(100);
    if (r < p.dontneedPercent!) {
      const n = 1 + cpu.random(16);
      const off = cpu.random(ppp - n);
      yield madvise_dontneed(cpu, k, haddr + off * k.pageSize, haddr + (off + n) * k.pageSize);
    } else if (r < p.dontneedPercent! + p.shrinkPercent!) {
      yield deferred_split_scan(cpu, k);
    } else {
      yield unmap_slot(cpu, k, haddr);
    }
    yield ownTouches(k, cpu, p);
  }
}

/** A splitting or pinning thread touching its memory after an action (`ownTouches` of them). */
export function* ownTouches(k: Kernel, cpu: Cpu, p: Params): Routine {
  for (let i = 0; i < p.ownTouches!; i++) yield touch(k, cpu);
}

/** One load or store at a random page of the area: user_access itself (no generator of its own, so one level fewer to resume at each of its steps). */
export function touch(k: Kernel, cpu: Cpu): Fn<number> {
  const area = k.thpSlots() * (k.hpageSize / k.pageSize);
  const va = k.thpBase() + cpu.random(area) * k.pageSize + cpu.id * 4;
  return user_access(cpu, k, va, cpu.random(2) === 0, cpu.id);
}

/**
 * What a pinning thread checks once its transfer is done and before it lets
 * go of the pins: the process's own view of the buffer (collapse-vs-gup).
 */
export type AfterDma = (cpu: Cpu, start: number, pinned: GupResult, pattern: number, before: unknown) => Routine;

/**
 * A pinning thread: get_user_pages_fast over a few pages, a simulated DMA
 * write of a pattern through each pin, read back through the pin; `before`
 * is taken just before the pin and handed to `after` with the pages.
 */
export function* gup(k: Kernel, cpu: Cpu, p: Params, before?: (start: number, n: number) => unknown, after?: AfterDma): Routine {
  const m = k.machine;
  const area = k.thpSlots() * (k.hpageSize / k.pageSize);
  let serial = 0;
  for (;;) {
    cpu.loops++;
    const n = 1 + cpu.random(p.pinPages!);
    const start = k.thpBase() + cpu.random(area - n) * k.pageSize;
    const token = before?.(start, n);
    const pinned = (yield get_user_pages_fast(cpu, k, start, n, true)) as GupResult;
    const { pages } = pinned;
    // shadow: no pinned frame may be freed after this point while the pin lasts
    const seq = freeSeq(m);
    const pattern = ((cpu.id << 24) | (++serial & 0xffffff)) | 0;
    yield busy(cpu, p.dmaCycles! >> 1, 500);
    cpu.enter('dma_transfer');
    for (let i = 0; i < pages.length; i++) {
      const pfn = pages[i]!;
      const addr = k.physOf(pfn) + PATTERN_OFFSET + cpu.id * 4;
      yield cpu.ev(Ev.store, addr);
      checkPin(cpu, pfn, seq, start + i * k.pageSize);
      shared.store(m.v.mem, addr >>> 2, pattern);
    }
    yield busy(cpu, p.dmaCycles! >> 1, 500);
    for (let i = 0; i < pages.length; i++) {
      const pfn = pages[i]!;
      const addr = k.physOf(pfn) + PATTERN_OFFSET + cpu.id * 4;
      yield cpu.ev(Ev.load, addr);
      checkPin(cpu, pfn, seq, start + i * k.pageSize);
      const got = shared.load(m.v.mem, addr >>> 2);
      if (got !== pattern) {
        user_data_check(cpu, 'DMA data corruption', () => ({
          message: `pinned page pfn 0x${pfn.toString(16)} lost the pattern written through the pin`,
          details: { expected: hex(pattern), found: hex(got), page: dumpPage(m, pfn) },
        }));
      }
    }
    cpu.leave();
    count_vm_event(m, 'dma_transfers');
    if (after) yield after(cpu, start, pinned, pattern, token);
    for (const pfn of pages) yield put_page(cpu, pfn);
    yield ownTouches(k, cpu, p);
  }
}

/** KASAN-like: a pinned frame must still be the page that was pinned. */
function checkPin(cpu: Cpu, pfn: number, seq: number, va: number): void {
  const m = cpu.machine;
  const owner = shared.load(m.v.pages, pw(pfn, P.OWNER));
  if (!freedSince(m, pfn, seq) && (owner === Owner.ANON || owner === Owner.FILE)) return;
  kasan_report(cpu, 'KASAN: use-after-free', () => ({
    message: `DMA through a pin of 0x${va.toString(16)} to a page freed since it was pinned`,
    details: { address: `0x${va.toString(16)}`, page: dumpPage(m, pfn), freeSeqAtPin: seq },
  }));
}

export function* toucher(k: Kernel, cpu: Cpu, p: Params): Routine {
  for (;;) {
    cpu.loops++;
    yield touch(k, cpu);
    yield busy(cpu, p.touchWork!, 500);
  }
}

/**
 * A CPU of another process: it never runs this mm (not in mm_cpumask), and
 * spends part of its time with interrupts off (its own system calls), where a
 * THP serialisation IPI sent to every CPU has to wait for it.
 */
function* bystander(cpu: Cpu, p: Params): Routine {
  for (;;) {
    cpu.loops++;
    yield busy(cpu, p.touchWork!, 500);
    yield local_irq_disable(cpu);
    yield busy(cpu, p.touchWork!, 500);
    yield local_irq_enable(cpu);
  }
}

const hex = (x: number): string => `0x${(x >>> 0).toString(16)}`;

export const thpSplitVsGup: Workload = {
  name: 'thp-split-vs-gup',
  description: 'THP splits (MADV_DONTNEED, deferred split, munmap) against fast_gup pins and TLB-cached loads and stores',
  minCpus: 2,
  params: {
    thps: { type: 'int', default: 8, min: 1, max: 32, description: 'huge pages in the THP area' },
    splitters: { type: 'int', default: 2, perCpu: 1 / 4, min: 1, max: 255, description: 'CPUs that split (the first ones)' },
    gupers: { type: 'int', default: 3, perCpu: 3 / 8, min: 0, max: 255, description: 'CPUs that pin with fast_gup (the next ones); the rest touch' },
    ownTouches: { type: 'int', default: 1, min: 0, max: 64, description: 'touches a splitting or pinning CPU makes of its memory after each action (0: pure roles)' },
    pinPages: { type: 'int', default: 8, min: 1, max: 64, description: 'most pages one gup pins' },
    dmaCycles: { type: 'int', default: 4000, min: 0, max: 10_000_000, description: 'cycles a pin is held for its transfer' },
    splitWork: { type: 'int', default: 20_000, min: 0, max: 10_000_000, description: 'cycles between two split actions' },
    touchWork: { type: 'int', default: 200, min: 0, max: 10_000_000, description: 'cycles between two touches' },
    dontneedPercent: { type: 'int', default: 50, min: 0, max: 100, description: 'split actions that are a partial MADV_DONTNEED, percent' },
    shrinkPercent: { type: 'int', default: 30, min: 0, max: 100, description: 'split actions that run the deferred-split shrinker, percent (the rest munmap a THP)' },
    bystanders: { type: 'int', default: 0, min: 0, max: 255, description: 'CPUs (the last ones) that run another process: outside mm_cpumask, interrupts off half the time' },
    thpFaults: { type: 'int', default: 1, min: 0, max: 1, description: '1: a fault on an empty pmd maps a THP; 0: small pages only (THP disabled, or its allocation fails)' },
  },
  setup(k: Kernel, p: Params): void {
    k.setupThpArea(p.thps!);
    if (p.thpFaults === 0) shared.store(k.machine.v.kernel, K.FAULT_NO_THP, 1);
    for (let i = Math.max(0, k.machine.ncpus - p.bystanders!); i < k.machine.ncpus; i++) k.leave_mm(i);
  },
  *program(k: Kernel, cpu: Cpu, p: Params): Routine {
    if (cpu.id >= k.machine.ncpus - p.bystanders!) yield bystander(cpu, p);
    else if (cpu.id < p.splitters!) yield splitter(k, cpu, p);
    else if (cpu.id < p.splitters! + p.gupers!) yield gup(k, cpu, p);
    else yield toucher(k, cpu, p);
  },
  report(k: Kernel): Record<string, unknown> {
    return { vmEvents: vmEvents(k.machine) };
  },
  explain(k: Kernel, oops: OopsRecord): Record<string, unknown> {
    // the last split of the THP the oops concerns, from the split log
    const addr = Number.parseInt(String((oops.details as Record<string, string> | undefined)?.address ?? 'NaN'), 16);
    if (!Number.isFinite(addr)) return {};
    const hpage = k.hpageSize;
    const slot = Math.floor((addr - k.thpBase()) / hpage);
    const s = k.machine.v.scratch;
    if (slot < 0 || slot >= 32 || s[SPLIT_LOG + slot * 4 + 3] !== 1) return { lastSplit: 'none recorded' };
    const haddr = k.thpBase() + slot * hpage;
    const given = s[SPLIT_LOG + slot * 4 + 2]!;
    const page = (oops.details as { page?: { lastFreedBy?: string; page?: string } }).page;
    const missed = given !== haddr;
    return {
      thp: `0x${haddr.toString(16)}`,
      split: `CPU${s[SPLIT_LOG + slot * 4]} split its pmd at clock ${s[SPLIT_LOG + slot * 4 + 1]} with pmdp_invalidate(address 0x${given.toString(16)})` +
        (missed ? `, one huge page past 0x${haddr.toString(16)}: the flush missed the pmd and every TLB kept the huge translation` : ''),
      freed: page?.lastFreedBy ? `${page.page} freed by ${page.lastFreedBy}` : 'unknown',
      access: `CPU${oops.cpu} then reached it through its stale TLB entry at clock ${oops.clock}`,
    };
  },
};
