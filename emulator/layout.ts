// Typed layout over one SharedArrayBuffer: named regions, each a typed array
// view at a fixed, aligned offset. Offsets are computed and checked once; an
// access afterwards is a plain typed-array access with no wrapper in between.

export type RegionKind = 'i32' | 'f64' | 'u8';

export interface RegionSpec {
  readonly kind: RegionKind;
  /** number of elements (not bytes) */
  readonly length: number;
}

export type LayoutSpec = Readonly<Record<string, RegionSpec>>;

type ViewOf<K extends RegionKind> = K extends 'i32' ? Int32Array : K extends 'f64' ? Float64Array : Uint8Array;

export type Views<S extends LayoutSpec> = { readonly [N in keyof S]: ViewOf<S[N]['kind']> };

const BYTES: Record<RegionKind, number> = { i32: 4, f64: 8, u8: 1 };
// Regions start on a 64-byte boundary so that no two regions share a host cache line.
const ALIGN = 64;
// V8 caps a SharedArrayBuffer below 2^53, but a typed array view at 2^32 elements; stay far below.
export const MAX_LAYOUT_BYTES = 4 * 1024 * 1024 * 1024 - ALIGN;

export interface Placed {
  readonly name: string;
  readonly kind: RegionKind;
  readonly byteOffset: number;
  readonly length: number;
}

export class LayoutError extends Error {
  override name = 'LayoutError';
}

/** Computes the placement of every region; throws LayoutError on a bad spec. */
export function place(spec: LayoutSpec): { regions: Placed[]; byteLength: number } {
  let offset = 0;
  const regions: Placed[] = [];
  for (const [name, r] of Object.entries(spec)) {
    if (!Number.isSafeInteger(r.length) || r.length < 0) {
      throw new LayoutError(`region '${name}': length must be a non-negative integer, got ${r.length}`);
    }
    if (!(r.kind in BYTES)) throw new LayoutError(`region '${name}': kind must be i32, f64 or u8, got ${r.kind}`);
    offset = Math.ceil(offset / ALIGN) * ALIGN;
    regions.push({ name, kind: r.kind, byteOffset: offset, length: r.length });
    offset += r.length * BYTES[r.kind];
  }
  const byteLength = Math.ceil(offset / ALIGN) * ALIGN;
  if (byteLength > MAX_LAYOUT_BYTES) {
    throw new LayoutError(`layout needs ${byteLength} bytes, more than the ${MAX_LAYOUT_BYTES} allowed`);
  }
  return { regions, byteLength };
}

function view(buf: SharedArrayBuffer, p: Placed): Int32Array | Float64Array | Uint8Array {
  switch (p.kind) {
    case 'i32': return new Int32Array(buf, p.byteOffset, p.length);
    case 'f64': return new Float64Array(buf, p.byteOffset, p.length);
    case 'u8': return new Uint8Array(buf, p.byteOffset, p.length);
  }
}

/** A new zeroed buffer for `spec` and its views. */
export function allocate<S extends LayoutSpec>(spec: S): { buffer: SharedArrayBuffer; views: Views<S> } {
  const { byteLength } = place(spec);
  const buffer = new SharedArrayBuffer(byteLength);
  return { buffer, views: attach(spec, buffer) };
}

/** Views of `spec` over an existing buffer (another thread's); the size must match exactly. */
export function attach<S extends LayoutSpec>(spec: S, buffer: SharedArrayBuffer): Views<S> {
  const { regions, byteLength } = place(spec);
  if (buffer.byteLength !== byteLength) {
    throw new LayoutError(`buffer has ${buffer.byteLength} bytes, layout needs ${byteLength}`);
  }
  // (Object.fromEntries keeps the object's properties fast, and every machine's views of one
  // spec share a map; added one by one under computed names, past 16 they fall to a dictionary,
  // and every region load in the simulation was a dictionary lookup: test/layout.test.ts)
  return Object.fromEntries(regions.map((p) => [p.name, view(buffer, p)])) as Views<S>;
}
