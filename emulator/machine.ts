// The machine's shared state: one SharedArrayBuffer carved into named regions.
// Every thread (main, each CPU worker) builds a Machine over the same buffer.
import { allocate, attach, type LayoutSpec, type Views } from './layout.js';
import type { MachineConfig } from './machine_config.js';
import { EVENT_COUNT } from './events.js';
import { lineSpace, lineWords } from './kaddr.js';

export { C, CLOCK_SHIFT, CPU_STRIDE } from './cpu_words.js';
import { CPU_STRIDE } from './cpu_words.js';

/** Machine control words. */
export const M = {
  STATE: 0,       // RUN_STATE
  START: 1,       // 1 when workers may start
  READY: 2,       // workers attached
  CLOCK_SEQ: 4,   // bumped on stop to wake sleepers
  OOPS_CPU: 5,    // first CPU to oops, -1 for none
  DONE: 6,        // CPUs whose program ended
  OOPS_LEN: 7,    // bytes of oops text
  SAMPLES: 8,     // samples recorded
  SHADOW_CPU: 9,  // first CPU whose checker noted a finding silently (Cpu.shadowNote), -1 for none
  SHADOW_COUNT: 10, // findings noted silently
  WARN_CPU: 11,   // first CPU to WARN (a check that reports and goes on, Cpu.warn), -1 for none
  WARN_COUNT: 12, // warnings so far
  TAINT: 13,      // taint letters the warnings set, a bit each (Cpu.warn: 1 W, 2 B)
} as const;
export const CONTROL_WORDS = 16;

export const RunState = { RUN: 0, STOP: 1, HALT: 2 } as const;

/** Per-CPU statistics kept as float64 (written by the CPU's own thread). */
export const STAT_NAMES = [
  'steps', 'clock', 'ipisSent', 'ipisTaken', 'irqOffCycles', 'spinCycles', 'handlerCycles',
  'tlbHits', 'tlbMisses', 'loops', 'stallCycles', 'lineTransfers', 'stealCycles', 'delayCycles', 'ticks',
] as const;
export type StatName = (typeof STAT_NAMES)[number];
export const S: { readonly [K in StatName]: number } =
  Object.fromEntries(STAT_NAMES.map((n, i) => [n, i])) as { [K in StatName]: number };
export const STAT_STRIDE = 16;

/** Flight recorder: the last RING_SIZE events of each CPU as (clock, kind, arg). */
export const RING_SIZE = 64; // a power of two: Cpu.charge wraps the head with a mask
export const RING_FIELDS = 3;

/** TLB: TLB_ENTRIES entries per CPU of TLB_FIELDS words (see arch/tlb.ts). */
export const TLB_ENTRIES = 64;
export const TLB_FIELDS = 5;
export const TLB_LARGE = 16;

/**
 * smp_call_function data, CSD_FIELDS words each: per sending CPU, one csd per
 * target (cfd_data) plus csd_data and csd_stack of smp_call_function_single.
 */
export const CSD_FIELDS = 4;
export const csdSlots = (ncpus: number): number => ncpus + 2;

/** Text a CPU leaves at the end of a run (call trace, state) for reports. */
export const DUMP_BYTES = 2048;
export const OOPS_BYTES = 16384;

/** Words for the kernel's own scalars (mm, locks) and for workload setup. */
export const KERNEL_WORDS = 8192;
export const SCRATCH_SLOTS = 512;
export const SAMPLE_SLOTS = 8192;

/**
 * What the assembling layer tells the machine to hold: `lineShift`, log2 of
 * the cache line whose ownership it tracks (arch cost table); `pageShift`,
 * log2 of the arch's base page; `pageWords`, the Int32 words of the kernel's
 * struct page (kernel-sim/mm_types.ts), one per frame.
 */
export interface MachineShape {
  readonly lineShift: number;
  readonly pageShift: number;
  readonly pageWords: number;
}

/** frames of 2^pageShift bytes (the arch's base page) in the machine's memory */
const frames = (cfg: Pick<MachineConfig, 'memMiB'>, pageShift: number): number => (cfg.memMiB * 1024 * 1024) / 2 ** pageShift;
/** the smallest huge-page order of any arch (s390 1 MiB of 4 KiB, ppc64 16 MiB of 64 KiB: order 8) sizes the allocator's block arrays */
export const MIN_BLOCK_ORDER = 8;
export const BLOCK_META = 4;

export function machineLayout(cfg: Pick<MachineConfig, 'cpus' | 'memMiB'>, shape: MachineShape) {
  const n = cfg.cpus;
  const nf = frames(cfg, shape.pageShift);
  return {
    control: { kind: 'i32', length: CONTROL_WORDS },
    cpu: { kind: 'i32', length: n * CPU_STRIDE },
    stats: { kind: 'f64', length: n * STAT_STRIDE },
    ring: { kind: 'f64', length: n * RING_SIZE * RING_FIELDS },
    tlb: { kind: 'i32', length: n * (TLB_ENTRIES + TLB_LARGE) * TLB_FIELDS },
    csd: { kind: 'i32', length: n * csdSlots(n) * CSD_FIELDS },
    kernel: { kind: 'i32', length: KERNEL_WORDS },
    // float64 facts a workload records for its report (clocks, outcomes)
    scratch: { kind: 'f64', length: SCRATCH_SLOTS },
    // measurements a workload collects (latencies), count in control word SAMPLES
    samples: { kind: 'f64', length: SAMPLE_SLOTS },
    dump: { kind: 'u8', length: n * DUMP_BYTES },
    oops: { kind: 'u8', length: OOPS_BYTES },
    // the first finding a checker noted without stopping the machine (Cpu.shadowNote)
    shadow: { kind: 'u8', length: OOPS_BYTES },
    // the first warning (Cpu.warn)
    warn: { kind: 'u8', length: OOPS_BYTES },
    // struct page per frame, as large as the kernel says
    pages: { kind: 'i32', length: nf * shape.pageWords },
    // page allocator: per huge block metadata and free-frame stacks (kernel-sim/page_alloc.ts)
    blockMeta: { kind: 'i32', length: (nf >> MIN_BLOCK_ORDER) * BLOCK_META },
    blockStack: { kind: 'i32', length: nf },
    freeBlocks: { kind: 'i32', length: nf >> MIN_BLOCK_ORDER },
    partialBlocks: { kind: 'i32', length: nf >> MIN_BLOCK_ORDER },
    // per cache line: last writer + 1, and a bitmap of the CPUs holding it (emulator/kaddr.ts)
    lines: { kind: 'i32', length: lineSpace(cfg.memMiB * 1024 * 1024, shape.lineShift) * lineWords(n) },
    // cycles per event kind, per CPU
    kindCycles: { kind: 'f64', length: n * EVENT_COUNT },
    // simulated physical memory, big-endian 64-bit entries as two words (see arch/s390/dat.ts)
    mem: { kind: 'i32', length: (cfg.memMiB * 1024 * 1024) / 4 },
  } as const satisfies LayoutSpec;
}

export type MachineViews = Views<ReturnType<typeof machineLayout>>;

export class Machine {
  readonly v: MachineViews;
  readonly ncpus: number;
  readonly frames: number;
  readonly lineShift: number;
  readonly pageShift: number;
  /** 2 ** pageShift, computed once (`2 ** x` of a variable calls pow) */
  readonly pageBytes: number;
  constructor(readonly cfg: MachineConfig, readonly buffer: SharedArrayBuffer, views: MachineViews, shape: MachineShape) {
    this.v = views;
    this.ncpus = cfg.cpus;
    this.lineShift = shape.lineShift;
    this.pageShift = shape.pageShift;
    this.pageBytes = 2 ** shape.pageShift;
    this.frames = frames(cfg, shape.pageShift);
  }

  static create(cfg: MachineConfig, shape: MachineShape): Machine {
    const { buffer, views } = allocate(machineLayout(cfg, shape));
    const m = new Machine(cfg, buffer, views, shape);
    Atomics.store(views.control, M.OOPS_CPU, -1);
    Atomics.store(views.control, M.SHADOW_CPU, -1);
    Atomics.store(views.control, M.WARN_CPU, -1);
    return m;
  }

  static attach(cfg: MachineConfig, buffer: SharedArrayBuffer, shape: MachineShape): Machine {
    return new Machine(cfg, buffer, attach(machineLayout(cfg, shape), buffer), shape);
  }

  state(): number { return Atomics.load(this.v.control, M.STATE); }

  /** Stops every CPU at its next step; HALT (an oops) wins over STOP. */
  requestStop(state: number): void {
    Atomics.compareExchange(this.v.control, M.STATE, RunState.RUN, state);
    if (state === RunState.HALT) Atomics.store(this.v.control, M.STATE, RunState.HALT);
    Atomics.add(this.v.control, M.CLOCK_SEQ, 1);
    Atomics.notify(this.v.control, M.CLOCK_SEQ);
    Atomics.notify(this.v.control, M.START);
  }

  stat(cpu: number, s: StatName): number { return this.v.stats[cpu * STAT_STRIDE + S[s]]!; }

  readText(region: Uint8Array, offset: number, max: number): string {
    const bytes = region.subarray(offset, offset + max);
    let end = bytes.indexOf(0);
    if (end < 0) end = bytes.length;
    return new TextDecoder().decode(bytes.slice(0, end));
  }

  writeText(region: Uint8Array, offset: number, max: number, text: string): void {
    const enc = new TextEncoder().encode(text).subarray(0, max - 1);
    region.set(enc, offset);
    region[offset + enc.length] = 0;
  }
}
