const W = 720, H = 440, L = 70, R = 190, T = 40, B = 50;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
export function latencyPlot(rows, hold) {
    const kick = rows.filter((r) => r.call === 'kick_all_cpus_sync');
    const series = new Map();
    for (const r of kick) {
        const key = `${r.arch} (${r.machine})${r.held ? `, 1 CPU held ${hold.toLocaleString('en-US')} cycles` : ', idle'}`;
        series.set(key, [...(series.get(key) ?? []), r]);
    }
    const xs = kick.map((r) => r.cpus);
    const ys = kick.map((r) => r.medianUs);
    const x0 = Math.log2(Math.min(...xs)), x1 = Math.log2(Math.max(...xs));
    const y0 = Math.floor(Math.log10(Math.min(...ys))), y1 = Math.ceil(Math.log10(Math.max(...ys)));
    const px = (c) => L + ((Math.log2(c) - x0) / Math.max(1e-9, x1 - x0)) * (W - L - R);
    const py = (us) => H - B - ((Math.log10(us) - y0) / Math.max(1e-9, y1 - y0)) * (H - T - B);
    const out = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
        `<rect width="${W}" height="${H}" fill="white"/>`,
        `<text x="${L}" y="22" font-size="15">kick_all_cpus_sync() latency, median (simulated)</text>`,
        `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
        `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
        `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">simulated CPUs</text>`,
        `<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">microseconds</text>`,
    ];
    for (const c of [...new Set(xs)].sort((a, b) => a - b)) {
        out.push(`<line x1="${px(c)}" y1="${H - B}" x2="${px(c)}" y2="${H - B + 5}" stroke="black"/>`, `<text x="${px(c)}" y="${H - B + 18}" text-anchor="middle">${c}</text>`);
    }
    for (let e = y0; e <= y1; e++) {
        const v = 10 ** e;
        out.push(`<line x1="${L - 5}" y1="${py(v)}" x2="${W - R}" y2="${py(v)}" stroke="#ddd"/>`, `<text x="${L - 8}" y="${py(v) + 4}" text-anchor="end">${v}</text>`);
    }
    let i = 0;
    for (const [name, pts] of series) {
        const color = COLORS[i % COLORS.length];
        const sorted = [...pts].sort((a, b) => a.cpus - b.cpus);
        out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map((p) => `${px(p.cpus).toFixed(1)},${py(p.medianUs).toFixed(1)}`).join(' ')}"/>`);
        for (const p of sorted)
            out.push(`<circle cx="${px(p.cpus).toFixed(1)}" cy="${py(p.medianUs).toFixed(1)}" r="3" fill="${color}"/>`);
        out.push(`<line x1="${W - R + 12}" y1="${T + 10 + i * 20}" x2="${W - R + 32}" y2="${T + 10 + i * 20}" stroke="${color}" stroke-width="2"/>`, `<text x="${W - R + 38}" y="${T + 14 + i * 20}" font-size="11">${esc(name)}</text>`);
        i++;
    }
    out.push('</svg>');
    return out.join('\n') + '\n';
}
//# sourceMappingURL=svg.js.map