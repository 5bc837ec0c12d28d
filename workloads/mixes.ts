// Built-in mixes: a workload with other defaults, each one race of the family
// on its own. Data, not code; scenario files make more the same way.
import { collapseVsGup } from './collapse_vs_gup.js';
import { thpSplitVsGup } from './thp_split_vs_gup.js';
import type { Workload } from './workload.js';

function mix(base: Workload, name: string, description: string, defaults: Readonly<Record<string, number>>): Workload {
  const params = Object.fromEntries(Object.entries(base.params).map(([k, p]) => {
    const d = defaults[k];
    if (d === undefined) return [k, p];
    const { perCpu: _share, ...fixed } = p; // a mix's figure is fixed, whatever the CPU count
    return [k, { ...fixed, default: d }];
  }));
  for (const k of Object.keys(defaults)) if (!base.params[k]) throw new Error(`mix ${name}: ${base.name} has no parameter '${k}'`);
  return { ...base, name, description: `${description} (${base.name} with ${Object.entries(defaults).map(([k, v]) => `${k}=${v}`).join(' ')})`, params };
}

export const MIXES: readonly Workload[] = [
  mix(collapseVsGup, 'collapse-munmap',
    'every discard a munmap, whose table waits for walkers: only the race of 70cbc3cc78a9 is left, a pin of a page the collapse replaces',
    { munmapPercent: 100 }),
  mix(collapseVsGup, 'collapse-dontneed',
    'every discard a MADV_DONTNEED: zap_huge_pmd() frees a collapsed THP\'s deposited table at once, the race of 2ba99c5e0881',
    { munmapPercent: 0 }),
  mix(collapseVsGup, 'collapse-file',
    'a shared shmem file: khugepaged\'s collapse_file() and retract_page_tables() free the emptied page table at once, the file path of 2ba99c5e0881; one-page pins and sparse touches, so the retract\'s mmap_write_trylock() succeeds now and then',
    { file: 1, pinPages: 1, ownTouches: 0, touchWork: 20_000, zapWork: 100_000, scanWork: 2000 }),
  mix(thpSplitVsGup, 'munmap-small',
    'small pages only, one huge-page range, unmapped (MADV_DONTNEED, munmap) every 2,000 cycles under 16-page pins: the Xen PV reports\' munmap against get_user_pages_fast',
    { thpFaults: 0, thps: 1, shrinkPercent: 0, splitWork: 2000, pinPages: 16 }),
];
