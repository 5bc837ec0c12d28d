// Simulated physical memory as big-endian 64-bit doublewords (as on s390, and
// as page-table entries are laid out). Simulated memory stays below 2 GiB
// (LIMITS.memMiB), so every entry's high word is zero and only the low word
// is stored and compared: one Int32 Atomics op (about 10 ns) instead of a
// BigInt64 one (about 27 ns) per page-table access.
import type { Machine } from './machine.js';

/** Low word of the doubleword at physical address `addr` (8-byte aligned). */
export function loadEntry(m: Machine, addr: number): number {
  return Atomics.load(m.v.mem, (addr >>> 2) + 1);
}

export function storeEntry(m: Machine, addr: number, value: number): void {
  Atomics.store(m.v.mem, (addr >>> 2) + 1, value);
}

/** Compare-and-swap of a doubleword's low word; returns the old value. */
export function cmpxchgEntry(m: Machine, addr: number, expected: number, value: number): number {
  return Atomics.compareExchange(m.v.mem, (addr >>> 2) + 1, expected, value);
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
  return Atomics.load(m.v.mem, addr >>> 2);
}

export function storeWord(m: Machine, addr: number, value: number): void {
  Atomics.store(m.v.mem, addr >>> 2, value);
}
