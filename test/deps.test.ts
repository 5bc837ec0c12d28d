// The layers hold: no import cycle, and the machine core imports nothing of
// kernel-sim/, workloads/ or the layers that assemble and use it
// (.dependency-cruiser.cjs). A small tree that breaks both rules shows the
// check can fail.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { nodeChild } from './helpers.js';

const ROOT = process.cwd();
const CONFIG = resolve(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = resolve(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const LAYERS = ['emulator', 'system', 'commands', 'arch', 'kernel-sim', 'workloads', 'bench'];

interface Summary { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number }
interface Cruise { summary: Summary; modules: { source: string }[] }

function cruise(cwd: string, dirs: string[]): Cruise {
  const r = spawnSync(...nodeChild([DEPCRUISE, ...dirs, '--config', CONFIG, '--output-type', 'json']), { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.stdout === '') throw new Error(`depcruise gave no output (status ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Cruise;
}

t.test('the source tree: no cycle, the core below the rest', async (t) => {
  const c = cruise(ROOT, LAYERS);
  const sources = new Set(c.modules.map((m) => m.source));
  // the check saw the tree, not an empty set
  for (const f of ['emulator/machine.ts', 'emulator/driver/deterministic.ts', 'system/boot.ts', 'system/worker.ts', 'commands/cli.ts', 'kernel-sim/kernel.ts']) {
    t.ok(sources.has(f), `${f} cruised`);
  }
  t.ok(c.summary.totalCruised > 100, `${c.summary.totalCruised} modules cruised`);
  t.same(c.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`), [], 'no violation');
});

t.test('a tree with a cycle and a core reaching up fails both rules', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's390emu-deps-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'emulator'));
  mkdirSync(join(dir, 'kernel-sim'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  writeFileSync(join(dir, 'emulator', 'machine.ts'), "import { PAGE_WORDS } from '../kernel-sim/mm_types.js';\nexport const n = PAGE_WORDS;\n");
  writeFileSync(join(dir, 'kernel-sim', 'mm_types.ts'), "import type { n } from '../emulator/machine.js';\nexport const PAGE_WORDS = 10;\nexport type N = typeof n;\n");
  const c = cruise(dir, ['emulator', 'kernel-sim']);
  const rules = new Set(c.summary.violations.map((v) => v.rule.name));
  t.ok(rules.has('no-circular'), 'the cycle is found');
  t.ok(rules.has('core-stays-below'), 'the core importing kernel-sim is found');
});
