import { EVENT_COUNT, EVENT_NAMES, Ev } from '../../emulator/events.js';
const PURGES = new Uint8Array(EVENT_COUNT);
for (const k of [Ev.ipte, Ev.idte, Ev.csp, Ev.tlb_flush_local])
    PURGES[k] = 1;
/** the interrupts-off track of CPU n */
const IRQ_TRACK = 1000;
export class ChromeTracer {
    ncpus;
    ghz;
    windowUs;
    events = [];
    open = [];
    irqOff = [];
    flows = [];
    /** per CPU, the latest time anything on its track reached (a stall ends ahead of the clock read back) */
    lastEnd = [];
    nextFlow = 1;
    /** the clock of the CPU that last stepped: under the deterministic driver no CPU is behind it */
    nowUs = 0;
    oopsUs = -1;
    constructor(ncpus, ghz, windowUs) {
        this.ncpus = ncpus;
        this.ghz = ghz;
        this.windowUs = windowUs;
        for (let i = 0; i < ncpus; i++) {
            this.open.push([]);
            this.irqOff.push(-1);
            this.flows.push([]);
            this.lastEnd.push(0);
        }
    }
    us(cpu) {
        const t = cpu.clock / (this.ghz * 1000);
        this.nowUs = t;
        return t;
    }
    push(e) {
        this.events.push(e);
        // keep the buffer bounded: drop what ended before the window of the furthest CPU
        if (this.events.length > 400_000)
            this.prune();
    }
    prune() {
        const from = this.nowUs - this.windowUs;
        this.events = this.events.filter((e) => (e.ts + (e.dur ?? 0)) >= from || e.ph === 's' || e.ph === 'f');
    }
    enter(cpu, fn) { this.open[cpu.id].push({ name: fn, ts: this.us(cpu) }); }
    leave(cpu) {
        const o = this.open[cpu.id].pop();
        if (o) {
            const t = this.us(cpu);
            this.push({ name: o.name, cat: 'kernel', ph: 'X', ts: o.ts, dur: t - o.ts, pid: 1, tid: cpu.id });
        }
    }
    unwind(cpu, depth) {
        while (this.open[cpu.id].length > depth)
            this.leave(cpu);
    }
    irq(cpu, on) {
        const t = this.us(cpu);
        if (!on) {
            if (this.irqOff[cpu.id] < 0)
                this.irqOff[cpu.id] = t;
            return;
        }
        const from = this.irqOff[cpu.id];
        if (from >= 0)
            this.push({ name: 'interrupts off', cat: 'irq', ph: 'X', ts: from, dur: t - from, pid: 1, tid: IRQ_TRACK + cpu.id });
        this.irqOff[cpu.id] = -1;
    }
    stall(cpu, cycles, cause) {
        const t = this.us(cpu);
        const dur = cycles / (this.ghz * 1000);
        this.push({ name: cause === 'steal' ? 'steal (hypervisor)' : `${cause} stall`, cat: 'stall', ph: 'X', ts: t, dur, pid: 1, tid: cpu.id, args: { cycles } });
        this.lastEnd[cpu.id] = Math.max(this.lastEnd[cpu.id], t + dur);
    }
    raise(cpu, target, bits) {
        const id = this.nextFlow++;
        const t = this.us(cpu);
        this.flows[target].push({ id, ts: t, from: cpu.id, bits });
        this.push({ name: 'IPI', cat: 'ipi', ph: 's', id, ts: t, pid: 1, tid: cpu.id, args: { to: target, bits } });
    }
    interrupt(cpu, bits, tick) {
        const t = this.us(cpu);
        if (tick) {
            this.push({ name: 'timer tick', cat: 'irq', ph: 'i', s: 't', ts: t, pid: 1, tid: cpu.id });
            return;
        }
        const pending = this.flows[cpu.id];
        const keep = [];
        for (const f of pending) {
            if ((f.bits & bits) === 0) {
                keep.push(f);
                continue;
            }
            this.push({ name: 'IPI', cat: 'ipi', ph: 'f', bp: 'e', id: f.id, ts: Math.max(t, f.ts), pid: 1, tid: cpu.id, args: { from: f.from } });
        }
        this.flows[cpu.id] = keep;
    }
    step(cpu) {
        const k = cpu.lastKind;
        if (PURGES[k] === 1)
            this.push({ name: `${EVENT_NAMES[k]} 0x${cpu.lastArg.toString(16)}`, cat: 'tlb', ph: 'i', s: 't', ts: this.us(cpu), pid: 1, tid: cpu.id });
    }
    note(cpu, name, args) {
        this.push({ name, cat: 'mm', ph: 'i', s: 't', ts: this.us(cpu), pid: 1, tid: cpu.id, args });
    }
    oops(cpu, kind, message) {
        this.oopsUs = this.us(cpu);
        this.push({ name: kind, cat: 'oops', ph: 'i', s: 'g', ts: this.us(cpu), pid: 1, tid: cpu.id, args: { cpu: cpu.id, message } });
    }
    /** The trace: open spans closed at the end, the window applied, flows with both ends only. */
    finish(cpus) {
        for (const c of cpus) {
            const t = Math.max(c.clock / (this.ghz * 1000), this.lastEnd[c.id]);
            for (let o = this.open[c.id].pop(); o; o = this.open[c.id].pop())
                this.events.push({ name: o.name, cat: 'kernel', ph: 'X', ts: o.ts, dur: Math.max(0, t - o.ts), pid: 1, tid: c.id });
            const off = this.irqOff[c.id];
            if (off >= 0)
                this.events.push({ name: 'interrupts off', cat: 'irq', ph: 'X', ts: off, dur: Math.max(0, t - off), pid: 1, tid: IRQ_TRACK + c.id });
        }
        // the window ends at the oops, else where the slowest CPU stopped
        const endUs = this.oopsUs >= 0 ? this.oopsUs : Math.min(...cpus.map((c) => c.clock / (this.ghz * 1000)));
        const from = endUs - this.windowUs;
        const kept = [];
        for (const e of this.events) {
            if (e.ts > endUs)
                continue;
            if (e.ph === 'X') {
                const end = e.ts + e.dur;
                if (end < from)
                    continue;
                // clipped at the window's start: a parent and its child clip alike, so they still nest
                kept.push(e.ts < from ? { ...e, ts: from, dur: end - from } : e);
            }
            else if (e.ts >= from)
                kept.push(e);
        }
        const starts = new Set(kept.filter((e) => e.ph === 's').map((e) => e.id));
        const ends = new Set(kept.filter((e) => e.ph === 'f').map((e) => e.id));
        const events = kept.filter((e) => (e.ph !== 's' && e.ph !== 'f') || (starts.has(e.id) && ends.has(e.id)));
        const meta = [{ name: 'process_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: 's390emu' } }];
        for (let i = 0; i < this.ncpus; i++) {
            meta.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: i, args: { name: `CPU ${i}` } });
            meta.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: IRQ_TRACK + i, args: { name: `CPU ${i} interrupts off` } });
        }
        events.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
        return { traceEvents: [...meta, ...events], displayTimeUnit: 'ns', otherData: { windowUs: this.windowUs, fromUs: Math.max(0, from), toUs: endUs } };
    }
}
//# sourceMappingURL=chrome.js.map