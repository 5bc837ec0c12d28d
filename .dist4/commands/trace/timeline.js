const W = 1100, L = 90, R = 30, T = 50, LANE = 46, B = 40;
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const IRQ_TRACK = 1000;
export function timelineSvg(trace, ncpus, oops) {
    const from = Number(trace.otherData.fromUs), to = Number(trace.otherData.toUs);
    const span = Math.max(1e-6, to - from);
    const H = T + ncpus * LANE + B;
    const px = (us) => L + ((Math.min(Math.max(us, from), to) - from) / span) * (W - L - R);
    const lane = (cpu) => T + cpu * LANE;
    const out = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
        `<rect width="${W}" height="${H}" fill="white"/>`,
        `<text x="${L}" y="20" font-size="14">${esc(oops ? `${oops.kind}: ${oops.message}` : 'the end of the run')}</text>`,
        `<text x="${L}" y="36" fill="#555">the last ${span.toFixed(0)} simulated us; bars: kernel functions (outermost on top), red: interrupts off, hatched: stalls, ticks: TLB purges, dots: frees</text>`,
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#999"/></pattern></defs>',
    ];
    for (let c = 0; c < ncpus; c++) {
        out.push(`<text x="8" y="${lane(c) + 24}">CPU ${c}</text>`, `<line x1="${L}" y1="${lane(c) + LANE - 4}" x2="${W - R}" y2="${lane(c) + LANE - 4}" stroke="#ddd"/>`);
    }
    // spans: depth by containment, outermost on top, three levels drawn
    const spans = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'kernel' && e.tid < IRQ_TRACK).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const stacks = new Map();
    for (const s of spans) {
        const st = stacks.get(s.tid) ?? [];
        while (st.length && st[st.length - 1] <= s.ts)
            st.pop();
        const depth = st.length;
        st.push(s.ts + s.dur);
        stacks.set(s.tid, st);
        if (depth > 2)
            continue;
        const x = px(s.ts), w = Math.max(0.5, px(s.ts + s.dur) - x), y = lane(s.tid) + 4 + depth * 11;
        out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="10" fill="${['#9ecae1', '#c6dbef', '#deebf7'][depth]}" stroke="#6baed6" stroke-width="0.5"><title>${esc(s.name)}</title></rect>`);
        if (w > 60)
            out.push(`<text x="${(x + 2).toFixed(1)}" y="${y + 8}" font-size="8">${esc(s.name.slice(0, Math.floor(w / 5)))}</text>`);
    }
    for (const e of trace.traceEvents) {
        if (e.ph === 'X' && e.cat === 'irq' && e.tid >= IRQ_TRACK) {
            const c = e.tid - IRQ_TRACK;
            out.push(`<rect x="${px(e.ts).toFixed(1)}" y="${lane(c) + 38}" width="${Math.max(0.5, px(e.ts + e.dur) - px(e.ts)).toFixed(1)}" height="3" fill="#d62728"><title>interrupts off</title></rect>`);
        }
        else if (e.ph === 'X' && e.cat === 'stall') {
            out.push(`<rect x="${px(e.ts).toFixed(1)}" y="${lane(e.tid) + 4}" width="${Math.max(0.5, px(e.ts + e.dur) - px(e.ts)).toFixed(1)}" height="32" fill="url(#hatch)" opacity="0.6"><title>${esc(e.name)}</title></rect>`);
        }
        else if (e.ph === 'i' && e.cat === 'tlb') {
            out.push(`<line x1="${px(e.ts).toFixed(1)}" y1="${lane(e.tid) + 36}" x2="${px(e.ts).toFixed(1)}" y2="${lane(e.tid) + 42}" stroke="#2ca02c" stroke-width="0.6"><title>${esc(e.name)}</title></line>`);
        }
        else if (e.ph === 'i' && e.cat === 'mm') {
            const table = e.name === 'page table freed';
            out.push(`<circle cx="${px(e.ts).toFixed(1)}" cy="${lane(e.tid) + 40}" r="${table ? 3 : 1.2}" fill="${table ? '#ff7f0e' : '#999'}"><title>${esc(`${e.name} ${String(e.args?.pfn ?? '')}`)}</title></circle>`);
        }
    }
    // IPIs: an arrow from the sender's lane to the handler's
    const starts = new Map(trace.traceEvents.filter((e) => e.ph === 's').map((e) => [e.id, e]));
    for (const f of trace.traceEvents.filter((e) => e.ph === 'f')) {
        const s = starts.get(f.id);
        if (!s)
            continue;
        out.push(`<line x1="${px(s.ts).toFixed(1)}" y1="${lane(s.tid) + 20}" x2="${px(f.ts).toFixed(1)}" y2="${lane(f.tid) + 20}" stroke="#9467bd" stroke-width="0.7" opacity="0.7"/>`);
    }
    if (oops) {
        const o = trace.traceEvents.find((e) => e.ph === 'i' && e.cat === 'oops');
        if (o) {
            const x = px(o.ts);
            out.push(`<line x1="${x.toFixed(1)}" y1="${T - 6}" x2="${x.toFixed(1)}" y2="${H - B}" stroke="#d62728" stroke-dasharray="3 2"/>`, `<text x="${(x - 4).toFixed(1)}" y="${lane(oops.cpu) + 30}" text-anchor="end" fill="#d62728" font-weight="bold">CPU ${oops.cpu}: the access that oopsed</text>`);
        }
        // the free it hit: the last page-table free on the freeing CPU's lane
        if (oops.freer !== undefined) {
            const frees = trace.traceEvents.filter((e) => e.ph === 'i' && e.name === 'page table freed' && e.tid === oops.freer && (oops.pfn === undefined || e.args?.pfn === oops.pfn));
            const f = frees[frees.length - 1];
            if (f)
                out.push(`<text x="${(px(f.ts) + 5).toFixed(1)}" y="${lane(f.tid) + 30}" fill="#ff7f0e" font-weight="bold">CPU ${f.tid}: pte_free of the table (${esc(String(f.args?.pfn ?? ''))})</text>`);
        }
    }
    for (let i = 0; i <= 5; i++) {
        const us = from + (span * i) / 5;
        out.push(`<text x="${px(us).toFixed(1)}" y="${H - B + 16}" text-anchor="middle" fill="#555">${us.toFixed(0)} us</text>`);
    }
    out.push('</svg>');
    return out.join('\n') + '\n';
}
//# sourceMappingURL=timeline.js.map