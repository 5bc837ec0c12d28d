// A user access on a hash MMU, and the kernel's hash fault path, modelled on
// arch/powerpc/mm/hash_utils_64.c (hash_page_mm, flush_hash_page,
// flush_hash_hugepage), hash64_64k.c (__hash_page_64K, new in v4.5-rc1) and
// hugepage-hash64.c (__hash_page_thp) of Linux v4.5; the v4.4 splitting bit.
//
// The access looks in the CPU's ERAT/TLB; on a miss the hardware searches the
// hashed page table; if no HPTE matches it raises a data storage interrupt
// and hash_page, with interrupts off, walks Linux's page table locklessly and
// inserts an HPTE from the pte or the huge pmd. Only when the Linux entry
// does not allow the access does the fault go on to do_page_fault.
import { FAULT } from '../arch.js';
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import type { Machine } from '../../emulator/machine.js';
import { cmpxchgEntry, loadEntry, storeEntry } from '../../emulator/physmem.js';
import { local_irq_restore, local_irq_save } from '../../kernel-sim/irqflags.js';
import { K } from '../../kernel-sim/kernel_words.js';
import { dumpPage } from '../../kernel-sim/mm_types.js';
import { tlbEvictLargeFor, tlbFormChecked, tlbMultiHit, translateVia, type TlbEntryInfo } from '../tlb.js';
import { ppc64Costs } from './costs.js';
import {
  get_vsid, groupOf, HPTE_LOCAL_UPDATE, HPTE_NOHPTE_UPDATE, HPTE_R_C, HPTE_R_M, HPTE_R_N, HPTE_R_PP, HPTE_V_SECONDARY,
  hpte_encode_avpn, hpte_match, hpteAddr, hpteR, hpteShadow, hpteV, hpt_hash, hpt_vpn, htab, htabHashMask, loadByte,
  native_hpte_insert, PENC_16M,
  native_hpte_invalidate, native_hpte_remove, native_hpte_updatepp, storeByte, W,
} from './mmu_hash.js';
import {
  _PAGE_ACCESSED, _PAGE_BUSY, _PAGE_DIRTY, _PAGE_EXEC, _PAGE_F_GIX, _PAGE_F_GIX_SHIFT, _PAGE_F_SECOND, _PAGE_HASHPTE,
  _PAGE_HPTEFLAGS, _PAGE_PRESENT, _PAGE_RW, _PAGE_SPLITTING, _PAGE_USER, HPAGE_SHIFT, hpte_hash_index, hpte_valid,
  mark_hpte_slot_valid, PAGE_SIZE, pgdIndex, pgtableSlot, PMD_MASKED_BITS, pmd_none, pmd_trans_huge, pmdIndex,
  pte_phys, pte_present, pteIndex, PTRS_PER_PTE,
} from './pgtable.js';
import * as shared from '../../emulator/shared.js';

const HPAGE_SIZE = 2 ** HPAGE_SHIFT;
const hex = (x: number): string => `0x${(x >>> 0).toString(16)}`;

/** mm_cpumask(mm) is this CPU alone: a flush may be a tlbiel (HPTE_LOCAL_UPDATE) */
export function mmIsLocal(cpu: Cpu): boolean {
  const kw = cpu.machine.v.kernel;
  for (let i = 0; i < cpu.machine.ncpus; i++) {
    const on = (shared.load(kw, K.MM_CPUMASK + (i >> 5)) & (1 << (i & 31))) !== 0;
    if (on !== (i === cpu.id)) return false;
  }
  return true;
}

/** htab_convert_pte_flags: PP from _PAGE_USER/_RW/_DIRTY, N from !_PAGE_EXEC, and C and M always. */
export function htab_convert_pte_flags(pte: number): number {
  let rflags = HPTE_R_C | HPTE_R_M;
  if (!(pte & _PAGE_EXEC)) rflags |= HPTE_R_N;
  if (pte & _PAGE_USER) {
    rflags |= 0x2;
    if (!(pte & _PAGE_RW && pte & _PAGE_DIRTY)) rflags |= 0x1;
  }
  return rflags;
}

// --- the user access ---------------------------------------------------------------

/** A user access's translation: the ERAT/TLB, the hardware's HPT search, then hash_page. */
export function* translate(cpu: Cpu, pgd: number, va: number, write: boolean): Fn<number> {
  const m = cpu.machine;
  for (let tries = 0; ; tries++) {
    const mh = tlbMultiHit(m, cpu.id, va, HPAGE_SHIFT);
    if (mh) machine_check_multihit(cpu, va, mh);
    const pa = yield* translateVia(cpu, va, HPAGE_SHIFT, hptWalk, pgd, write, hpteInfo(m));
    if (pa >= 0) return pa;
    const rc = yield* do_hash_page(cpu, pgd, va, write);
    if (rc !== 0) return FAULT; // do_page_fault: the caller's handle_mm_fault
    if (tries > 100_000) cpu.oops('BUG', `hash_page: the access to 0x${va.toString(16)} is retried without end`);
  }
}

/**
 * The hardware search on an ERAT/TLB miss: the primary PTEG, then the
 * secondary, each one line; a match is loaded into the TLB, and kept only
 * if the HPTE did not change meanwhile (a tlbie after an invalidation finds
 * it then). The TLB entry carries the free sequence number of the HPTE's
 * insertion (the shadow), so a stale HPTE shows as a stale translation.
 */
/** hpt_search as the TLB's walk (the hash table needs no pgd) */
const hptWalk = (cpu: Cpu, _pgd: number, va: number, write: boolean): Fn<number> => hpt_search(cpu, va, write);

function* hpt_search(cpu: Cpu, va: number, write: boolean): Fn<number> {
  const m = cpu.machine;
  const vsid = get_vsid(va);
  const [hi, lo] = hpte_encode_avpn(hpt_vpn(va, vsid));
  const hash = hpt_hash(va, vsid);
  for (;;) {
    let hit: ReturnType<typeof hpte_match> = null;
    for (const secondary of [false, true]) {
      const group = groupOf(m, secondary ? ~hash : hash);
      yield cpu.ev(Ev.dat_level, hpteAddr(m, group));
      for (let i = 0; i < 8 && !hit; i++) hit = hpte_match(m, group + i, hi, lo, secondary);
      if (hit) break;
    }
    if (!hit) return FAULT;
    if (write && (hit.r & HPTE_R_PP) === 3) return FAULT; // a store to a page the HPTE makes read-only
    const a = hpteAddr(m, hit.slot);
    const size = hit.large ? HPAGE_SIZE : PAGE_SIZE;
    const base = (hit.r >>> 0) - ((hit.r >>> 0) % size);
    if (!tlbFormChecked(m, cpu.id, va, HPAGE_SHIFT, hit.large, base, a, hit.v, hit.large ? 0 : a + 8, hit.r, hpteShadow(m, hit.slot).seq)) continue;
    if (!hit.large) tlbEvictLargeFor(m, cpu.id, va); // one ERAT for both sizes
    return base + (va % size);
  }
}

/** How a stale TLB entry is described: the HPTE it was loaded from. */
const hpteInfo = (m: Machine): TlbEntryInfo => (upper) => {
  const sh = hpteShadow(m, (upper - htab(m)) / 16);
  return {
    tlbEntry: `${sh.large ? '16 MiB' : '64 KiB'} translation loaded from the HPTE at ${hex(upper)}, inserted by CPU${sh.cpu} at clock ~${sh.kclock}k`,
    hpteNow: `v ${hex(hpteV(m, upper))}`,
    ...hashFlushSkipped(m),
  };
};

/**
 * Two translations of one address in the ERAT/TLB: POWER8 takes a machine
 * check (an ERAT multihit). Linux's powernv handler flushes the ERAT and
 * recovers; the model stops there, as it is the sign of HPTEs nobody flushed.
 */
function machine_check_multihit(cpu: Cpu, va: number, mh: NonNullable<ReturnType<typeof tlbMultiHit>>): never {
  const m = cpu.machine;
  cpu.enter('machine_check_exception');
  const said = (a: number, phys: number): string => {
    const sh = hpteShadow(m, (a - htab(m)) / 16);
    const now = hpteV(m, a) & 1 ? 'still valid' : 'no longer valid';
    return `phys ${hex(phys)} from the ${sh.large ? '16 MiB' : '64 KiB'} HPTE at ${hex(a)} (inserted by CPU${sh.cpu} at clock ~${sh.kclock}k, ${now})`;
  };
  cpu.oops('Machine check: ERAT multihit', `Severe Machine check interrupt: Error type: ERAT [Multihit] at ${hex(va)}: a 16 MiB and a 64 KiB translation of the same address`, {
    address: hex(va),
    translation64K: said(mh.baseFrom, mh.base),
    translation16M: said(mh.largeFrom, mh.large),
    ...hashFlushSkipped(m),
    page: dumpPage(m, Math.floor(mh.large / PAGE_SIZE)),
  });
}

/** Valid 16 MiB HPTEs in the whole table that map the huge page of `pmd` (a scan, for reports). */
function liveHugeHptes(m: Machine, pmd: number): number {
  if (!pmd_trans_huge(pmd)) return 0;
  const phys = pte_phys(pmd) - (pte_phys(pmd) % HPAGE_SIZE);
  const n = (htabHashMask(m) + 1) * 8;
  let left = 0;
  for (let slot = 0; slot < n; slot++) {
    const a = hpteAddr(m, slot);
    const r = hpteR(m, a) >>> 0;
    if (hpteV(m, a) & 1 && ((r >>> 12) & 0xff) === PENC_16M && r - (r % HPAGE_SIZE) === phys) left++;
  }
  return left;
}

/** The last flush_hash_hugepage that found no hpte_slot_array, for a report. */
export function hashFlushSkipped(m: Machine): Record<string, string> {
  const kw = m.v.kernel;
  const n = shared.load(kw, W.FLUSH_SKIPPED);
  if (n === 0) return {};
  return {
    hashFlushSkipped: `${n} huge-pmd flush(es) found no hpte_slot_array (the deposited table was withdrawn first) and left HPTEs behind;` +
      ` the last by CPU${shared.load(kw, W.SKIP_CPU) - 1} at clock ~${shared.load(kw, W.SKIP_KCLOCK)}k left ${shared.load(kw, W.SKIP_LEFT)}` +
      ` 16 MiB HPTEs of the THP at phys ${hex(shared.load(kw, W.SKIP_ADDR))} in the hashed page table`,
  };
}

// --- the hash fault --------------------------------------------------------------

/** The 0x300 data storage interrupt for a missing HPTE: do_hash_page -> hash_page, interrupts off. */
function* do_hash_page(cpu: Cpu, pgd: number, va: number, write: boolean): Fn<number> {
  const m = cpu.machine;
  const costs = ppc64Costs(m);
  cpu.enter('do_hash_page');
  yield cpu.ev(Ev.work, va, costs.excEntry.cycles);
  const flags = yield* local_irq_save(cpu);
  shared.add(m.v.kernel, W.HASH_FAULTS, 1);
  const rc = yield* hash_page_mm(cpu, pgd, va, write);
  yield* local_irq_restore(cpu, flags);
  // the return from the interrupt: the boundary where a pending interrupt is taken
  yield cpu.ev(Ev.work, va, costs.excExit.cycles);
  cpu.leave();
  return rc;
}

/**
 * hash_page_mm: __find_linux_pte_or_hugepte (lockless; interrupts off keep
 * the tables from being freed), then the access check, then the 64 KiB or
 * THP insert. Returns 0 (retry the access), or 1 (go to do_page_fault).
 */
export function* hash_page_mm(cpu: Cpu, pgd: number, ea: number, write: boolean): Fn<number> {
  cpu.enter('hash_page_mm');
  const m = cpu.machine;
  // do_hash_page passes _PAGE_USER for a problem-state access and _PAGE_RW for a store
  const access = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);
  const vsid = get_vsid(ea);
  const flags = HPTE_NOHPTE_UPDATE | (mmIsLocal(cpu) ? HPTE_LOCAL_UPDATE : 0);
  let rc = 1;
  const pgdp = pgd + pgdIndex(ea) * 8;
  yield cpu.ev(Ev.load, pgdp);
  const pmdTable = loadEntry(m, pgdp) >>> 0;
  if (pmdTable) {
    const pmdp = pmdTable + pmdIndex(ea) * 8;
    yield cpu.ev(Ev.load, pmdp);
    const pmd = loadEntry(m, pmdp);
    if (!pmd_none(pmd)) {
      const huge = pmd_trans_huge(pmd);
      const ptep = huge ? pmdp : ((pmd & ~PMD_MASKED_BITS) >>> 0) + pteIndex(ea) * 8;
      if (!huge) yield cpu.ev(Ev.load, ptep);
      const pte = loadEntry(m, ptep);
      if (pte_present(pte) && !(access & ~pte)) {
        rc = huge
          ? yield* __hash_page_thp(cpu, ea, access, vsid, pmdp, flags)
          : yield* __hash_page_64K(cpu, ea, access, vsid, ptep, flags);
      }
    }
  }
  cpu.leave();
  return rc;
}

/** The ldarx/stdcx. that marks a pte or huge pmd busy (and accessed, dirty for a store); null to return `rc`. */
function* lock_entry(cpu: Cpu, p: number, access: number, huge: boolean): Fn<{ old: number; nw: number } | { rc: number }> {
  const m = cpu.machine;
  for (;;) {
    yield cpu.ev(Ev.load, p);
    const old = loadEntry(m, p);
    if (old & _PAGE_BUSY) return { rc: 0 };                  // "If PTE busy, retry the access"
    if (huge && old & _PAGE_SPLITTING) return { rc: 0 };     // v4.4: "If PMD is trans splitting retry the access"
    if (access & ~old) return { rc: 1 };                     // "If PTE permissions don't match, take page fault"
    const nw = old | _PAGE_BUSY | _PAGE_ACCESSED | (access & _PAGE_RW ? _PAGE_DIRTY : 0);
    yield cpu.ev(Ev.atomic, p);
    if (cmpxchgEntry(m, p, old, nw) === old) return { old, nw };
  }
}

/** Insert into the primary group, else the secondary, else evict from one of them and repeat. */
function* hpte_insert_repeating(cpu: Cpu, hash: number, vpn: number, pa: number, rflags: number, large: boolean): Fn<number> {
  const m = cpu.machine;
  for (;;) {
    let slot = yield* native_hpte_insert(cpu, groupOf(m, hash), vpn, pa, rflags, 0, large);
    if (slot !== -1) return slot;
    slot = yield* native_hpte_insert(cpu, groupOf(m, ~hash), vpn, pa, rflags, HPTE_V_SECONDARY, large);
    if (slot !== -1) return slot;
    yield* native_hpte_remove(cpu, cpu.random(2) ? groupOf(m, hash) : groupOf(m, ~hash)); // mftb() & 0x1
  }
}

/** The HPT slot a hidx (secondary bit and index in the group) names for `hash`. */
const slotOf = (m: Machine, hash: number, hidx: number): number => groupOf(m, hidx & 0x8 ? ~hash : hash) + (hidx & 0x7);

/** __hash_page_64K: one HPTE for a 64 KiB pte, its slot kept in the pte (_PAGE_F_SECOND, _PAGE_F_GIX). */
function* __hash_page_64K(cpu: Cpu, ea: number, access: number, vsid: number, ptep: number, flags: number): Fn<number> {
  cpu.enter('__hash_page_64K');
  const m = cpu.machine;
  const got = yield* lock_entry(cpu, ptep, access, false);
  if ('rc' in got) { cpu.leave(); return got.rc; }
  let { old, nw } = got;
  const rflags = htab_convert_pte_flags(nw);
  const vpn = hpt_vpn(ea, vsid);
  const hash = hpt_hash(ea, vsid);
  if (old & _PAGE_HASHPTE) {
    // there MIGHT be an HPTE for this pte
    const hidx = (old & (_PAGE_F_SECOND | _PAGE_F_GIX)) >>> _PAGE_F_GIX_SHIFT;
    if ((yield* native_hpte_updatepp(cpu, slotOf(m, hash, hidx), rflags, vpn, ea, false, flags)) === -1) old &= ~_PAGE_HPTEFLAGS;
  }
  if (!(old & _PAGE_HASHPTE)) {
    const slot = yield* hpte_insert_repeating(cpu, hash, vpn, pte_phys(old), rflags, false);
    nw = (nw & ~_PAGE_HPTEFLAGS) | _PAGE_HASHPTE | ((slot << _PAGE_F_GIX_SHIFT) & (_PAGE_F_SECOND | _PAGE_F_GIX));
  }
  yield cpu.ev(Ev.pte_store, ptep);
  storeEntry(m, ptep, nw & ~_PAGE_BUSY);
  cpu.leave();
  return 0;
}

/**
 * __hash_page_thp: an HPTE for the 64 KiB subpage at `ea` that maps the whole
 * 16 MiB page (the segment's base page size is 64 KiB, the actual size
 * 16 MiB), its slot recorded in the hpte_slot_array of the deposited table,
 * whose address is in the second half of the PMD table. A withdrawn table
 * leaves that address NULL, which the code does not expect.
 */
function* __hash_page_thp(cpu: Cpu, ea: number, access: number, vsid: number, pmdp: number, flags: number): Fn<number> {
  cpu.enter('__hash_page_thp');
  const m = cpu.machine;
  const got = yield* lock_entry(cpu, pmdp, access, true);
  if ('rc' in got) { cpu.leave(); return got.rc; }
  const { old } = got;
  let nw = got.nw;
  const rflags = htab_convert_pte_flags(nw);
  const index = Math.floor((ea % HPAGE_SIZE) / PAGE_SIZE);
  const vpn = hpt_vpn(ea, vsid);
  const hash = hpt_hash(ea, vsid);
  yield cpu.ev(Ev.load, pgtableSlot(pmdp)); // get_hpte_slot_array, ordered after the pmd_trans_huge test
  const slots = loadEntry(m, pgtableSlot(pmdp)) >>> 0;
  if (slots === 0) {
    cpu.enter('bad_page_fault');
    cpu.oops('Oops: Kernel access of bad area', `Unable to handle kernel paging request for data at address 0x${index.toString(16).padStart(8, '0')}`, {
      address: hex(ea),
      cause: '__hash_page_thp read hpte_slot_array[index] through a NULL pointer: the deposited table of this huge pmd had been withdrawn',
      pmdp: hex(pmdp), pmd: hex(old),
    });
  }
  yield cpu.ev(Ev.load, slots + index);
  let valid = hpte_valid(loadByte(m, slots + index));
  if (valid) {
    const slot = slotOf(m, hash, hpte_hash_index(loadByte(m, slots + index)));
    if ((yield* native_hpte_updatepp(cpu, slot, rflags, vpn, ea, true, flags)) === -1) {
      // "large pte is marked busy, so we can be sure nobody is looking at hpte_slot_array"
      valid = false;
      nw &= ~_PAGE_HPTEFLAGS;
      yield cpu.ev(Ev.store, slots + index);
      storeByte(m, slots + index, 0);
    } else {
      nw = (nw & ~_PAGE_HPTEFLAGS) | _PAGE_HASHPTE;
    }
  }
  if (!valid) {
    const pa = pte_phys(old) - (pte_phys(old) % HPAGE_SIZE);
    nw = (nw & ~_PAGE_HPTEFLAGS) | _PAGE_HASHPTE;
    const slot = yield* hpte_insert_repeating(cpu, hash, vpn, pa, rflags, true);
    yield cpu.ev(Ev.store, slots + index);
    storeByte(m, slots + index, mark_hpte_slot_valid(slot));
  }
  yield cpu.ev(Ev.pte_store, pmdp); // "No need to use ldarx/stdcx here"
  storeEntry(m, pmdp, nw & ~_PAGE_BUSY);
  cpu.leave();
  return 0;
}

// --- flushes ------------------------------------------------------------------------

/** flush_hash_page: the one HPTE of a 64 KiB pte, from the slot the pte recorded. */
export function* flush_hash_page(cpu: Cpu, ea: number, pte: number, local: boolean): Fn<void> {
  cpu.enter('flush_hash_page');
  const m = cpu.machine;
  const vsid = get_vsid(ea);
  const hidx = (pte & (_PAGE_F_SECOND | _PAGE_F_GIX)) >>> _PAGE_F_GIX_SHIFT;
  const slot = slotOf(m, hpt_hash(ea, vsid), hidx);
  yield* native_hpte_invalidate(cpu, slot, hpt_vpn(ea, vsid), ea, false, local);
  cpu.leave();
}

/**
 * flush_hash_hugepage -> native_hugepage_invalidate: every valid slot of the
 * THP's hpte_slot_array is cleared in the HPT and tlbie'd, interrupts off.
 * "IF we try to do a HUGE PTE update after a withdraw is done. we will find
 * the below NULL": then it returns and the HPTEs stay.
 */
export function* flush_hash_hugepage(cpu: Cpu, addr: number, pmdp: number, local: boolean): Fn<void> {
  cpu.enter('flush_hash_hugepage');
  const m = cpu.machine;
  const sAddr = addr - (addr % HPAGE_SIZE);
  yield cpu.ev(Ev.load, pgtableSlot(pmdp));
  const slots = loadEntry(m, pgtableSlot(pmdp)) >>> 0;
  if (slots === 0) {
    // shadow bookkeeping (not the kernel's): did the early return leave HPTEs of this THP behind?
    const left = liveHugeHptes(m, loadEntry(m, pmdp));
    if (left) {
      const kw = m.v.kernel;
      shared.add(kw, W.FLUSH_SKIPPED, 1);
      shared.store(kw, W.SKIP_CPU, cpu.id + 1);
      shared.store(kw, W.SKIP_KCLOCK, Math.floor(cpu.clock / 1000));
      shared.store(kw, W.SKIP_ADDR, pte_phys(loadEntry(m, pmdp)));
      shared.store(kw, W.SKIP_LEFT, left);
    }
    cpu.leave();
    return;
  }
  cpu.enter('native_hugepage_invalidate');
  const flags = yield* local_irq_save(cpu);
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    if (i % 8 === 0) yield cpu.ev(Ev.load, slots + i);
    const b = loadByte(m, slots + i);
    if (!hpte_valid(b)) continue;
    const ea = sAddr + i * PAGE_SIZE;
    const vsid = get_vsid(ea);
    yield* native_hpte_invalidate(cpu, slotOf(m, hpt_hash(ea, vsid), hpte_hash_index(b)), hpt_vpn(ea, vsid), ea, true, local);
  }
  yield* local_irq_restore(cpu, flags);
  cpu.leave();
  cpu.leave();
}
