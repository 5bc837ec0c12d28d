// A per-CPU TLB in shared memory, so that another CPU's purge (s390 IPTE/IDTE
// broadcast) or the CPU's own flush (x86 INVLPG in an IPI handler) both act on
// it. Two parts, as real TLBs have: base-page entries (4 KiB; 64 KiB on
// ppc64), and entries for whole huge pages formed from a large pmd (s390
// CRSTE-level, x86 2 MiB), both
// direct-mapped. Only the owning CPU inserts; any CPU may clear a tag, so a
// valid tag always belongs with its other fields. What may be cached and what
// a purge must clear: PoP SA22-7832-10, ch. 3 "Translation-Lookaside Buffer";
// Intel SDM vol. 3A, 4.10 "Caching Translation Information".
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { TLB_ENTRIES, TLB_FIELDS, TLB_LARGE, type Machine } from '../emulator/machine.js';
import { kasan_report } from '../kernel-sim/kasan.js';
import { dumpPage, freedSince, freeSeq } from '../kernel-sim/mm_types.js';
import * as shared from '../emulator/shared.js';
import { pow2 } from '../emulator/pow2.js';

const TAG = 0;    // page number + 1 (base or huge); 0 = empty
const PHYS = 1;   // physical address of the frame (the huge frame's start for a large entry)
const UPPER = 2;  // physical address of the pmd the translation went through
const PTE = 3;    // physical address of the pte, 0 for a large entry
const SEQ = 4;    // shadow: the free sequence number when the entry was formed (not hardware)

const PER_CPU = TLB_ENTRIES + TLB_LARGE;

/** the base-page number of `va` (the machine's page size is the arch's) */
const vpnOf = (m: Machine, va: number): number => Math.floor(va / m.pageBytes);

function slot(m: Machine, cpu: number, va: number): number {
  return (cpu * PER_CPU + (vpnOf(m, va) % TLB_ENTRIES)) * TLB_FIELDS;
}

function largeSlot(cpu: number, va: number, hshift: number): number {
  const hpn = Math.floor(va / pow2(hshift));
  return (cpu * PER_CPU + TLB_ENTRIES + (hpn % TLB_LARGE)) * TLB_FIELDS;
}

/** The TLB slot that translates `va` (the huge page's entry first), or -1 on a miss. */
function lookupSlot(m: Machine, cpu: number, va: number, hshift: number): number {
  const t = m.v.tlb;
  const l = largeSlot(cpu, va, hshift);
  if (shared.load(t, l + TAG) === Math.floor(va / pow2(hshift)) + 1) return l;
  const s = slot(m, cpu, va);
  return shared.load(t, s + TAG) === vpnOf(m, va) + 1 ? s : -1;
}

/** Physical address of the page of `va` from the entry at slot `s` (a large entry: the base page within it). */
function physAt(m: Machine, s: number, va: number, hshift: number): number {
  const t = m.v.tlb;
  const large = (s / TLB_FIELDS) % PER_CPU >= TLB_ENTRIES;
  return large ? t[s + PHYS]! + (va % pow2(hshift)) - (va % m.pageBytes) : t[s + PHYS]!;
}

function fill(m: Machine, s: number, tag: number, phys: number, upper: number, pte: number, seq = freeSeq(m)): void {
  const t = m.v.tlb;
  shared.store(t, s + TAG, 0);
  t[s + PHYS] = phys;
  t[s + UPPER] = upper;
  t[s + PTE] = pte;
  t[s + SEQ] = seq;
  shared.store(t, s + TAG, tag);
}

/** A base-page translation formed through the pte at `pte` (and the pmd at `upper`). */
export function tlbInsert(m: Machine, cpu: number, va: number, phys: number, upper: number, pte: number): void {
  fill(m, slot(m, cpu, va), vpnOf(m, va) + 1, phys, upper, pte);
}

/** A translation of the whole huge page around `va`, formed through the large pmd at `upper`. */
export function tlbInsertLarge(m: Machine, cpu: number, va: number, hshift: number, physBase: number, upper: number): void {
  fill(m, largeSlot(cpu, va, hshift), Math.floor(va / pow2(hshift)) + 1, physBase, upper, 0);
}

/** Clears, on the CPUs in `cpus`, every entry formed through the table entry at `entryAddr`. */
export function tlbPurgeEntry(m: Machine, cpus: Iterable<number>, entryAddr: number, level: 'pte' | 'upper'): number {
  const t = m.v.tlb;
  const field = level === 'pte' ? PTE : UPPER;
  let purged = 0;
  for (const c of cpus) {
    const base = c * PER_CPU * TLB_FIELDS;
    for (let i = 0; i < PER_CPU; i++) {
      const s = base + i * TLB_FIELDS;
      // the tag first: a tag seen set is ordered after the fields its owner wrote
      if (shared.load(t, s + TAG) !== 0 && t[s + field] === entryAddr) {
        shared.store(t, s + TAG, 0);
        purged++;
      }
    }
  }
  return purged;
}

/** Clears this CPU's entries for the page at `va`, a large one covering it included (x86 INVLPG). */
export function tlbFlushOne(m: Machine, cpu: number, va: number, hshift: number): void {
  const t = m.v.tlb;
  const s = slot(m, cpu, va);
  if (shared.load(t, s + TAG) === vpnOf(m, va) + 1) shared.store(t, s + TAG, 0);
  const l = largeSlot(cpu, va, hshift);
  if (shared.load(t, l + TAG) === Math.floor(va / pow2(hshift)) + 1) shared.store(t, l + TAG, 0);
}

/**
 * Forms a translation and keeps it only if the entries it came from are still
 * what the walk read. A purge (IPTE/IDTE on another CPU) stores the entry
 * before it clears TLBs; with the insert before the re-check, either the
 * re-check sees the new entry or the purge sees the inserted tag. Returns
 * whether the translation stands.
 */
export function tlbFormChecked(
  m: Machine, cpu: number, va: number, hshift: number, large: boolean, phys: number, upper: number, upperVal: number,
  pte: number, pteVal: number, seq?: number,
): boolean {
  const s = large ? largeSlot(cpu, va, hshift) : slot(m, cpu, va);
  fill(m, s, large ? Math.floor(va / pow2(hshift)) + 1 : vpnOf(m, va) + 1, phys, upper, pte, seq);
  const mem = m.v.mem;
  if (shared.load(mem, (upper >>> 2) + 1) === upperVal && (pte === 0 || shared.load(mem, (pte >>> 2) + 1) === pteVal)) return true;
  shared.store(m.v.tlb, s + TAG, 0);
  return false;
}

/**
 * Clears, on the CPUs in `cpus`, the translation of the page at `va`: its
 * base-page entry, or (`large`) the entry of the huge page covering it; a
 * TLB invalidation by virtual address and page size (ppc64 tlbie/tlbiel).
 */
export function tlbPurgeVa(m: Machine, cpus: Iterable<number>, va: number, hshift: number, large: boolean): number {
  const t = m.v.tlb;
  let purged = 0;
  for (const c of cpus) {
    const s = large ? largeSlot(c, va, hshift) : slot(m, c, va);
    if (shared.load(t, s + TAG) === (large ? Math.floor(va / pow2(hshift)) : vpnOf(m, va)) + 1) {
      shared.store(t, s + TAG, 0);
      purged++;
    }
  }
  return purged;
}

/**
 * Whether CPU `cpu` holds two translations of `va` at once, a base-page and a
 * huge one: what a real TLB or ERAT finds as a multi-hit. Returns both
 * entries' physical addresses and where they were formed from, or null.
 */
export function tlbMultiHit(m: Machine, cpu: number, va: number, hshift: number): { base: number; large: number; baseFrom: number; largeFrom: number } | null {
  const t = m.v.tlb;
  const l = largeSlot(cpu, va, hshift);
  const s = slot(m, cpu, va);
  if (shared.load(t, l + TAG) !== Math.floor(va / pow2(hshift)) + 1 || shared.load(t, s + TAG) !== vpnOf(m, va) + 1) return null;
  return {
    base: t[s + PHYS]!, large: t[l + PHYS]! + (va % pow2(hshift)) - (va % m.pageBytes),
    baseFrom: t[s + UPPER]!, largeFrom: t[l + UPPER]!,
  };
}

/**
 * Room for a base-page entry in a TLB that keeps both sizes in one array
 * (POWER8's ERAT): the huge-page entry at the slot the base page number
 * indexes goes, as a fill of the shared array would evict it.
 */
export function tlbEvictLargeFor(m: Machine, cpu: number, va: number): void {
  const l = (cpu * PER_CPU + TLB_ENTRIES + (vpnOf(m, va) % TLB_LARGE)) * TLB_FIELDS;
  shared.store(m.v.tlb, l + TAG, 0);
}

/** Clears all of this CPU's entries (a full local flush). */
export function tlbFlushAll(m: Machine, cpu: number): void {
  const t = m.v.tlb;
  const base = cpu * PER_CPU * TLB_FIELDS;
  for (let i = 0; i < PER_CPU; i++) shared.store(t, base + i * TLB_FIELDS + TAG, 0);
}

/** Whether CPU `cpu` holds a translation for `va` (for tests and reports). */
export function tlbHolds(m: Machine, cpu: number, va: number, hshift: number): boolean {
  return lookupSlot(m, cpu, va, hshift) >= 0;
}

/** What an arch says of a TLB entry in a use-after-free report, from its `upper` and `pte` fields. */
export type TlbEntryInfo = (upper: number, pte: number) => Record<string, unknown>;

/** An arch's table walk on a TLB miss: the physical address, or FAULT. */
export type TlbWalk = (cpu: Cpu, pgd: number, va: number, write: boolean) => Fn<number>;

/**
 * A user access's translation, for every arch: the CPU's TLB, and on a miss
 * the arch's table walk; one instruction, so no interrupt is taken inside it.
 * (One generator for both halves: every user access steps through it.)
 */
export function* translateVia(cpu: Cpu, va: number, hshift: number, walk: TlbWalk, pgd: number, write: boolean, info?: TlbEntryInfo): Fn<number> {
  cpu.insnDepth++;
  try {
    const m = cpu.machine;
    const s = lookupSlot(m, cpu.id, va, hshift);
    if (s < 0) {
      cpu.tlbMisses++;
      yield cpu.ev(Ev.tlb_miss, va);
      return (yield walk(cpu, pgd, va, write)) as number;
    }
    cpu.tlbHits++;
    yield cpu.ev(Ev.tlb_hit, va);
    const t = m.v.tlb;
    const hit = physAt(m, s, va, hshift);
    const pfn = Math.floor(hit / m.pageBytes);
    if (freedSince(m, pfn, t[s + SEQ]!)) {
      // KASAN-like shadow: the frame was freed (and maybe reused) since this entry was formed;
      // without KASAN the access lands in the frame, whatever it holds now
      kasan_report(cpu, 'KASAN: use-after-free', () => {
        const upper = t[s + UPPER]!;
        return {
          message: `user access to 0x${va.toString(16)} through a stale TLB entry`,
          details: {
            address: `0x${va.toString(16)}`,
            ...(info ? info(upper, t[s + PTE]!) : {
              tlbEntry: t[s + PTE] ? `${m.pageBytes / 1024} KiB, formed through the pte at 0x${t[s + PTE]!.toString(16)}` : `huge page, formed through the large pmd at 0x${upper.toString(16)}`,
              pmdNow: `0x${(shared.load(m.v.mem, (upper >>> 2) + 1) >>> 0).toString(16)}`,
            }),
            page: dumpPage(m, pfn),
          },
        };
      });
    }
    return hit + (va % m.pageBytes);
  } finally {
    cpu.insnDepth--;
  }
}
