// A per-CPU TLB in shared memory, so that another CPU's purge (s390 IPTE/IDTE
// broadcast) or the CPU's own flush (x86 INVLPG in an IPI handler) both act on
// it. Direct-mapped by virtual page number. Only the owning CPU inserts; any
// CPU may clear a tag, so a valid tag always belongs with its other fields.
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { TLB_ENTRIES, TLB_FIELDS, type Machine } from '../emulator/machine.js';
import { dumpPage, P, pw } from '../kernel-sim/mm_types.js';

const TAG = 0;    // (vaddr >> 12) + 1; 0 = empty
const PHYS = 1;   // physical address of the 4 KiB frame
const UPPER = 2;  // physical address of the segment (PMD) entry the translation went through
const PTE = 3;    // physical address of the PTE, 0 when formed from a large segment entry
const GEN = 4;    // shadow: the frame's generation when the entry was formed (not hardware)

function slot(cpu: number, vaddr: number): number {
  const vpn = Math.floor(vaddr / 4096);
  return (cpu * TLB_ENTRIES + (vpn % TLB_ENTRIES)) * TLB_FIELDS;
}

/** Physical address of the frame holding `vaddr`, or -1 on a miss. */
export function tlbLookup(m: Machine, cpu: number, vaddr: number): number {
  const t = m.v.tlb;
  const s = slot(cpu, vaddr);
  if (Atomics.load(t, s + TAG) !== Math.floor(vaddr / 4096) + 1) return -1;
  return t[s + PHYS]!;
}

export function tlbInsert(m: Machine, cpu: number, vaddr: number, phys: number, upper: number, pte: number): void {
  const t = m.v.tlb;
  const s = slot(cpu, vaddr);
  Atomics.store(t, s + TAG, 0);
  t[s + PHYS] = phys;
  t[s + UPPER] = upper;
  t[s + PTE] = pte;
  t[s + GEN] = Atomics.load(m.v.pages, pw(phys >>> 12, P.GEN));
  Atomics.store(t, s + TAG, Math.floor(vaddr / 4096) + 1);
}

/** Clears, on the CPUs in `cpus`, every entry formed through the table entry at `entryAddr`. */
export function tlbPurgeEntry(m: Machine, cpus: Iterable<number>, entryAddr: number, level: 'pte' | 'upper'): number {
  const t = m.v.tlb;
  const field = level === 'pte' ? PTE : UPPER;
  let purged = 0;
  for (const c of cpus) {
    const base = c * TLB_ENTRIES * TLB_FIELDS;
    for (let i = 0; i < TLB_ENTRIES; i++) {
      const s = base + i * TLB_FIELDS;
      if (t[s + field] === entryAddr && Atomics.load(t, s + TAG) !== 0) {
        Atomics.store(t, s + TAG, 0);
        purged++;
      }
    }
  }
  return purged;
}

/** Clears this CPU's entry for one page (x86 INVLPG). */
export function tlbFlushOne(m: Machine, cpu: number, vaddr: number): void {
  const t = m.v.tlb;
  const s = slot(cpu, vaddr);
  if (Atomics.load(t, s + TAG) === Math.floor(vaddr / 4096) + 1) Atomics.store(t, s + TAG, 0);
}

/** Clears all of this CPU's entries (a full local flush). */
export function tlbFlushAll(m: Machine, cpu: number): void {
  const t = m.v.tlb;
  const base = cpu * TLB_ENTRIES * TLB_FIELDS;
  for (let i = 0; i < TLB_ENTRIES; i++) Atomics.store(t, base + i * TLB_FIELDS + TAG, 0);
}

/** Whether CPU `cpu` holds a translation for `vaddr` (for tests and reports). */
export function tlbHolds(m: Machine, cpu: number, vaddr: number): boolean {
  return tlbLookup(m, cpu, vaddr) >= 0;
}

/**
 * The first half of every user access: the CPU's TLB. Returns the physical
 * address on a hit, or -1 on a miss, after which the arch walks its tables.
 */
export function* tlbAccess(cpu: Cpu, va: number): Fn<number> {
  const m = cpu.machine;
  const hit = tlbLookup(m, cpu.id, va);
  if (hit >= 0) {
    cpu.tlbHits++;
    yield cpu.ev(Ev.tlb_hit, va);
    const s = slot(cpu.id, va);
    const pfn = hit >>> 12;
    if (m.v.tlb[s + GEN] !== Atomics.load(m.v.pages, pw(pfn, P.GEN))) {
      // KASAN-like shadow: the frame was freed (and maybe reused) since this entry was formed
      cpu.enter('kasan_report');
      cpu.oops('KASAN: use-after-free', `user access to 0x${va.toString(16)} through a stale TLB entry`, {
        address: `0x${va.toString(16)}`,
        tlbEntryFormedThrough: m.v.tlb[s + PTE] ? `pte at 0x${m.v.tlb[s + PTE]!.toString(16)}` : `large pmd at 0x${m.v.tlb[s + UPPER]!.toString(16)}`,
        pmdNow: `0x${(Atomics.load(m.v.mem, (m.v.tlb[s + UPPER]! >>> 2) + 1) >>> 0).toString(16)}`,
        page: dumpPage(m, pfn),
        generationInTlb: m.v.tlb[s + GEN]!,
      });
    }
    return hit + (va & 0xfff);
  }
  cpu.tlbMisses++;
  yield cpu.ev(Ev.tlb_miss, va);
  return -1;
}
