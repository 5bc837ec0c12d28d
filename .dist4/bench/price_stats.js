// The statistics of bench ipi's fix price: a mean with its 95% interval over
// a few runs (Student's t, the runs being the samples), and whether two
// kernels' runs differ (Welch's two-sample t-test, unequal variances).
import ttest2 from '@stdlib/stats-ttest2';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
/** The mean of `xs` with a two-sided 95% t interval; a single run gives its value as both ends. */
export function meanInterval(xs) {
    const n = xs.length;
    if (n === 0)
        throw new RangeError('meanInterval: no samples');
    const mean = xs.reduce((a, x) => a + x, 0) / n;
    if (n === 1)
        return { mean, low: mean, high: mean, n };
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
    const half = tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
    return { mean, low: mean - half, high: mean + half, n };
}
/** Welch's t-test p-value (two-sided) of `a` against `b`; 1 when either has under two runs or neither varies. */
export function welch(a, b) {
    if (a.length < 2 || b.length < 2)
        return 1;
    const same = (xs) => xs.every((x) => x === xs[0]);
    if (same(a) && same(b))
        return a[0] === b[0] ? 1 : 0;
    return ttest2([...a], [...b], { alpha: 0.05, alternative: 'two-sided', variance: 'unequal' }).pValue;
}
//# sourceMappingURL=price_stats.js.map