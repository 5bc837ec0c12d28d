// spinlock_t and the mmap_sem rw_semaphore as words in the shared kernel
// region (include/linux/spinlock.h, kernel/locking/rwsem.c, v4.5, reduced to
// what the ordering needs: a lock word taken with compare-and-swap, spun on).
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { kwordAddr } from '../emulator/kaddr.js';

/** spin_lock: the word holds the owner's CPU number + 1. */
export function* spin_lock(cpu: Cpu, word: number): Fn<void> {
  const kw = cpu.machine.v.kernel;
  for (;;) {
    yield cpu.ev(Ev.atomic, kwordAddr(word));
    if (Atomics.compareExchange(kw, word, 0, cpu.id + 1) === 0) return;
    cpu.enter('spin_lock');
    while (Atomics.load(kw, word) !== 0) yield cpu.ev(Ev.spin, kwordAddr(word));
    cpu.leave();
  }
}

export function* spin_unlock(cpu: Cpu, word: number): Fn<void> {
  yield cpu.ev(Ev.store, kwordAddr(word));
  Atomics.store(cpu.machine.v.kernel, word, 0);
}

// rw_semaphore: >0 readers, -1 a writer. Sleeping is modelled as spinning.
export function* down_read(cpu: Cpu, word: number): Fn<void> {
  const kw = cpu.machine.v.kernel;
  for (;;) {
    yield cpu.ev(Ev.atomic, kwordAddr(word));
    const v = Atomics.load(kw, word);
    if (v >= 0 && Atomics.compareExchange(kw, word, v, v + 1) === v) return;
    yield cpu.ev(Ev.spin, kwordAddr(word));
  }
}

export function* up_read(cpu: Cpu, word: number): Fn<void> {
  yield cpu.ev(Ev.atomic, kwordAddr(word));
  Atomics.sub(cpu.machine.v.kernel, word, 1);
}

export function* down_write(cpu: Cpu, word: number): Fn<void> {
  const kw = cpu.machine.v.kernel;
  for (;;) {
    yield cpu.ev(Ev.atomic, kwordAddr(word));
    if (Atomics.compareExchange(kw, word, 0, -1) === 0) return;
    yield cpu.ev(Ev.spin, kwordAddr(word));
  }
}

export function* up_write(cpu: Cpu, word: number): Fn<void> {
  yield cpu.ev(Ev.store, kwordAddr(word));
  Atomics.store(cpu.machine.v.kernel, word, 0);
}
