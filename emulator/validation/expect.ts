// Expected outcomes a validation is checked against: from a file, a scenario,
// or the preset the February 2016 thread gives.
import { HISTORY } from '../history.js';
import { parseExpectations, readText, type Expectation } from '../scenario.js';

const THP = 'thp-split-vs-gup';

/**
 * "lkml-2016": the rows `reproduce` runs (emulator/history.ts), and the x86
 * rows the thread implies: x86 never crashed, before the rework or after it,
 * and an extra IPI cannot make it.
 */
const LKML_2016: readonly Expectation[] = [
  ...HISTORY.map((h) => ({ arch: h.arch, kernel: h.kernel, workload: THP, crashes: h.crashed, why: h.history })),
  { arch: 'x86', kernel: 'v4.4', workload: THP, crashes: false, why: 'no crash: pmdp_splitting_flush() IPIs and waits' },
  { arch: 'x86', kernel: 'v4.5-rc1+kick', workload: THP, crashes: false, why: 'no crash on v4.5-rc1; one more IPI cannot add one' },
  { arch: 'x86', kernel: 'v4.5', workload: THP, crashes: false, why: 'no crash: nothing x86 depends on changed' },
];

export const EXPECTATION_PRESETS: Readonly<Record<string, readonly Expectation[]>> = { 'lkml-2016': LKML_2016 };

export interface ExpectationSet {
  /** the preset's name or the file's path */
  readonly source: string;
  readonly list: readonly Expectation[];
}

/** `--expect NAME|FILE`: a preset by name, else a file. */
export function loadExpectations(arg: string): ExpectationSet {
  const preset = EXPECTATION_PRESETS[arg];
  if (preset) return { source: arg, list: preset };
  return { source: arg, list: parseExpectations(arg, readText('expect', arg)) };
}
