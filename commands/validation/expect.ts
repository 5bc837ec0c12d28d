// Expected outcomes a validation is checked against: from a file, a scenario,
// or the preset the February 2016 thread gives.
import { HISTORY } from '../history.js';
import { DEFAULTS } from '../../system/config.js';
import { parseExpectations, readText, type Expectation } from '../../system/scenario.js';
import type { CellSpec } from './matrix.js';

const THP = 'thp-split-vs-gup';

/**
 * "lkml-2016": the rows `reproduce` runs (commands/history.ts); the x86 rows
 * the thread implies (x86 never crashed, before the rework or after it, and an
 * extra IPI cannot make it); and the rows of the other archs the thread's
 * subject names. Where history gives no outcome (ppc64 and arm64 with the kick
 * added) there is no row: the model's answer is reported, not checked.
 */
const LKML_2016: readonly Expectation[] = [
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

/**
 * "history": every outcome the project can source, the 2016 rows and the
 * family's later members, each row with its fix's commit and why. The
 * matrix `validate --expect history` runs is these rows, each with the
 * simulated length its race needs.
 */
const COLLAPSE_1 = 'collapse-munmap';
const COLLAPSE_2 = 'collapse-dontneed';
const FILE = 'collapse-file';
const PV = 'munmap-small';
const HISTORY_ROWS: readonly Expectation[] = [
  ...LKML_2016,
  // 70cbc3cc78a9 "mm: gup: fix the fast GUP race against THP collapse" (v6.0, Fixes 2667f50e8b81)
  { arch: 's390', kernel: 'v5.19', workload: COLLAPSE_1, crashes: true, simMs: 40, why: '70cbc3cc78a9: the flush sends no IPI; GUP-fast pins after the isolate check and keeps a page the collapse replaces' },
  { arch: 'arm64', kernel: 'v5.19', workload: COLLAPSE_1, crashes: true, simMs: 60, why: '70cbc3cc78a9: TLBI broadcasts interrupt nobody: the same stale pin' },
  { arch: 'x86', kernel: 'v5.19', workload: COLLAPSE_1, crashes: false, simMs: 15, why: '70cbc3cc78a9: "a TLB flush ... only handles traditional IPI-based GUP-fast correctly": x86\'s flush IPI waits for the walker' },
  { arch: 'ppc64', kernel: 'v5.19', workload: COLLAPSE_1, crashes: false, simMs: 15, why: 'hash ppc64\'s own pmdp_collapse_flush() calls serialize_against_pte_lookup(), an IPI ("still needed for hash TLB", bedf03416913)' },
  { arch: 'x86', kernel: 'v6.0', workload: COLLAPSE_1, crashes: false, simMs: 15, why: '70cbc3cc78a9: the IPI, and now the pmd re-check too' },
  { arch: 's390', kernel: 'v6.0', workload: COLLAPSE_1, crashes: false, simMs: 15, why: '70cbc3cc78a9: GUP-fast re-checks the pmd and gives the page back' },
  { arch: 'arm64', kernel: 'v6.0', workload: COLLAPSE_1, crashes: false, simMs: 15, why: '70cbc3cc78a9: the pmd re-check' },
  // 2ba99c5e0881 "mm/khugepaged: fix GUP-fast interaction by sending IPI" (v6.1)
  { arch: 's390', kernel: 'v6.0', workload: COLLAPSE_2, crashes: true, simMs: 40, why: '2ba99c5e0881: "once a page table has been deposited, it can be freed": zap_huge_pmd() frees it under a walker that read the old pmd' },
  { arch: 'arm64', kernel: 'v6.0', workload: COLLAPSE_2, crashes: true, simMs: 40, why: '2ba99c5e0881: the same, MMU_GATHER_RCU_TABLE_FREE and no IPI in the flush' },
  { arch: 's390', kernel: 'v6.1', workload: COLLAPSE_2, crashes: false, simMs: 15, why: '2ba99c5e0881: tlb_remove_table_sync_one() after pmdp_collapse_flush() waits the walker out' },
  { arch: 'arm64', kernel: 'v6.1', workload: COLLAPSE_2, crashes: false, simMs: 15, why: '2ba99c5e0881: the IPI after the flush' },
  { arch: 'x86', kernel: 'v6.0', workload: COLLAPSE_2, crashes: false, simMs: 15, why: '2ba99c5e0881: x86\'s pmdp_collapse_flush() is a flush IPI the interrupts-off walker holds off' },
  { arch: 's390', kernel: 'v6.0', workload: FILE, crashes: true, simMs: 20, why: '2ba99c5e0881: collapse_and_free_pmd() pte_free()s the table retract_page_tables() took out, a walker still in it' },
  { arch: 'arm64', kernel: 'v6.0', workload: FILE, crashes: true, simMs: 20, why: '2ba99c5e0881: the file path, the same on arm64' },
  { arch: 's390', kernel: 'v6.1', workload: FILE, crashes: false, simMs: 15, why: '2ba99c5e0881: tlb_remove_table_sync_one() in collapse_and_free_pmd()' },
  { arch: 'arm64', kernel: 'v6.1', workload: FILE, crashes: false, simMs: 15, why: '2ba99c5e0881: the IPI before pte_free()' },
  { arch: 'x86', kernel: 'v6.0', workload: FILE, crashes: false, simMs: 15, why: '2ba99c5e0881: x86\'s collapse flush is an IPI the walker holds off' },
  // Xen PV guests: the stable-only d73af79742e7 (4.9) and 9e52fc2b50de (v4.14)
  { arch: 'x86', kernel: 'v4.9-xenpv', workload: PV, crashes: true, simMs: 40, why: 'stable "x86, mm, gup: prevent get_page() race with munmap in paravirt guest": get_page() on a page munmap freed; seen on SUSE 4.4/4.12 Xen PV' },
  { arch: 'x86', kernel: 'v4.9-xenpv+d73af79742e7', workload: PV, crashes: true, simMs: 40, why: 'the page-table walk "also relies on disabled interrupts and TLB flush IPIs", fixed by 9e52fc2b50de, "for full safety"' },
  { arch: 'x86', kernel: 'v4.9-xenpv+9e52fc2b50de', workload: PV, crashes: true, simMs: 60, why: '9e52fc2b50de covers "the page table can be freed under us" part; the get_page() race stays (the stable fix covers it)' },
  { arch: 'x86', kernel: 'v4.14-xenpv', workload: PV, crashes: false, simMs: 15, why: 'both: the generic GUP-fast (v4.13) and RCU table freeing (v4.14)' },
  // AMD INVLPGB: a37259732a7d "x86/mm: Make MMU_GATHER_RCU_TABLE_FREE unconditional" (2025)
  { arch: 'x86', kernel: 'v6.14+invlpgb', workload: PV, crashes: true, simMs: 40, why: 'a37259732a7d: bare metal relied on "blocking IRQs, which block TLB flush IPIs"; INVLPGB blocks nothing' },
  { arch: 'x86', kernel: 'v6.15', workload: PV, crashes: false, simMs: 15, why: 'a37259732a7d: RCU table freeing everywhere "makes it safe to use INVLPGB"' },
];

export const EXPECTATION_PRESETS: Readonly<Record<string, readonly Expectation[]>> = { 'lkml-2016': LKML_2016, history: HISTORY_ROWS };

/** The presets whose rows are a matrix of their own (`validate --expect history` runs them; lkml-2016 checks the default matrix). */
export const ROW_PRESETS: readonly string[] = ['history'];

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

/** An expectation preset's rows as matrix cells; `--sim-ms` given overrides each row's own length. */
export function presetCells(rows: readonly Expectation[], simMsGiven: boolean): CellSpec[] {
  const seen = new Set<string>();
  const keys = rows.map((r) => `${r.arch}/${r.kernel}/${r.workload ?? DEFAULTS.workload}`);
  const twice = keys.find((x, i) => keys.indexOf(x) !== i);
  if (twice) throw new Error(`expectation preset: the cell ${twice} has two rows`);
  const cells: CellSpec[] = [];
  for (const r of rows) {
    const workload = r.workload ?? DEFAULTS.workload;
    const key = `${r.arch}/${r.kernel}/${workload}`;
    if (seen.has(key)) continue;
    seen.add(key);
    cells.push({ arch: r.arch, kernel: r.kernel, workload, ...(r.simMs !== undefined && !simMsGiven ? { simMs: r.simMs } : {}) });
  }
  return cells;
}

