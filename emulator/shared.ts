// The machine's accesses to its shared words (memory, struct pages, kernel
// words, TLBs, per-CPU words), for every simulated routine and the CPU itself.
// Where several threads step CPUs over one buffer (the parallel driver's
// workers) each access is the Atomics one; where one thread steps every CPU
// it holds (the deterministic driver, in any thread) a plain typed-array access
// gives the same values in the same order, at 2 to 4 ns against 13 to 16 for
// Atomics.load, store and compareExchange (Node 20's V8 calls a builtin for each:
// bench/host_ops.ts measures both). The choice is made once per thread,
// before any routine runs, so a call site only ever sees one of the two (a
// site that has seen both costs nearly as much as Atomics).
//
// The plain forms keep Atomics' results: an index that names no element (past
// the end, negative, not whole) reads as undefined, and then Atomics itself
// takes the access, truncating the index or throwing the RangeError the CPU
// reports as the machine's addressing exception; a value is stored as a 32-bit
// integer (ToInt32), as Atomics stores it into an Int32Array. The bodies are
// kept small enough for V8 to inline them at every call site.

/** The plain forms (exported for the tests, which hold them to Atomics). */
export const plain = {
  load: (a: Int32Array, i: number): number => a[i] ?? Atomics.load(a, i),
  store: (a: Int32Array, i: number, v: number): void => {
    if (a[i] === undefined) Atomics.store(a, i, v);
    else a[i] = v;
  },
  add: (a: Int32Array, i: number, v: number): number => {
    const o = a[i];
    if (o === undefined) return Atomics.add(a, i, v);
    a[i] = o + (v | 0);
    return o;
  },
  sub: (a: Int32Array, i: number, v: number): number => {
    const o = a[i];
    if (o === undefined) return Atomics.sub(a, i, v);
    a[i] = o - (v | 0);
    return o;
  },
  and: (a: Int32Array, i: number, v: number): number => {
    const o = a[i];
    if (o === undefined) return Atomics.and(a, i, v);
    a[i] = o & v;
    return o;
  },
  or: (a: Int32Array, i: number, v: number): number => {
    const o = a[i];
    if (o === undefined) return Atomics.or(a, i, v);
    a[i] = o | v;
    return o;
  },
  exchange: (a: Int32Array, i: number, v: number): number => {
    const o = a[i];
    if (o === undefined) return Atomics.exchange(a, i, v);
    a[i] = v;
    return o;
  },
  compareExchange: (a: Int32Array, i: number, expected: number, replacement: number): number => {
    const o = a[i];
    if (o === undefined) return Atomics.compareExchange(a, i, expected, replacement);
    if (o === (expected | 0)) a[i] = replacement;
    return o;
  },
};

/** The Atomics forms: the builtins themselves, so a call site calls them with no function of ours between. */
export const atomic: typeof plain = {
  load: Atomics.load,
  store: Atomics.store as (a: Int32Array, i: number, v: number) => void,
  add: Atomics.add,
  sub: Atomics.sub,
  and: Atomics.and,
  or: Atomics.or,
  exchange: Atomics.exchange,
  compareExchange: Atomics.compareExchange,
};

// (live bindings: every importer calls whichever set this thread chose)
export let load = plain.load;
export let store = plain.store;
export let add = plain.add;
export let sub = plain.sub;
export let and = plain.and;
export let or = plain.or;
export let exchange = plain.exchange;
export let compareExchange = plain.compareExchange;

let threads: 'one' | 'several' = 'one';

/**
 * This thread steps CPUs while other threads step others over the same
 * buffer (a worker of the parallel driver): every access from here on is an
 * Atomics one. Called once, before the thread runs any routine.
 */
export function shareWithOtherThreads(): void {
  threads = 'several';
  ({ load, store, add, sub, and, or, exchange, compareExchange } = atomic);
}

/** Whether this thread's accesses are Atomics ones (shareWithOtherThreads was called). */
export const sharedWithOtherThreads = (): boolean => threads === 'several';
