// 2^i for the shifts the model divides by. In V8 `2 ** x` is a call of pow at
// every evaluation, constant x or not (about 80 ns, against 5 for a load):
// in hot code a size is a constant computed once, or read from this table.
const POW2 = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

/** 2^i, i a whole number in [0, 63] */
export const pow2 = (i: number): number => POW2[i]!;
