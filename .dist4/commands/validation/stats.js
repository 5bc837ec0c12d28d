// The statistics a validation cell reports: a crash rate with its 95%
// interval, and the spread of times to crash.
/** z for a two-sided 95% interval */
const Z95 = 1.959963984540054;
/**
 * The crash rate of `k` crashes in `n` runs with a 95% interval. With crashes,
 * the Wilson score interval (E. B. Wilson, JASA 22, 1927), which stays inside
 * [0, 1] and behaves at small n. With none, the rule of three (Hanley &
 * Lippman-Hand, JAMA 249, 1983): the rate is below 3/n with 95% confidence.
 */
export function crashRate(k, n) {
    if (!Number.isInteger(k) || !Number.isInteger(n) || n <= 0 || k < 0 || k > n) {
        throw new RangeError(`crashRate: need 0 <= k <= n, n > 0; got k=${k}, n=${n}`);
    }
    if (k === 0)
        return { rate: 0, low: 0, high: Math.min(1, 3 / n), method: 'rule-of-three' };
    const p = k / n;
    const z2 = Z95 * Z95;
    const denom = 1 + z2 / n;
    const centre = (p + z2 / (2 * n)) / denom;
    const half = (Z95 / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
    // at k = n the upper bound is 1 exactly; rounding would put it a hair below the rate
    return { rate: p, low: Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half), method: 'wilson' };
}
function quantile(sorted, q) {
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
/** Median, quartiles and range of `xs`; null when empty. */
export function spread(xs) {
    if (xs.length === 0)
        return null;
    const s = [...xs].sort((a, b) => a - b);
    return { n: s.length, median: quantile(s, 0.5), q1: quantile(s, 0.25), q3: quantile(s, 0.75), min: s[0], max: s[s.length - 1] };
}
//# sourceMappingURL=stats.js.map