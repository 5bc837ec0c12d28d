// Simulated physical memory as big-endian 64-bit doublewords (as on s390, and
// as page-table entries are laid out). Simulated memory stays below 2 GiB
// (LIMITS.memMiB), so an entry the kernel wrote has a zero high word and only
// the low word is compared: one Int32 access (an Atomics one about 10 ns) instead
// of a BigInt64 Atomics one (about 27 ns) per page-table access. A stray store (a write
// through a stale translation, in a kernel without KASAN) can set the high
// word: the entry then points at or above 4 GiB, beyond memory, and a load
// says so by BEYOND_MEMORY, keeping the low word's bits as they are.
import type { Machine } from './machine.js';
import * as shared from './shared.js';

/** Bit 31 of an address: at or above 2 GiB, beyond any simulated memory. */
export const BEYOND_MEMORY = 0x80000000 | 0;

/** Low word of the doubleword at physical address `addr` (8-byte aligned), BEYOND_MEMORY set if its high word is not zero. */
export function loadEntry(m: Machine, addr: number): number {
  const i = addr >>> 2;
  const low = shared.load(m.v.mem, i + 1);
  // (a plain read: the high word changes only by a stray store, never in a race the model relies on)
  return m.v.mem[i] === 0 ? low : low | BEYOND_MEMORY;
}

/** Stores the doubleword `value` (its high word zero). */
export function storeEntry(m: Machine, addr: number, value: number): void {
  const i = addr >>> 2;
  m.v.mem[i] = 0;
  shared.store(m.v.mem, i + 1, value);
}

/** Compare-and-swap of a doubleword's low word; returns the old value. */
export function cmpxchgEntry(m: Machine, addr: number, expected: number, value: number): number {
  return shared.compareExchange(m.v.mem, (addr >>> 2) + 1, expected, value);
}

/** Fills `bytes` bytes at `addr` with copies of the doubleword `value` (table initialisation). */
export function fillEntries(m: Machine, addr: number, bytes: number, value: number): void {
  const mem = m.v.mem;
  for (let a = addr >>> 2, end = (addr + bytes) >>> 2; a < end; a += 2) {
    mem[a] = 0;
    mem[a + 1] = value;
  }
}

/** A 32-bit word of user data at physical address `addr` (4-byte aligned). */
export function loadWord(m: Machine, addr: number): number {
  return shared.load(m.v.mem, addr >>> 2);
}

export function storeWord(m: Machine, addr: number, value: number): void {
  shared.store(m.v.mem, addr >>> 2, value);
}
