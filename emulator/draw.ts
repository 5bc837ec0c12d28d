// Seeded draws on the hot path, taken directly from a pure-rand generator: the
// same values from the same state as pure-rand 7's unsafeUniformIntDistribution
// (distribution/internals/UnsafeUniformIntDistributionInternal.js), without its
// general path and its double-precision modulo. Every seeded run stays the run
// it was: test/unit_draw.test.ts holds each equal to the library, draw for draw.
import type prand from 'pure-rand';

/**
 * Uniform in [0, 1) in steps of 2^-30: unsafeUniformIntDistribution(0, 2^30 - 1, g) / 2^30.
 * A range of 2^30 divides 2^32, so the library never rejects and keeps the low 30 bits of one draw.
 */
export const unitDraw = (g: prand.RandomGenerator): number => (g.unsafeNext() & 0x3fffffff) / 0x40000000;

// the library's bound below which a draw is kept, by range size (a range above this table's computes it)
const MAX_ALLOWED = Float64Array.from({ length: 256 }, (_, n) => (n > 2 ? Math.trunc(0x100000000 / n) * n : 0x100000000));

/**
 * Uniform integer in [0, n), 1 <= n <= 2^31: unsafeUniformIntDistribution(0, n - 1, g).
 * The library draws unsafeNext() + 2^31 until it is below the largest multiple
 * of n under 2^32, then takes it modulo n; here that value is an unsigned 32-bit integer.
 */
export function drawBelow(n: number, g: prand.RandomGenerator): number {
  const maxAllowed = n < 256 ? MAX_ALLOWED[n]! : n > 2 ? Math.trunc(0x100000000 / n) * n : 0x100000000;
  let d = (g.unsafeNext() ^ 0x80000000) >>> 0;
  while (d >= maxAllowed) d = (g.unsafeNext() ^ 0x80000000) >>> 0;
  return d % n;
}
