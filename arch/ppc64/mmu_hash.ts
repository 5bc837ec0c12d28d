// The hashed page table (HPT) of a Book3S 64 processor and the native
// routines Linux manages it with. HPTE format and hashing: Power ISA 2.07
// Book III-S, 5.7.7 "Page Table", as arch/powerpc/include/asm/mmu-hash64.h
// (v4.4) encodes it; insert, remove, update, invalidate and tlbie as
// arch/powerpc/mm/hash_native_64.c; htab_initialize's sizing as
// arch/powerpc/mm/hash_utils_64.c (Linux v4.4/v4.5).
//
// The hardware searches the HPT on an ERAT/TLB miss and never reads Linux's
// page table; the model's per-CPU TLB (arch/tlb.ts) caches what it finds.
// A tlbie is broadcast on the fabric: every processor drops matching
// entries, interrupts off or not, and no processor is interrupted.
import type { Cpu, Fn } from '../../emulator/cpu.js';
import { Ev } from '../../emulator/events.js';
import { kwordAddr } from '../../emulator/kaddr.js';
import type { Machine } from '../../emulator/machine.js';
import { K } from '../../kernel-sim/kernel_words.js';
import { local_irq_restore, local_irq_save } from '../../kernel-sim/irqflags.js';
import { freeSeq } from '../../kernel-sim/mm_types.js';
import { spin_lock, spin_unlock } from '../../kernel-sim/spinlock.js';
import { tlbPurgeVa } from '../tlb.js';
import { ppc64Costs } from './costs.js';
import { HPAGE_SHIFT, MAX_PFNS, PAGE_SHIFT, PAGE_SIZE } from './pgtable.js';
import * as shared from '../../emulator/shared.js';

// --- HPTE, mmu-hash64.h (v4.4) ---------------------------------------------
export const HPTES_PER_GROUP = 8;
export const HPTE_BYTES = 16;           // struct hash_pte { __be64 v; __be64 r; }
export const HPTE_V_AVPN_SHIFT = 7;
export const HPTE_V_BOLTED = 0x10;
export const HPTE_V_LOCK = 0x08;        // software lock bit (HPTE_LOCK_BIT 3 on big-endian)
export const HPTE_V_LARGE = 0x04;
export const HPTE_V_SECONDARY = 0x02;
export const HPTE_V_VALID = 0x01;
export const HPTE_R_PP = 0x3;
export const HPTE_R_N = 0x4;
export const HPTE_R_M = 0x10;
export const HPTE_R_C = 0x80;
export const LP_SHIFT = 12;
export const VPN_SHIFT = 12;
export const SID_SHIFT = 28;            // 256 MiB segments below 1 TiB (user_segment_size)
export const HPTE_LOCAL_UPDATE = 0x1;
export const HPTE_NOHPTE_UPDATE = 0x2;
/**
 * LP encodings of the actual page sizes a segment with a 64 KiB base page
 * allows (POWER7/POWER8 MPSS): 64 KiB 0x1, 16 MiB 0x8. As the firmware's
 * ibm,segment-page-sizes gives them and QEMU's target/ppc/mmu-hash64.c
 * (ppc_hash64_opts_POWER7) lists them.
 */
export const PENC_64K = 0x1;
export const PENC_16M = 0x8;

// --- VSIDs, mmu-hash64.h (v4.4) ----------------------------------------------
const CONTEXT_BITS = 19n;
const ESID_BITS = 18n;
const VSID_MULTIPLIER_256M = 12538073n;
const VSID_MODULUS_256M = (1n << (CONTEXT_BITS + ESID_BITS)) - 1n;
/** mm->context.id of the one process: the first id __init_new_context hands out */
export const MM_CONTEXT_ID = 1;

// (sizes computed once: `2 ** SHIFT` in a function is a call of pow at every use)
const SID_SIZE = 2 ** SID_SHIFT;
const VPN_UNIT = 2 ** VPN_SHIFT;
const VPNS_PER_SID = 2 ** (SID_SHIFT - VPN_SHIFT);
const AVPN_UNIT = 2 ** (23 - VPN_SHIFT);
const AVPN_FIELD = 2 ** HPTE_V_AVPN_SHIFT;
const HPAGE_SIZE = 2 ** HPAGE_SHIFT;
const WORD = 2 ** 32;

const vsidCache = new Map<number, number>();
/** get_vsid(context, ea, MMU_SEGSIZE_256M): vsid_scramble of the proto-VSID */
export function get_vsid(ea: number): number {
  const esid = Math.floor(ea / SID_SIZE);
  let v = vsidCache.get(esid);
  if (v === undefined) {
    const proto = (BigInt(MM_CONTEXT_ID) << ESID_BITS) | BigInt(esid);
    v = Number((proto * VSID_MULTIPLIER_256M) % VSID_MODULUS_256M);
    vsidCache.set(esid, v);
  }
  return v;
}

/** hpt_vpn: the VSID-qualified page number in 4 KiB units (VPN_SHIFT), up to 53 bits */
export const hpt_vpn = (ea: number, vsid: number): number =>
  vsid * VPNS_PER_SID + (Math.floor(ea / VPN_UNIT) % VPNS_PER_SID);

/**
 * hpt_hash(vpn, shift, 256M): vsid ^ page index within the segment at the
 * base page size. Only the bits below htab_hash_mask are ever used, and
 * those the 32-bit XOR gives exactly.
 */
export const hpt_hash = (ea: number, vsid: number): number =>
  (vsid ^ (Math.floor((ea % SID_SIZE) / PAGE_SIZE))) >>> 0;

/** hpte_encode_avpn(vpn, MMU_PAGE_64K, 256M) as the two words of HPTE dword 0 (avpnm is 0 for 64K) */
export function hpte_encode_avpn(vpn: number): [hi: number, lo: number] {
  const v = Math.floor(vpn / AVPN_UNIT) * AVPN_FIELD;
  return [Math.floor(v / WORD), (v % WORD) | 0];
}

/** hpte_encode_r(pa, 64K, apsize): the real page number and the LP field of the actual size */
export const hpte_encode_r = (pa: number, large: boolean): number =>
  large ? (pa - (pa % HPAGE_SIZE)) | (PENC_16M << LP_SHIFT) : (pa - (pa % PAGE_SIZE)) | (PENC_64K << LP_SHIFT);

// --- where the machine keeps the HPT: words of the arch's kernel area ----------
export const W = {
  HTAB: K.ARCH,            // htab_address (physical)
  HASH_MASK: K.ARCH + 1,   // htab_hash_mask
  SHADOW: K.ARCH + 2,      // shadow of every HPTE (not hardware): who inserted it, when
  TLBIE_LOCK: K.ARCH + 3,  // native_tlbie_lock (taken where MMU_FTR_LOCKLESS_TLBIE is missing)
  TLBIES: K.ARCH + 4,      // tlbie/tlbiel issued
  HASH_FAULTS: K.ARCH + 5, // hash_page calls
  FLUSH_SKIPPED: K.ARCH + 6, // flush_hash_hugepage calls that found no hpte_slot_array with HPTEs still live
  SKIP_CPU: K.ARCH + 7,    // the last such call: CPU + 1, clock in thousands, address, HPTEs it left
  SKIP_KCLOCK: K.ARCH + 8,
  SKIP_ADDR: K.ARCH + 9,
  INSERTS: K.ARCH + 10,    // HPTEs inserted (16 MiB ones in INSERTS_16M)
  INSERTS_16M: K.ARCH + 11,
  SKIP_LEFT: K.ARCH + 12,
} as const;
/** shadow words per HPTE: the free sequence number at insert, CPU + 1, its clock in thousands, 1 for 16 MiB */
const SHADOW_WORDS = 4;

/**
 * htab_initialize (hash_utils_64.c): the table gets max(2^11, memory / 2 /
 * PAGE_SIZE) PTEGs of 128 bytes (htab_get_table_size), aligned to its size,
 * zeroed. Its shadow goes beside it.
 */
export function htab_initialize(m: Machine, alloc: (bytes: number) => number): void {
  if (m.frames > MAX_PFNS) {
    throw new Error(`ppc64: the model keeps a pte's RPN in bits 19-31, which address ${MAX_PFNS * PAGE_SIZE / 2 ** 20} MiB; ${m.cfg.memMiB} MiB is more`);
  }
  const memBytes = m.frames * PAGE_SIZE;
  const rnd = 2 ** Math.ceil(Math.log2(memBytes));
  const ptegCount = Math.max(rnd / 2 ** (PAGE_SHIFT + 1), 2 ** 11);
  const bytes = ptegCount * HPTES_PER_GROUP * HPTE_BYTES;
  const htab = alloc(bytes);
  const shadow = alloc(ptegCount * HPTES_PER_GROUP * SHADOW_WORDS * 4);
  m.v.mem.fill(0, htab >>> 2, (htab + bytes) >>> 2);
  const kw = m.v.kernel;
  shared.store(kw, W.HTAB, htab);
  shared.store(kw, W.HASH_MASK, ptegCount - 1);
  shared.store(kw, W.SHADOW, shadow);
}

export const htab = (m: Machine): number => shared.load(m.v.kernel, W.HTAB);
export const htabHashMask = (m: Machine): number => shared.load(m.v.kernel, W.HASH_MASK);
export const hpteAddr = (m: Machine, slot: number): number => htab(m) + slot * HPTE_BYTES;
/** the first slot of the group `hash` selects */
export const groupOf = (m: Machine, hash: number): number => ((hash & htabHashMask(m)) >>> 0) * HPTES_PER_GROUP;

// the two words of each doubleword: HPTE dword 0 (v) at +0, dword 1 (r) at +8
export const hpteVhi = (m: Machine, a: number): number => shared.load(m.v.mem, a >>> 2);
export const hpteV = (m: Machine, a: number): number => shared.load(m.v.mem, (a >>> 2) + 1);
export const hpteR = (m: Machine, a: number): number => shared.load(m.v.mem, (a >>> 2) + 3);

/** What the shadow knows of the HPTE in `slot`. */
export function hpteShadow(m: Machine, slot: number): { seq: number; cpu: number; kclock: number; large: boolean } {
  const b = (shared.load(m.v.kernel, W.SHADOW) >>> 2) + slot * SHADOW_WORDS;
  const mem = m.v.mem;
  return { seq: mem[b]!, cpu: mem[b + 1]! - 1, kclock: mem[b + 2]!, large: mem[b + 3] === 1 };
}

function setShadow(cpu: Cpu, slot: number, large: boolean): void {
  const m = cpu.machine;
  const b = (shared.load(m.v.kernel, W.SHADOW) >>> 2) + slot * SHADOW_WORDS;
  const mem = m.v.mem;
  mem[b] = freeSeq(m);
  mem[b + 1] = cpu.id + 1;
  mem[b + 2] = Math.floor(cpu.clock / 1000);
  mem[b + 3] = large ? 1 : 0;
}

/** The HPTE the hardware finds for `ea` (primary group, then secondary), or null. */
export function hpte_find(m: Machine, ea: number): { slot: number; v: number; r: number; large: boolean } | null {
  const vsid = get_vsid(ea);
  const [wantHi, wantLo] = hpte_encode_avpn(hpt_vpn(ea, vsid));
  const hash = hpt_hash(ea, vsid);
  for (const secondary of [false, true]) {
    const group = groupOf(m, secondary ? ~hash : hash);
    for (let i = 0; i < HPTES_PER_GROUP; i++) {
      const hit = hpte_match(m, group + i, wantHi, wantLo, secondary);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * Whether the HPTE in `slot` translates the access whose AVPN is
 * (wantHi, wantLo): valid, in the group its H bit says, a size the 64 KiB
 * segment allows (decoded from L and LP), and the AVPN equal above the page
 * offset: for a 16 MiB page the AVPN's lowest bit (VA bit 23) is offset.
 */
export function hpte_match(m: Machine, slot: number, wantHi: number, wantLo: number, secondary: boolean): { slot: number; v: number; r: number; large: boolean } | null {
  const a = hpteAddr(m, slot);
  const v = hpteV(m, a);
  if ((v & HPTE_V_VALID) === 0 || (v & HPTE_V_LARGE) === 0 || ((v & HPTE_V_SECONDARY) !== 0) !== secondary) return null;
  const r = hpteR(m, a);
  const lp = (r >>> LP_SHIFT) & 0xff;
  const large = lp === PENC_16M;
  if (!large && (lp & 0xf) !== PENC_64K) return null;
  if (hpteVhi(m, a) !== wantHi || ((v ^ wantLo) & (large ? ~0xff : ~0x7f)) !== 0) return null;
  return { slot, v, r, large };
}

// --- byte access: the hpte_slot_array is a char array in a page table -------------
export function loadByte(m: Machine, a: number): number {
  return (shared.load(m.v.mem, a >>> 2) >>> (24 - 8 * (a & 3))) & 0xff;
}

/** stb: one byte of a big-endian word, the other three untouched */
export function storeByte(m: Machine, a: number, b: number): void {
  const mem = m.v.mem;
  const i = a >>> 2;
  const shift = 24 - 8 * (a & 3);
  for (;;) {
    const old = shared.load(mem, i);
    if (shared.compareExchange(mem, i, old, (old & ~(0xff << shift)) | ((b & 0xff) << shift)) === old) return;
  }
}

// --- the native hash table routines (hash_native_64.c) -----------------------

function* native_lock_hpte(cpu: Cpu, a: number): Fn<void> {
  const mem = cpu.machine.v.mem;
  for (;;) {
    yield cpu.ev(Ev.atomic, a);
    if ((shared.or(mem, (a >>> 2) + 1, HPTE_V_LOCK) & HPTE_V_LOCK) === 0) return;
    const locked = (): boolean => (shared.load(mem, (a >>> 2) + 1) & HPTE_V_LOCK) !== 0;
    while (locked()) yield cpu.waitWhile(Ev.spin, a, locked);
  }
}

function* native_unlock_hpte(cpu: Cpu, a: number): Fn<void> {
  yield cpu.ev(Ev.store, a);
  shared.and(cpu.machine.v.mem, (a >>> 2) + 1, ~HPTE_V_LOCK);
}

/** Clears dword 0: invalid, and unlocked ("NOTE: this also unlocks the hpte"). */
function* hpte_clear_v(cpu: Cpu, a: number): Fn<void> {
  yield cpu.ev(Ev.pte_store, a);
  shared.store(cpu.machine.v.mem, a >>> 2, 0);
  shared.store(cpu.machine.v.mem, (a >>> 2) + 1, 0);
}

/**
 * native_hpte_insert: the first invalid HPTE of the group, taken under its
 * lock; dword 1 is written before dword 0 makes it valid. Returns the slot
 * within the group with the secondary bit (hidx), or -1 when it is full.
 */
export function* native_hpte_insert(
  cpu: Cpu, group: number, vpn: number, pa: number, rflags: number, vflags: number, large: boolean,
): Fn<number> {
  cpu.enter('native_hpte_insert');
  const m = cpu.machine;
  let i = 0;
  for (; i < HPTES_PER_GROUP; i++) {
    const a = hpteAddr(m, group + i);
    yield cpu.ev(Ev.load, a);
    if ((hpteV(m, a) & HPTE_V_VALID) === 0) {
      yield* native_lock_hpte(cpu, a);
      if ((hpteV(m, a) & HPTE_V_VALID) === 0) break;
      yield* native_unlock_hpte(cpu, a);
    }
  }
  if (i === HPTES_PER_GROUP) { cpu.leave(); return -1; }
  const a = hpteAddr(m, group + i);
  const [hi, lo] = hpte_encode_avpn(vpn);
  const mem = m.v.mem;
  yield cpu.ev(Ev.pte_store, a + 8);
  shared.store(mem, (a >>> 2) + 2, 0);
  shared.store(mem, (a >>> 2) + 3, hpte_encode_r(pa, large) | rflags);
  setShadow(cpu, group + i, large);
  // eieio, then dword 0 with the valid bit (which also unlocks it); ptesync
  yield cpu.ev(Ev.pte_store, a);
  shared.store(mem, a >>> 2, hi);
  shared.store(mem, (a >>> 2) + 1, lo | HPTE_V_LARGE | vflags | HPTE_V_VALID);
  shared.add(m.v.kernel, large ? W.INSERTS_16M : W.INSERTS, 1);
  cpu.leave();
  return i | ((vflags & HPTE_V_SECONDARY) !== 0 ? 8 : 0);
}

/**
 * native_hpte_remove: evicts a valid, unbolted HPTE of a full group, from a
 * random start (mftb() & 7). No tlbie: "we assume the old translation is
 * still technically valid".
 */
export function* native_hpte_remove(cpu: Cpu, group: number): Fn<number> {
  cpu.enter('native_hpte_remove');
  const m = cpu.machine;
  let off = cpu.random(HPTES_PER_GROUP);
  for (let i = 0; i < HPTES_PER_GROUP; i++) {
    const a = hpteAddr(m, group + off);
    yield cpu.ev(Ev.load, a);
    let v = hpteV(m, a);
    if (v & HPTE_V_VALID && !(v & HPTE_V_BOLTED)) {
      yield* native_lock_hpte(cpu, a);
      v = hpteV(m, a);
      if (v & HPTE_V_VALID && !(v & HPTE_V_BOLTED)) {
        yield* hpte_clear_v(cpu, a);
        cpu.leave();
        return off;
      }
      yield* native_unlock_hpte(cpu, a);
    }
    off = (off + 1) & 7;
  }
  cpu.leave();
  return -1;
}

/** HPTE_V_COMPARE against hpte_encode_avpn(vpn, 64K base): AVPN and B equal */
function avpnEqual(m: Machine, a: number, vpn: number): boolean {
  const [hi, lo] = hpte_encode_avpn(vpn);
  return hpteVhi(m, a) === hi && ((hpteV(m, a) ^ lo) & ~0x7f) === 0;
}

/**
 * native_hpte_updatepp: new PP/N bits in a matching HPTE; -1 when the slot
 * holds another translation. The tlbie is skipped for a fault that found no
 * HPTE (HPTE_NOHPTE_UPDATE).
 */
export function* native_hpte_updatepp(cpu: Cpu, slot: number, newpp: number, vpn: number, ea: number, large: boolean, flags: number): Fn<number> {
  cpu.enter('native_hpte_updatepp');
  const m = cpu.machine;
  const a = hpteAddr(m, slot);
  let ret = 0;
  yield cpu.ev(Ev.load, a);
  if (!avpnEqual(m, a, vpn) || (hpteV(m, a) & HPTE_V_VALID) === 0) {
    ret = -1;
  } else {
    yield* native_lock_hpte(cpu, a);
    if (!avpnEqual(m, a, vpn) || (hpteV(m, a) & HPTE_V_VALID) === 0) {
      ret = -1;
    } else {
      yield cpu.ev(Ev.pte_store, a + 8);
      const r = hpteR(m, a);
      shared.store(m.v.mem, (a >>> 2) + 3, (r & ~(HPTE_R_PP | HPTE_R_N)) | (newpp & (HPTE_R_PP | HPTE_R_N | HPTE_R_C)));
    }
    yield* native_unlock_hpte(cpu, a);
  }
  if (!(flags & HPTE_NOHPTE_UPDATE)) yield* tlbie(cpu, ea, large, (flags & HPTE_LOCAL_UPDATE) !== 0);
  cpu.leave();
  return ret;
}

/** native_hpte_invalidate: clear a matching HPTE and tlbie its address, interrupts off. */
export function* native_hpte_invalidate(cpu: Cpu, slot: number, vpn: number, ea: number, large: boolean, local: boolean): Fn<void> {
  cpu.enter('native_hpte_invalidate');
  const m = cpu.machine;
  const flags = yield* local_irq_save(cpu);
  const a = hpteAddr(m, slot);
  yield* native_lock_hpte(cpu, a);
  if (!avpnEqual(m, a, vpn) || (hpteV(m, a) & HPTE_V_VALID) === 0) yield* native_unlock_hpte(cpu, a);
  else yield* hpte_clear_v(cpu, a);
  // "We need to invalidate the TLB always because hpte_remove doesn't do a tlb invalidate"
  yield* tlbie(cpu, ea, large, local);
  yield* local_irq_restore(cpu, flags);
  cpu.leave();
}

/**
 * tlbie (or tlbiel for an mm only this CPU runs): every processor drops its
 * translations of the page at `ea` of that size; the CPUs that have
 * interrupts off lose theirs all the same. "eieio; tlbsync; ptesync" then
 * waits until all have. native_tlbie_lock serialises tlbies where the CPU
 * lacks MMU_FTR_LOCKLESS_TLBIE (POWER4 and PPC970; POWER5 and later have it).
 */
export function* tlbie(cpu: Cpu, ea: number, large: boolean, local: boolean): Fn<void> {
  const m = cpu.machine;
  const costs = ppc64Costs(m);
  const lock = !costs.locklessTlbie.value && !local;
  if (lock) yield* spin_lock(cpu, W.TLBIE_LOCK);
  shared.add(m.v.kernel, W.TLBIES, 1);
  if (local) {
    cpu.enter('tlbiel');
    yield cpu.ev(Ev.tlb_flush_local, ea);
    tlbPurgeVa(m, [cpu.id], ea, HPAGE_SHIFT, large);
  } else {
    cpu.enter('tlbie');
    yield cpu.ev(large ? Ev.idte : Ev.ipte, ea);
    tlbPurgeVa(m, Array.from({ length: m.ncpus }, (_, i) => i), ea, HPAGE_SHIFT, large);
    yield cpu.ev(Ev.work, kwordAddr(W.TLBIES), costs.tlbsync.cycles);
  }
  cpu.leave();
  if (lock) yield* spin_unlock(cpu, W.TLBIE_LOCK);
}
