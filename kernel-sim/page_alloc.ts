// Boot-time memory for page tables and data: a bump allocator over the
// simulated frames, its cursor in shared memory so every thread agrees.
import { PAGE_SIZE, type Machine } from '../emulator/machine.js';
import { K } from './kernel_words.js';

export class OutOfMemory extends Error {}

/** memblock_alloc-like: `bytes` of physical memory aligned to its own power-of-two size. */
export function memblock_alloc(m: Machine, bytes: number): number {
  const kw = m.v.kernel;
  const align = Math.max(PAGE_SIZE, 2 ** Math.ceil(Math.log2(bytes)));
  for (;;) {
    const cur = Atomics.load(kw, K.BOOT_NEXT);
    const start = Math.ceil(Math.max(cur, PAGE_SIZE) / align) * align; // frame 0 stays unused: 0 is "no table"
    const end = start + bytes;
    if (end > m.frames * PAGE_SIZE) throw new OutOfMemory(`out of simulated memory allocating ${bytes} bytes`);
    if (Atomics.compareExchange(kw, K.BOOT_NEXT, cur, end) === cur) return start;
  }
}
