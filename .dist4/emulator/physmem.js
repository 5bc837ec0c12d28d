/** Low word of the doubleword at physical address `addr` (8-byte aligned). */
export function loadEntry(m, addr) {
    return Atomics.load(m.v.mem, (addr >>> 2) + 1);
}
export function storeEntry(m, addr, value) {
    Atomics.store(m.v.mem, (addr >>> 2) + 1, value);
}
/** Compare-and-swap of a doubleword's low word; returns the old value. */
export function cmpxchgEntry(m, addr, expected, value) {
    return Atomics.compareExchange(m.v.mem, (addr >>> 2) + 1, expected, value);
}
/** Fills `bytes` bytes at `addr` with copies of the doubleword `value` (table initialisation). */
export function fillEntries(m, addr, bytes, value) {
    const mem = m.v.mem;
    for (let a = addr >>> 2, end = (addr + bytes) >>> 2; a < end; a += 2) {
        mem[a] = 0;
        mem[a + 1] = value;
    }
}
/** A 32-bit word of user data at physical address `addr` (4-byte aligned). */
export function loadWord(m, addr) {
    return Atomics.load(m.v.mem, addr >>> 2);
}
export function storeWord(m, addr, value) {
    Atomics.store(m.v.mem, addr >>> 2, value);
}
//# sourceMappingURL=physmem.js.map