// A trace of a deterministic run in Chrome's trace-event format (the JSON
// object form that ui.perfetto.dev and chrome://tracing open): per CPU a track
// of kernel-function spans (the call trace every CPU keeps) with its stalls,
// TLB purges and frees, a second track of interrupts-off spans, IPIs as flow
// arrows from the sender to the handler, and the oops as a global instant.
// Bounded: only the last `windowUs` simulated microseconds are kept.
import type { Cpu, CpuTracer, StallCause } from '../../emulator/cpu.js';
import { EVENT_COUNT, EVENT_NAMES, Ev } from '../../emulator/events.js';

export interface TraceEvent {
  name: string;
  cat: string;
  ph: 'X' | 'i' | 's' | 'f' | 'M';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  id?: number;
  bp?: 'e';
  s?: 'g' | 't';
  args?: Record<string, unknown>;
}

const PURGES = new Uint8Array(EVENT_COUNT);
for (const k of [Ev.ipte, Ev.idte, Ev.csp, Ev.tlb_flush_local]) PURGES[k] = 1;

/** the interrupts-off track of CPU n */
const IRQ_TRACK = 1000;

interface Open { name: string; ts: number }
interface Flow { id: number; ts: number; from: number; bits: number }

export class ChromeTracer implements CpuTracer {
  private events: TraceEvent[] = [];
  private readonly open: Open[][] = [];
  private readonly irqOff: number[] = [];
  private readonly flows: Flow[][] = [];
  /** per CPU, the latest time anything on its track reached (a stall ends ahead of the clock read back) */
  private readonly lastEnd: number[] = [];
  private nextFlow = 1;
  /** the clock of the CPU that last stepped: under the deterministic driver no CPU is behind it */
  private nowUs = 0;
  private oopsUs = -1;

  constructor(private readonly ncpus: number, private readonly ghz: number, private readonly windowUs: number) {
    for (let i = 0; i < ncpus; i++) { this.open.push([]); this.irqOff.push(-1); this.flows.push([]); this.lastEnd.push(0); }
  }

  private us(cpu: Cpu): number {
    const t = cpu.clock / (this.ghz * 1000);
    this.nowUs = t;
    return t;
  }

  private push(e: TraceEvent): void {
    this.events.push(e);
    // keep the buffer bounded: drop what ended before the window of the furthest CPU
    if (this.events.length > 400_000) this.prune();
  }

  private prune(): void {
    const from = this.nowUs - this.windowUs;
    this.events = this.events.filter((e) => (e.ts + (e.dur ?? 0)) >= from || e.ph === 's' || e.ph === 'f');
  }

  enter(cpu: Cpu, fn: string): void { this.open[cpu.id]!.push({ name: fn, ts: this.us(cpu) }); }

  leave(cpu: Cpu): void {
    const o = this.open[cpu.id]!.pop();
    if (o) { const t = this.us(cpu); this.push({ name: o.name, cat: 'kernel', ph: 'X', ts: o.ts, dur: t - o.ts, pid: 1, tid: cpu.id }); }
  }

  unwind(cpu: Cpu, depth: number): void {
    while (this.open[cpu.id]!.length > depth) this.leave(cpu);
  }

  irq(cpu: Cpu, on: boolean): void {
    const t = this.us(cpu);
    if (!on) { if (this.irqOff[cpu.id]! < 0) this.irqOff[cpu.id] = t; return; }
    const from = this.irqOff[cpu.id]!;
    if (from >= 0) this.push({ name: 'interrupts off', cat: 'irq', ph: 'X', ts: from, dur: t - from, pid: 1, tid: IRQ_TRACK + cpu.id });
    this.irqOff[cpu.id] = -1;
  }

  stall(cpu: Cpu, cycles: number, cause: StallCause): void {
    const t = this.us(cpu);
    const dur = cycles / (this.ghz * 1000);
    this.push({ name: cause === 'steal' ? 'steal (hypervisor)' : `${cause} stall`, cat: 'stall', ph: 'X', ts: t, dur, pid: 1, tid: cpu.id, args: { cycles } });
    this.lastEnd[cpu.id] = Math.max(this.lastEnd[cpu.id]!, t + dur);
  }

  raise(cpu: Cpu, target: number, bits: number): void {
    const id = this.nextFlow++;
    const t = this.us(cpu);
    this.flows[target]!.push({ id, ts: t, from: cpu.id, bits });
    this.push({ name: 'IPI', cat: 'ipi', ph: 's', id, ts: t, pid: 1, tid: cpu.id, args: { to: target, bits } });
  }

  interrupt(cpu: Cpu, bits: number, tick: boolean): void {
    const t = this.us(cpu);
    if (tick) { this.push({ name: 'timer tick', cat: 'irq', ph: 'i', s: 't', ts: t, pid: 1, tid: cpu.id }); return; }
    const pending = this.flows[cpu.id]!;
    const keep: Flow[] = [];
    for (const f of pending) {
      if ((f.bits & bits) === 0) { keep.push(f); continue; }
      this.push({ name: 'IPI', cat: 'ipi', ph: 'f', bp: 'e', id: f.id, ts: Math.max(t, f.ts), pid: 1, tid: cpu.id, args: { from: f.from } });
    }
    this.flows[cpu.id] = keep;
  }

  step(cpu: Cpu): void {
    const k = cpu.lastKind;
    if (PURGES[k] === 1) this.push({ name: `${EVENT_NAMES[k]} 0x${cpu.lastArg.toString(16)}`, cat: 'tlb', ph: 'i', s: 't', ts: this.us(cpu), pid: 1, tid: cpu.id });
  }

  note(cpu: Cpu, name: string, args: Record<string, unknown>): void {
    this.push({ name, cat: 'mm', ph: 'i', s: 't', ts: this.us(cpu), pid: 1, tid: cpu.id, args });
  }

  oops(cpu: Cpu, kind: string, message: string): void {
    this.oopsUs = this.us(cpu);
    this.push({ name: kind, cat: 'oops', ph: 'i', s: 'g', ts: this.us(cpu), pid: 1, tid: cpu.id, args: { cpu: cpu.id, message } });
  }

  /** The trace: open spans closed at the end, the window applied, flows with both ends only. */
  finish(cpus: readonly { id: number; clock: number }[]): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns'; otherData: Record<string, unknown> } {
    for (const c of cpus) {
      const t = Math.max(c.clock / (this.ghz * 1000), this.lastEnd[c.id]!);
      for (let o = this.open[c.id]!.pop(); o; o = this.open[c.id]!.pop()) this.events.push({ name: o.name, cat: 'kernel', ph: 'X', ts: o.ts, dur: Math.max(0, t - o.ts), pid: 1, tid: c.id });
      const off = this.irqOff[c.id]!;
      if (off >= 0) this.events.push({ name: 'interrupts off', cat: 'irq', ph: 'X', ts: off, dur: Math.max(0, t - off), pid: 1, tid: IRQ_TRACK + c.id });
    }
    // the window ends at the oops, else where the slowest CPU stopped
    const endUs = this.oopsUs >= 0 ? this.oopsUs : Math.min(...cpus.map((c) => c.clock / (this.ghz * 1000)));
    const from = endUs - this.windowUs;
    const kept: TraceEvent[] = [];
    for (const e of this.events) {
      if (e.ts > endUs) continue;
      if (e.ph === 'X') {
        const end = e.ts + e.dur!;
        if (end < from) continue;
        // clipped at the window's start: a parent and its child clip alike, so they still nest
        kept.push(e.ts < from ? { ...e, ts: from, dur: end - from } : e);
      } else if (e.ts >= from) kept.push(e);
    }
    const starts = new Set(kept.filter((e) => e.ph === 's').map((e) => e.id));
    const ends = new Set(kept.filter((e) => e.ph === 'f').map((e) => e.id));
    const events = kept.filter((e) => (e.ph !== 's' && e.ph !== 'f') || (starts.has(e.id) && ends.has(e.id)));
    const meta: TraceEvent[] = [{ name: 'process_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: 's390emu' } }];
    for (let i = 0; i < this.ncpus; i++) {
      meta.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: i, args: { name: `CPU ${i}` } });
      meta.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: IRQ_TRACK + i, args: { name: `CPU ${i} interrupts off` } });
    }
    events.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    return { traceEvents: [...meta, ...events], displayTimeUnit: 'ns', otherData: { windowUs: this.windowUs, fromUs: Math.max(0, from), toUs: endUs } };
  }
}
