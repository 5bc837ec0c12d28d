import { run } from '../system/run.js';
import { configOf, scheduleFile, stallsOf } from '../system/schedule_file.js';
import { WORKLOADS } from '../workloads/index.js';
/** What "the same way" means: the oops kind and its message with addresses, CPUs and clocks taken out. */
export function signature(o) {
    if (!o)
        return null;
    return `${o.kind}: ${o.message.replace(/0x[0-9a-f]+/g, 'ADDR').replace(/CPU\s*#?\d+/g, 'CPU*').replace(/\d+/g, 'N')}`;
}
/** ddmin over `items`: a 1-minimal subset for which `fails` holds. */
export async function ddmin(items, fails) {
    let cur = [...items];
    if (await fails([]))
        return [];
    let n = 2;
    while (cur.length >= 2) {
        const size = Math.ceil(cur.length / n);
        const chunks = [];
        for (let i = 0; i < cur.length; i += size)
            chunks.push(cur.slice(i, i + size));
        let reduced = false;
        for (const c of chunks) {
            if (await fails(c)) {
                cur = c;
                n = 2;
                reduced = true;
                break;
            }
        }
        if (!reduced) {
            for (let i = 0; i < chunks.length; i++) {
                const rest = chunks.filter((_, j) => j !== i).flat();
                if (await fails(rest)) {
                    cur = rest;
                    n = Math.max(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
        }
        if (!reduced) {
            if (n >= cur.length)
                break;
            n = Math.min(cur.length, n * 2);
        }
    }
    if (cur.length === 1 && (await fails([])))
        return [];
    return cur;
}
export async function shrink(f, progress) {
    const sig = signature(f.outcome.oops);
    if (sig === null)
        throw new Error('the schedule did not crash: nothing to shrink');
    let cfg = configOf(f);
    let stalls = stallsOf(f);
    let tries = 0;
    let phase = 'decisions';
    let last = null;
    const before = { stalls: stalls.length, cpus: cfg.cpus, simMs: cfg.simMs, params: cfg.params };
    const crashes = async (c, s) => {
        tries++;
        const kept = s.filter((x) => x.cpu < c.cpus);
        const r = await run(c, { replay: kept });
        progress({ phase, tries, stalls: kept.length, cpus: c.cpus });
        const ok = signature(r.oops) === sig;
        if (ok)
            last = r;
        return ok;
    };
    stalls = await ddmin(stalls, (s) => crashes(cfg, s));
    // fewer CPUs, smaller roles and sizes: one step at a time while the crash survives
    phase = 'machine';
    const spec = WORKLOADS[cfg.workload].params;
    for (let changed = true; changed;) {
        changed = false;
        const candidates = [];
        if (cfg.cpus > WORKLOADS[cfg.workload].minCpus)
            candidates.push({ ...cfg, cpus: cfg.cpus - 1 });
        for (const [k, v] of Object.entries(cfg.params)) {
            const d = spec[k];
            if (typeof v !== 'number' || !d || d.type !== 'int' || v <= (d.min ?? 0))
                continue;
            // roles and sizes shrink; rates and cycle counts are the workload's shape, not its size
            if (!['splitters', 'gupers', 'thps', 'pinPages', 'bystanders'].includes(k))
                continue;
            candidates.push({ ...cfg, params: { ...cfg.params, [k]: v - 1 } });
        }
        for (const c of candidates) {
            if (await crashes(c, stalls)) {
                cfg = c;
                stalls = stalls.filter((x) => x.cpu < c.cpus);
                changed = true;
                break;
            }
        }
    }
    // the decisions again: a smaller machine may need fewer
    phase = 'decisions again';
    stalls = await ddmin(stalls, (s) => crashes(cfg, s));
    // a simulated length that ends just after the crash
    phase = 'length';
    if (!(await crashes(cfg, stalls)))
        throw new Error('the shrunk schedule stopped crashing on replay');
    const r = last;
    const us = r.oops.clock / (r.simulatedMicroseconds > 0 ? r.simulatedCycles.max / r.simulatedMicroseconds : 1);
    const simMs = Math.ceil(us / 100 + 1) / 10;
    const shorter = { ...cfg, simMs: Math.min(simMs, cfg.simMs ?? Infinity) };
    if (await crashes(shorter, stalls))
        cfg = shorter;
    const fin = await run(cfg, { replay: stalls });
    const file = scheduleFile(cfg, stalls, {
        eventHash: fin.eventHash,
        oops: fin.oops ? { kind: fin.oops.kind, message: fin.oops.message, cpu: fin.oops.cpu, clock: fin.oops.clock } : null,
    });
    return {
        before,
        after: { stalls: stalls.length, cpus: cfg.cpus, simMs: cfg.simMs, params: cfg.params },
        tries, file, signature: sig,
    };
}
//# sourceMappingURL=shrink.js.map