import t from 'tap';
import { allocate, attach, place } from '../emulator/layout.js';
const spec = {
    a: { kind: 'i32', length: 3 },
    b: { kind: 'f64', length: 2 },
    c: { kind: 'u8', length: 5 },
};
t.test('regions are placed in order on 64-byte boundaries', async (t) => {
    const { regions, byteLength } = place(spec);
    t.same(regions.map((r) => [r.name, r.byteOffset]), [['a', 0], ['b', 64], ['c', 128]]);
    t.equal(byteLength, 192);
});
t.test('views of another thread share the memory', async (t) => {
    const { buffer, views } = allocate(spec);
    const other = attach(spec, buffer);
    views.a[2] = 42;
    other.b[1] = 2.5;
    t.equal(other.a[2], 42);
    t.equal(views.b[1], 2.5);
    t.equal(views.c.length, 5);
});
t.test('a buffer of the wrong size is refused', async (t) => {
    t.throws(() => attach(spec, new SharedArrayBuffer(64)), { name: 'LayoutError', message: /buffer has 64 bytes, layout needs 192/ });
});
t.test('a bad region length is refused with its name', async (t) => {
    t.throws(() => place({ x: { kind: 'i32', length: -1 } }), /region 'x'/);
    t.throws(() => place({ y: { kind: 'i32', length: 1.5 } }), /region 'y'/);
});
//# sourceMappingURL=layout.test.js.map