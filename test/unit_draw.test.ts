// The CPU's noise draw (emulator/cpu.ts unitDraw) is pure-rand's
// unsafeUniformIntDistribution(0, 2^30 - 1) / 2^30 taken directly: the same
// values from the same generator state, so every seeded run stays the run it was.
import prand from 'pure-rand';
import t from 'tap';
import { unitDraw } from '../emulator/cpu.js';

t.test('unitDraw gives what the distribution gives, draw for draw', async (t) => {
  for (const seed of [0, 1, 3, 0x5eed, -7, 2 ** 31 - 1]) {
    const a = prand.xoroshiro128plus(seed);
    const b = prand.xoroshiro128plus(seed);
    let same = 0;
    for (let i = 0; i < 20000; i++) if (unitDraw(a) === prand.unsafeUniformIntDistribution(0, 0x3fffffff, b) / 0x40000000) same++;
    t.equal(same, 20000, `seed ${seed}: 20,000 draws agree`);
  }
});
