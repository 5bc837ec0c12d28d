// Scenario files: JSON that defines kernel variants (from switches, or by
// extending a preset), workload mixes, per-arch overrides, and the defaults of
// `run` and `validate`, so a fix candidate is data. Checked with zod; every
// mistake is reported with its path in the file and what is allowed there.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ARCHES, MACHINES } from '../arch/index.js';
import { KERNEL_VARIANTS, VARIANT_SWITCHES, type KernelVariant, type VariantSwitches } from '../kernel-sim/variants.js';
import { WORKLOADS } from '../workloads/index.js';
import { EVENT_NAMES } from '../emulator/events.js';
import { DRIVERS } from './config.js';
import { UsageError } from './usage_error.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9.+_-]*$/;
const list = (xs: readonly unknown[]): string => xs.map(String).join(', ');

/** A strict object whose unknown keys are reported with the keys it allows. */
function strict<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown key ${iss.keys.map((k) => `'${k}'`).join(', ')}; allowed: ${list(Object.keys(shape))}` : undefined),
  });
}

function oneOf<T extends string | boolean>(values: readonly T[]) {
  return z.custom<T>((v) => values.includes(v as T), { error: (iss) => `${JSON.stringify(iss.input)} is not allowed; choose one of: ${list(values)}` });
}

const name = z.string().regex(NAME, { error: 'a name of letters, digits and . + _ - (starting with a letter or digit)' });
const int = (min: number, max: number) => z.number({ error: `an integer from ${min} to ${max}` }).int({ error: `an integer from ${min} to ${max}` }).min(min, { error: `an integer from ${min} to ${max}` }).max(max, { error: `an integer from ${min} to ${max}` });
const names = z.array(name).min(1, { error: 'at least one name' });

const switchShape = Object.fromEntries(
  Object.entries(VARIANT_SWITCHES).map(([k, s]) => [k, oneOf(s.values as readonly (string | boolean)[]).optional()]),
) as unknown as { [K in keyof VariantSwitches]: z.ZodOptional<z.ZodType<VariantSwitches[K]>> };

const kernelSchema = strict({
  extends: name.optional(),
  description: z.string().optional(),
  switches: strict(switchShape).optional(),
});

const workloadSchema = strict({
  extends: oneOf(Object.keys(WORKLOADS)),
  description: z.string().optional(),
  params: z.record(z.string(), int(0, 1e9)).optional(),
});

const costsShape = Object.fromEntries(EVENT_NAMES.map((e) => [e, int(0, 1e9).optional()])) as Record<string, z.ZodOptional<z.ZodNumber>>;
const archSchema = strict({
  machine: z.string().optional(),
  costs: strict(costsShape).optional(),
});

const common = {
  arch: z.union([name, names]).optional(),
  kernel: z.union([name, names]).optional(),
  workload: z.union([name, names]).optional(),
  cpus: int(1, 256).optional(),
  mem: int(16, 2048).optional(),
  driver: oneOf(DRIVERS).optional(),
  duration: z.number({ error: 'seconds, a number greater than 0' }).positive({ error: 'seconds, a number greater than 0' }).optional(),
  simMs: z.number({ error: 'milliseconds, a number greater than 0' }).positive({ error: 'milliseconds, a number greater than 0' }).optional(),
};

const expectSchema = strict({
  arch: name,
  kernel: name,
  workload: name.optional(),
  crashes: z.boolean({ error: 'true (the cell must crash at least once) or false (it must never crash)' }),
  why: z.string().optional(),
  simMs: z.number({ error: 'milliseconds, a number greater than 0' }).positive({ error: 'milliseconds, a number greater than 0' }).optional(),
});

const scenarioSchema = strict({
  description: z.string().optional(),
  kernels: z.record(name, kernelSchema).optional(),
  workloads: z.record(name, workloadSchema).optional(),
  arches: z.record(oneOf(Object.keys(ARCHES)), archSchema).optional(),
  run: strict({ ...common, seed: int(0, 2 ** 32 - 1).optional() }).optional(),
  validate: strict({ ...common, seeds: int(1, 10_000).optional() }).optional(),
  expect: z.array(expectSchema).optional(),
});

type RawScenario = z.infer<typeof scenarioSchema>;

export interface ScenarioWorkload {
  readonly base: string;
  readonly description: string;
  readonly params: Readonly<Record<string, number>>;
}

export interface ArchOverride {
  readonly machine?: string;
  readonly costs?: Readonly<Record<string, number>>;
}

export interface Expectation {
  readonly arch: string;
  readonly kernel: string;
  /** omitted: every workload */
  readonly workload?: string;
  readonly crashes: boolean;
  readonly why?: string;
  /** the simulated length the cell's runs need, where the matrix is this list's cells (deterministic driver) */
  readonly simMs?: number;
}

export type MatrixDefaults = Partial<{
  arch: string[]; kernel: string[]; workload: string[]; cpus: number; mem: number; driver: string;
  duration: number; simMs: number; seed: number; seeds: number;
}>;

export interface Scenario {
  /** the path it was read from, for replay lines */
  readonly path: string;
  readonly description: string;
  readonly kernels: Readonly<Record<string, KernelVariant>>;
  readonly workloads: Readonly<Record<string, ScenarioWorkload>>;
  readonly arches: Readonly<Record<string, ArchOverride>>;
  readonly run: MatrixDefaults;
  readonly validate: MatrixDefaults;
  readonly expect: readonly Expectation[];
}

/** Bad scenario file: one line per mistake, each with its path in the file. */
export class ScenarioError extends UsageError {
  constructor(readonly file: string, readonly problems: readonly string[]) {
    super(`${file}: ${problems.length} mistake${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

const at = (path: readonly PropertyKey[]): string => (path.length ? path.map(String).join('.') : '(top level)');

function issuesOf(e: z.ZodError): string[] {
  return e.issues.map((i) => {
    // a bad record key: the key's own check says what is allowed
    const msg = i.code === 'invalid_key' ? i.issues[0]?.message ?? i.message : i.code === 'invalid_type' && i.input === undefined ? 'required' : i.message;
    return `${at(i.path)}: ${msg}`;
  });
}

/** The cross-references a schema cannot see: names that must exist, params in range, machines of the arch. */
function resolve(path: string, raw: RawScenario): Scenario {
  const problems: string[] = [];
  const presets = new Map(KERNEL_VARIANTS.map((k) => [k.name, k]));
  const kernels: Record<string, KernelVariant> = {};
  const rawKernels = raw.kernels ?? {};
  const resolving = new Set<string>();
  const kernel = (n: string, where: string): KernelVariant | null => {
    if (kernels[n]) return kernels[n];
    const def = rawKernels[n];
    if (!def) {
      if (presets.has(n)) return presets.get(n)!;
      problems.push(`${where}: no kernel '${n}'; presets: ${list([...presets.keys()])}${Object.keys(rawKernels).length ? `; this file's: ${list(Object.keys(rawKernels))}` : ''}`);
      return null;
    }
    if (presets.has(n)) {
      problems.push(`kernels.${n}: '${n}' is a preset's name; give the variant a name of its own`);
      return null;
    }
    if (resolving.has(n)) {
      problems.push(`kernels.${n}.extends: '${n}' extends itself through ${list([...resolving])}`);
      return null;
    }
    resolving.add(n);
    const base = def.extends === undefined ? null : kernel(def.extends, `kernels.${n}.extends`);
    resolving.delete(n);
    if (def.extends !== undefined && !base) return null;
    const switches: Partial<VariantSwitches> = { ...(base ?? {}), ...(def.switches ?? {}) };
    const missing = Object.keys(VARIANT_SWITCHES).filter((s) => switches[s as keyof VariantSwitches] === undefined);
    if (missing.length) {
      problems.push(`kernels.${n}.switches: without 'extends' every switch is required; missing: ${list(missing)}`);
      return null;
    }
    const v: KernelVariant = {
      ...(switches as VariantSwitches),
      name: n,
      description: def.description ?? `${def.extends ?? 'switches'}${def.switches ? ` with ${Object.entries(def.switches).map(([k, x]) => `${k}=${String(x)}`).join(', ')}` : ''} (${path})`,
    };
    kernels[n] = v;
    return v;
  };
  for (const n of Object.keys(rawKernels)) kernel(n, `kernels.${n}`);

  const workloads: Record<string, ScenarioWorkload> = {};
  for (const [n, w] of Object.entries(raw.workloads ?? {})) {
    if (WORKLOADS[n]) { problems.push(`workloads.${n}: '${n}' is a built-in workload's name; give the mix a name of its own`); continue; }
    const specs = WORKLOADS[w.extends]!.params;
    for (const [p, v] of Object.entries(w.params ?? {})) {
      const spec = specs[p];
      if (!spec) problems.push(`workloads.${n}.params.${p}: ${w.extends} has no parameter '${p}'; it has: ${list(Object.keys(specs)) || '(none)'}`);
      else if (v < spec.min || v > spec.max) problems.push(`workloads.${n}.params.${p}: an integer from ${spec.min} to ${spec.max}, got ${v}`);
    }
    workloads[n] = { base: w.extends, description: w.description ?? `${w.extends} with ${JSON.stringify(w.params ?? {})}`, params: w.params ?? {} };
  }

  const arches: Record<string, ArchOverride> = {};
  for (const [a, o] of Object.entries(raw.arches ?? {})) {
    const ok = MACHINES.filter((m) => m.arch === a).map((m) => m.name);
    if (o.machine !== undefined && !ok.includes(o.machine)) problems.push(`arches.${a}.machine: '${o.machine}' is not allowed; choose one of: ${list(ok)}`);
    arches[a] = { ...(o.machine === undefined ? {} : { machine: o.machine }), ...(o.costs ? { costs: o.costs as Record<string, number> } : {}) };
  }

  const kernelNames = [...presets.keys(), ...Object.keys(kernels)];
  const workloadNames = [...Object.keys(WORKLOADS), ...Object.keys(workloads)];
  const arrays = (section: 'run' | 'validate'): MatrixDefaults => {
    const s = raw[section];
    if (!s) return {};
    const out: MatrixDefaults = {};
    const check = (key: 'arch' | 'kernel' | 'workload', allowed: string[]): void => {
      const v = s[key];
      if (v === undefined) return;
      const xs = Array.isArray(v) ? v : [v];
      if (section === 'run' && xs.length > 1) problems.push(`run.${key}: a run takes one ${key}, got ${xs.length}`);
      xs.forEach((x, i) => {
        if (!allowed.includes(x)) problems.push(`${section}.${key}${Array.isArray(v) ? `.${i}` : ''}: '${x}' is not allowed; choose one of: ${list(allowed)}`);
      });
      out[key] = xs;
    };
    check('arch', Object.keys(ARCHES));
    check('kernel', kernelNames);
    check('workload', workloadNames);
    for (const k of ['cpus', 'mem', 'driver', 'duration', 'simMs', 'seed', 'seeds'] as const) {
      const v = (s as Record<string, unknown>)[k];
      if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    }
    return out;
  };
  const run = arrays('run');
  const validate = arrays('validate');
  (raw.expect ?? []).forEach((e, i) => {
    if (!(e.arch in ARCHES)) problems.push(`expect.${i}.arch: '${e.arch}' is not allowed; choose one of: ${list(Object.keys(ARCHES))}`);
    if (!kernelNames.includes(e.kernel)) problems.push(`expect.${i}.kernel: '${e.kernel}' is not allowed; choose one of: ${list(kernelNames)}`);
    if (e.workload !== undefined && !workloadNames.includes(e.workload)) {
      problems.push(`expect.${i}.workload: '${e.workload}' is not allowed; choose one of: ${list(workloadNames)}`);
    }
  });
  if (problems.length) throw new ScenarioError(path, problems);
  return { path, description: raw.description ?? '', kernels, workloads, arches, run, validate, expect: raw.expect ?? [] };
}

/** Parses and checks scenario text; throws ScenarioError listing every mistake. */
export function parseScenario(path: string, text: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(path, [`not JSON: ${(e as Error).message}`]);
  }
  const r = scenarioSchema.safeParse(json, { reportInput: true });
  if (!r.success) throw new ScenarioError(path, issuesOf(r.error));
  return resolve(path, r.data);
}

/** An --expect file: a list of expectations, or an object with one under `expect`. */
export function parseExpectations(path: string, text: string): Expectation[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(path, [`not JSON: ${(e as Error).message}`]);
  }
  const r = z.union([z.array(expectSchema), strict({ expect: z.array(expectSchema) })]).safeParse(json, { reportInput: true });
  if (!r.success) {
    // name the mistakes of the shape the file is closer to
    const alt = Array.isArray(json) ? z.array(expectSchema) : strict({ expect: z.array(expectSchema) });
    throw new ScenarioError(path, issuesOf(alt.safeParse(json, { reportInput: true }).error ?? r.error));
  }
  return Array.isArray(r.data) ? r.data : r.data.expect;
}

export function loadScenario(path: string): Scenario {
  return parseScenario(path, readText('scenario', path));
}

export function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--${flag}: cannot read '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
