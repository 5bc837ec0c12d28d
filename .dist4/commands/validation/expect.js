// Expected outcomes a validation is checked against: from a file, a scenario,
// or the preset the February 2016 thread gives.
import { HISTORY } from '../history.js';
import { parseExpectations, readText } from '../../system/scenario.js';
const THP = 'thp-split-vs-gup';
/**
 * "lkml-2016": the rows `reproduce` runs (commands/history.ts); the x86 rows
 * the thread implies (x86 never crashed, before the rework or after it, and an
 * extra IPI cannot make it); and the rows of the other archs the thread's
 * subject names. Where history gives no outcome (ppc64 and arm64 with the kick
 * added) there is no row: the model's answer is reported, not checked.
 */
const LKML_2016 = [
    ...HISTORY.map((h) => ({ arch: h.arch, kernel: h.kernel, workload: THP, crashes: h.crashed, why: h.history })),
    { arch: 'x86', kernel: 'v4.4', workload: THP, crashes: false, why: 'no crash: pmdp_splitting_flush() IPIs and waits' },
    { arch: 'x86', kernel: 'v4.5-rc1+kick', workload: THP, crashes: false, why: 'no crash on v4.5-rc1; one more IPI cannot add one' },
    { arch: 'x86', kernel: 'v4.5', workload: THP, crashes: false, why: 'no crash: nothing x86 depends on changed' },
    // PowerPC: "the problem was already addressed for PowerPC" (K. Shutemov, 11 Feb 2016), by
    // c777e2a8b654 "powerpc/mm: Fix Multi hit ERAT cause by recent THP update" (A. Kumar K.V., applied 9 Feb)
    { arch: 'ppc64', kernel: 'v4.4', workload: THP, crashes: false, why: 'no crash: pmdp_splitting_flush() flushed the hash and kicked every CPU' },
    { arch: 'ppc64', kernel: 'v4.5-rc1', workload: THP, crashes: true, why: 'the THP rework broke hash ppc64 until c777e2a8b654 (multi-hit ERAT, stale HPTEs)' },
    { arch: 'ppc64', kernel: 'v4.5', workload: THP, crashes: false, why: 'c777e2a8b654 is in v4.5: pmdp_huge_split_prepare() flushes before the table is withdrawn' },
    // arm64: named in the thread's subject; W. Deacon answered for it (12 Feb 2016) and no arm64 crash was reported
    { arch: 'arm64', kernel: 'v4.4', workload: THP, crashes: false, why: 'no crash: pmdp_splitting_flush() kicked every CPU' },
    { arch: 'arm64', kernel: 'v4.5-rc1', workload: THP, crashes: false, why: 'no crash reported: a later TLBI by any address inside the block removes the stale entry before a page is freed' },
    { arch: 'arm64', kernel: 'v4.5', workload: THP, crashes: false, why: 'no crash reported' },
];
export const EXPECTATION_PRESETS = { 'lkml-2016': LKML_2016 };
/** `--expect NAME|FILE`: a preset by name, else a file. */
export function loadExpectations(arg) {
    const preset = EXPECTATION_PRESETS[arg];
    if (preset)
        return { source: arg, list: preset };
    return { source: arg, list: parseExpectations(arg, readText('expect', arg)) };
}
//# sourceMappingURL=expect.js.map