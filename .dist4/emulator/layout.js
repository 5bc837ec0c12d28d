// Typed layout over one SharedArrayBuffer: named regions, each a typed array
// view at a fixed, aligned offset. Offsets are computed and checked once; an
// access afterwards is a plain typed-array access with no wrapper in between.
const BYTES = { i32: 4, f64: 8, u8: 1 };
// Regions start on a 64-byte boundary so that no two regions share a host cache line.
const ALIGN = 64;
// V8 caps a SharedArrayBuffer below 2^53, but a typed array view at 2^32 elements; stay far below.
export const MAX_LAYOUT_BYTES = 4 * 1024 * 1024 * 1024 - ALIGN;
export class LayoutError extends Error {
    name = 'LayoutError';
}
/** Computes the placement of every region; throws LayoutError on a bad spec. */
export function place(spec) {
    let offset = 0;
    const regions = [];
    for (const [name, r] of Object.entries(spec)) {
        if (!Number.isSafeInteger(r.length) || r.length < 0) {
            throw new LayoutError(`region '${name}': length must be a non-negative integer, got ${r.length}`);
        }
        if (!(r.kind in BYTES))
            throw new LayoutError(`region '${name}': kind must be i32, f64 or u8, got ${r.kind}`);
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
function view(buf, p) {
    switch (p.kind) {
        case 'i32': return new Int32Array(buf, p.byteOffset, p.length);
        case 'f64': return new Float64Array(buf, p.byteOffset, p.length);
        case 'u8': return new Uint8Array(buf, p.byteOffset, p.length);
    }
}
/** A new zeroed buffer for `spec` and its views. */
export function allocate(spec) {
    const { byteLength } = place(spec);
    const buffer = new SharedArrayBuffer(byteLength);
    return { buffer, views: attach(spec, buffer) };
}
/** Views of `spec` over an existing buffer (another thread's); the size must match exactly. */
export function attach(spec, buffer) {
    const { regions, byteLength } = place(spec);
    if (buffer.byteLength !== byteLength) {
        throw new LayoutError(`buffer has ${buffer.byteLength} bytes, layout needs ${byteLength}`);
    }
    const out = {};
    for (const p of regions)
        out[p.name] = view(buffer, p);
    return out;
}
//# sourceMappingURL=layout.js.map