// The hot path's draws (emulator/draw.ts) are pure-rand's
// unsafeUniformIntDistribution taken directly: the same values from the same
// generator state, so every seeded run stays the run it was.
import prand from 'pure-rand';
import t from 'tap';
import { drawBelow, unitDraw } from '../emulator/draw.js';

t.test('unitDraw gives what the distribution gives, draw for draw', async (t) => {
  for (const seed of [0, 1, 3, 0x5eed, -7, 2 ** 31 - 1]) {
    const a = prand.xoroshiro128plus(seed);
    const b = prand.xoroshiro128plus(seed);
    let same = 0;
    for (let i = 0; i < 20000; i++) if (unitDraw(a) === prand.unsafeUniformIntDistribution(0, 0x3fffffff, b) / 0x40000000) same++;
    t.equal(same, 20000, `seed ${seed}: 20,000 draws agree`);
  }
});

t.test('drawBelow gives what the distribution gives, for every range the driver draws in and beyond', async (t) => {
  for (const n of [1, 2, 3, 5, 7, 8, 63, 64, 100, 189, 190, 255, 256, 257, 1000, 0x7fffffff, 0x80000000]) {
    const a = prand.xoroshiro128plus(n);
    const b = prand.xoroshiro128plus(n);
    let same = 0;
    for (let i = 0; i < 5000; i++) if (drawBelow(n, a) === prand.unsafeUniformIntDistribution(0, n - 1, b)) same++;
    t.equal(same, 5000, `n = ${n}: 5,000 draws agree`);
  }
});
