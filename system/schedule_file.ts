// Schedule files: a run's configuration and every stall that departed from the
// time order (the policy's delays and the hypervisor's steal), with the outcome
// it had, so `s390emu replay` can reproduce the run and say whether it did.
// A checksum over the body catches damage; the program version catches a file
// written by a model that may step differently.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MACHINES } from '../arch/index.js';
import { WORKLOADS } from '../workloads/index.js';
import { DRIVERS, LIMITS, SCHEDULES, type RunConfig } from './config.js';
import { STALL_CAUSES, type Stall } from '../emulator/cpu.js';
import { UsageError } from './args.js';

export const SCHEDULE_FORMAT = 's390emu-schedule';
export const SCHEDULE_VERSION = 1;

/** The program's version: a replay is only exact under the model that recorded it. */
export const PROGRAM_VERSION = (JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;

export interface ScheduleOutcome {
  eventHash: string | null;
  oops: { kind: string; message: string; cpu: number; clock: number } | null;
}

export interface ScheduleFile {
  format: typeof SCHEDULE_FORMAT;
  version: number;
  program: string;
  config: RunConfig;
  /** [cpu, step, cycles, cause index in STALL_CAUSES], in the order they were taken */
  stalls: [number, number, number, number][];
  outcome: ScheduleOutcome;
  checksum: string;
}

type Body = Omit<ScheduleFile, 'checksum'>;

const checksumOf = (b: Body): string => createHash('sha256').update(JSON.stringify(b)).digest('hex');

/** slack is Infinity for a free-running parallel run: JSON has no Infinity */
const encodeConfig = (c: RunConfig): RunConfig => ({ ...c, slack: Number.isFinite(c.slack) ? c.slack : -1 });
const decodeConfig = (c: RunConfig): RunConfig => ({ ...c, slack: c.slack === -1 ? Infinity : c.slack, workers: c.workers ?? null });

export function scheduleFile(cfg: RunConfig, stalls: readonly Stall[], outcome: ScheduleOutcome): ScheduleFile {
  const body: Body = {
    format: SCHEDULE_FORMAT, version: SCHEDULE_VERSION, program: PROGRAM_VERSION,
    config: encodeConfig(cfg),
    stalls: stalls.map((s) => [s.cpu, s.step, s.cycles, STALL_CAUSES.indexOf(s.cause)]),
    outcome,
  };
  return { ...body, checksum: checksumOf(body) };
}

export const stallsOf = (f: ScheduleFile): Stall[] =>
  f.stalls.map(([cpu, step, cycles, cause]) => ({ cpu, step, cycles, cause: STALL_CAUSES[cause]! }));

export const configOf = (f: ScheduleFile): RunConfig => decodeConfig(f.config);

const int = z.number().int();
const configSchema = z.object({
  workload: z.enum(Object.keys(WORKLOADS) as [string, ...string[]]),
  arch: z.string(),
  machine: z.enum(MACHINES.map((m) => m.name) as [string, ...string[]]),
  kernel: z.string(),
  cpus: int.min(LIMITS.cpus.min).max(LIMITS.cpus.max),
  memMiB: int.min(LIMITS.memMiB.min).max(LIMITS.memMiB.max),
  seed: int,
  driver: z.literal('deterministic'),
  slack: z.number(),
  durationS: z.number().positive(),
  simMs: z.number().positive().max(LIMITS.simMs.max).nullable(),
  watchdogMs: z.number().positive().nullable(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  timing: z.object({
    noise: z.boolean(),
    steal: z.object({ percent: z.number(), meanUs: z.number() }).nullable(),
    hz: z.number().nullable(),
  }),
  schedule: z.object({ policy: z.enum(SCHEDULES as unknown as [string, ...string[]]), depth: int }).nullable(),
}).passthrough();

const fileSchema = z.object({
  format: z.literal(SCHEDULE_FORMAT),
  version: int,
  program: z.string(),
  config: z.unknown(),
  stalls: z.array(z.tuple([int.min(0), int.min(0), int.min(1), int.min(0).max(STALL_CAUSES.length - 1)])),
  outcome: z.object({
    eventHash: z.string().nullable(),
    oops: z.object({ kind: z.string(), message: z.string(), cpu: int, clock: z.number() }).nullable(),
  }),
  checksum: z.string(),
});

/** Reads and checks a schedule file; a damaged or incompatible one is a UsageError with a one-line reason. */
export function loadScheduleFile(path: string): ScheduleFile {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new UsageError(`${path}: cannot read the schedule file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch {
    throw new UsageError(`${path}: damaged schedule file: not JSON`);
  }
  const head = json as Partial<ScheduleFile> | null;
  if (typeof head !== 'object' || head === null || head.format !== SCHEDULE_FORMAT) {
    throw new UsageError(`${path}: not a schedule file (format is not '${SCHEDULE_FORMAT}')`);
  }
  if (head.version !== SCHEDULE_VERSION) {
    throw new UsageError(`${path}: schedule format version ${String(head.version)}; this program reads version ${SCHEDULE_VERSION}`);
  }
  if (head.program !== PROGRAM_VERSION) {
    throw new UsageError(`${path}: recorded by s390emu ${String(head.program)}; this is ${PROGRAM_VERSION}, whose model may step differently`);
  }
  const f = fileSchema.safeParse(json);
  if (!f.success) {
    const i = f.error.issues[0]!;
    throw new UsageError(`${path}: damaged schedule file: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  const { checksum, ...body } = f.data;
  if (checksumOf(body as Body) !== checksum) throw new UsageError(`${path}: damaged schedule file: the checksum does not match its contents`);
  const c = configSchema.safeParse(body.config);
  if (!c.success) {
    const i = c.error.issues[0]!;
    throw new UsageError(`${path}: damaged schedule file: config.${i.path.join('.')}: ${i.message}`);
  }
  if (!(DRIVERS as readonly string[]).includes(c.data.driver)) throw new UsageError(`${path}: damaged schedule file: config.driver`);
  return f.data as ScheduleFile;
}
