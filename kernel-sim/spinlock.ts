// spinlock_t and the mmap_sem rw_semaphore as words in the shared kernel
// region (include/linux/spinlock.h, kernel/locking/rwsem.c, v4.5, reduced to
// what the ordering needs: a lock word taken with compare-and-swap, spun on).
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { kwordAddr } from '../emulator/kaddr.js';
import { K } from './kernel_words.js';
import * as shared from '../emulator/shared.js';

/**
 * spin_lock. The arch says which lock it has (Arch.spinlock, copied to a
 * kernel word at boot): a compare-and-swap lock whose word holds the owner's
 * CPU number + 1 (s390, ppc64 of v4.5: whoever swaps first wins), or a lock
 * that serves waiters in arrival order (x86 qspinlock, arm64 ticket lock of
 * v4.5), modelled as a ticket lock: next ticket in the high half, owner in the low.
 */
export function* spin_lock(cpu: Cpu, word: number): Fn<void> {
  const kw = cpu.machine.v.kernel;
  if (kw[K.SPINLOCK_QUEUED] === 1) {
    yield cpu.ev(Ev.atomic, kwordAddr(word));
    const ticket = (shared.add(kw, word, 0x10000) >>> 16) & 0xffff;
    if ((shared.load(kw, word) & 0xffff) === ticket) return;
    cpu.enter('spin_lock');
    const notMine = (): boolean => (shared.load(kw, word) & 0xffff) !== ticket;
    while (notMine()) yield cpu.waitWhile(Ev.spin, kwordAddr(word), notMine);
    cpu.leave();
    return;
  }
  for (;;) {
    yield cpu.ev(Ev.atomic, kwordAddr(word));
    if (shared.compareExchange(kw, word, 0, cpu.id + 1) === 0) return;
    cpu.enter('spin_lock');
    const held = (): boolean => shared.load(kw, word) !== 0;
    while (held()) yield cpu.waitWhile(Ev.spin, kwordAddr(word), held);
    cpu.leave();
  }
}

export function* spin_unlock(cpu: Cpu, word: number): Fn<void> {
  const kw = cpu.machine.v.kernel;
  yield cpu.ev(Ev.store, kwordAddr(word));
  if (kw[K.SPINLOCK_QUEUED] !== 1) {
    shared.store(kw, word, 0);
    return;
  }
  // only the owner moves the low half; waiters add to the high half meanwhile
  for (;;) {
    const v = shared.load(kw, word);
    if (shared.compareExchange(kw, word, v, (v & ~0xffff) | ((v + 1) & 0xffff)) === v) return;
  }
}

// rw_semaphore: >0 readers, -1 a writer. Sleeping is modelled as spinning.
export function* down_read(cpu: Cpu, word: number): Fn<void> {
  const kw = cpu.machine.v.kernel;
  const tryRead = (): boolean => {
    const v = shared.load(kw, word);
    return v >= 0 && shared.compareExchange(kw, word, v, v + 1) === v;
  };
  yield* rwsemWait(cpu, word, tryRead);
}

/**
 * An rwsem's slow path, modelled as spinning: a try, then a spin and the next
 * try until one succeeds. Each try after a spin is a step of its own (the
 * compare-and-swap's atomic), which waitWhile's retry steps without resuming
 * this routine; resumed, it returns once a try has succeeded (`got`), or, run
 * outside step(), makes the try itself.
 */
function* rwsemWait(cpu: Cpu, word: number, tryIt: () => boolean): Fn<void> {
  const addr = kwordAddr(word);
  yield cpu.ev(Ev.atomic, addr);
  if (tryIt()) return;
  let got = false;
  const failed = (): boolean => !(got = tryIt());
  for (;;) {
    yield cpu.waitWhile(Ev.spin, addr, failed, Ev.atomic);
    if (got) return;
    yield cpu.ev(Ev.atomic, addr);
    if (tryIt()) return;
  }
}

export function* up_read(cpu: Cpu, word: number): Fn<void> {
  yield cpu.ev(Ev.atomic, kwordAddr(word));
  shared.sub(cpu.machine.v.kernel, word, 1);
}

export function* down_write(cpu: Cpu, word: number): Fn<void> {
  const kw = cpu.machine.v.kernel;
  yield* rwsemWait(cpu, word, () => shared.compareExchange(kw, word, 0, -1) === 0);
}

/** down_write_trylock: the semaphore for writing if nobody holds it, at one try. */
export function* down_write_trylock(cpu: Cpu, word: number): Fn<boolean> {
  yield cpu.ev(Ev.atomic, kwordAddr(word));
  return shared.compareExchange(cpu.machine.v.kernel, word, 0, -1) === 0;
}

export function* up_write(cpu: Cpu, word: number): Fn<void> {
  yield cpu.ev(Ev.store, kwordAddr(word));
  shared.store(cpu.machine.v.kernel, word, 0);
}
