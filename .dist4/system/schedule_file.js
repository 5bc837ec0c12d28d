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
import { DRIVERS, LIMITS, SCHEDULES } from './config.js';
import { STALL_CAUSES } from '../emulator/cpu.js';
import { UsageError } from './args.js';
export const SCHEDULE_FORMAT = 's390emu-schedule';
export const SCHEDULE_VERSION = 1;
/** The program's version: a replay is only exact under the model that recorded it. */
export const PROGRAM_VERSION = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')).version;
const checksumOf = (b) => createHash('sha256').update(JSON.stringify(b)).digest('hex');
/** slack is Infinity for a free-running parallel run: JSON has no Infinity */
const encodeConfig = (c) => ({ ...c, slack: Number.isFinite(c.slack) ? c.slack : -1 });
const decodeConfig = (c) => ({ ...c, slack: c.slack === -1 ? Infinity : c.slack, workers: c.workers ?? null });
export function scheduleFile(cfg, stalls, outcome) {
    const body = {
        format: SCHEDULE_FORMAT, version: SCHEDULE_VERSION, program: PROGRAM_VERSION,
        config: encodeConfig(cfg),
        stalls: stalls.map((s) => [s.cpu, s.step, s.cycles, STALL_CAUSES.indexOf(s.cause)]),
        outcome,
    };
    return { ...body, checksum: checksumOf(body) };
}
export const stallsOf = (f) => f.stalls.map(([cpu, step, cycles, cause]) => ({ cpu, step, cycles, cause: STALL_CAUSES[cause] }));
export const configOf = (f) => decodeConfig(f.config);
const int = z.number().int();
const configSchema = z.object({
    workload: z.enum(Object.keys(WORKLOADS)),
    arch: z.string(),
    machine: z.enum(MACHINES.map((m) => m.name)),
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
    schedule: z.object({ policy: z.enum(SCHEDULES), depth: int }).nullable(),
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
export function loadScheduleFile(path) {
    let text;
    try {
        text = readFileSync(path, 'utf8');
    }
    catch (e) {
        throw new UsageError(`${path}: cannot read the schedule file (${e.code ?? e.message})`);
    }
    let json;
    try {
        json = JSON.parse(text);
    }
    catch {
        throw new UsageError(`${path}: damaged schedule file: not JSON`);
    }
    const head = json;
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
        const i = f.error.issues[0];
        throw new UsageError(`${path}: damaged schedule file: ${i.path.join('.') || '(top)'}: ${i.message}`);
    }
    const { checksum, ...body } = f.data;
    if (checksumOf(body) !== checksum)
        throw new UsageError(`${path}: damaged schedule file: the checksum does not match its contents`);
    const c = configSchema.safeParse(body.config);
    if (!c.success) {
        const i = c.error.issues[0];
        throw new UsageError(`${path}: damaged schedule file: config.${i.path.join('.')}: ${i.message}`);
    }
    if (!DRIVERS.includes(c.data.driver))
        throw new UsageError(`${path}: damaged schedule file: config.driver`);
    return f.data;
}
//# sourceMappingURL=schedule_file.js.map