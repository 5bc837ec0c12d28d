// Human-readable output of a run: a summary table, and for a crash an oops
// report in the kernel's own style, ending with the line that replays it.
import { RING_SIZE } from '../emulator/machine.js';
const fmt = (n) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2));
function table(rows) {
    const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
    const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)));
    return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}
export function summary(r) {
    const c = r.config;
    const head = `${c.workload} on ${c.arch} (${c.machine}), kernel ${c.kernel}, ${c.cpus} CPUs, ${r.driver} driver, seed ${r.seed}`;
    const rows = [['cpu', 'steps', 'cycles', 'ipis sent', 'ipis taken', 'irq-off cycles', 'spin cycles', 'loops']];
    for (const x of r.cpus)
        rows.push([`CPU${x.cpu}`, x.steps, x.cycles, x.ipisSent, x.ipisTaken, x.irqOffCycles, x.spinCycles, x.loops]);
    const lines = [
        head,
        table(rows),
        `simulated: ${fmt(r.simulatedCycles.max)} cycles (${fmt(r.simulatedMicroseconds)} us at the modelled clock), clock spread ${fmt(r.simulatedCycles.spread)} cycles`,
        `host: ${r.hostSeconds.toFixed(3)} s, ${fmt(Math.round(r.stepsPerHostSecond))} steps/s` +
            (r.eventHash ? `, event hash ${r.eventHash}` : '') + (r.truncated ? ' (truncated by --duration)' : '') +
            (r.interrupted ? ' (INTERRUPTED: the figures cover what ran)' : ''),
    ];
    const facts = Object.entries(r.workload);
    const show = (v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
    if (facts.length)
        lines.push(`workload: ${facts.map(([k, v]) => `${k}=${show(v)}`).join(', ')}`);
    lines.push(r.crashed ? 'result: CRASHED' : 'result: no crash');
    return lines.join('\n');
}
export function oopsReport(r) {
    const o = r.oops;
    if (!o)
        return '';
    const out = [
        '------------[ cut here ]------------',
        `kernel BUG: ${o.kind}: ${o.message}`,
        `CPU: ${o.cpu} Comm: ${r.config.workload} (simulated ${r.config.arch} ${r.config.kernel}, clock ${fmt(o.clock)})`,
        'Call Trace:',
        ...[...o.trace].reverse().map((f) => ` ${f}`),
    ];
    const race = o.details?.race;
    if (race) {
        out.push('The race:');
        for (const [k, v] of Object.entries(race))
            out.push(` ${k}: ${String(v)}`);
    }
    const rest = Object.entries(o.details ?? {}).filter(([k]) => k !== 'race');
    if (rest.length) {
        out.push('Details:');
        for (const [k, v] of rest) {
            if (typeof v === 'object' && v !== null) {
                out.push(` ${k}:`);
                for (const [kk, vv] of Object.entries(v))
                    out.push(`   ${kk}: ${String(vv)}`);
            }
            else
                out.push(` ${k}: ${String(v)}`);
        }
    }
    const stuck = r.cpus.filter((c) => c.spinningSince !== null);
    if (stuck.length) {
        out.push('Busy-waiting when the machine stopped:');
        for (const c of stuck) {
            const where = c.trace.filter((f) => f !== 'watchdog_timer_fn').at(-1) ?? '?';
            out.push(` CPU#${c.cpu} since clock ${fmt(c.spinningSince)}${c.irqOn ? '' : ', interrupts off'}, in ${where}`);
        }
    }
    out.push(`Last events of every CPU (flight recorder, up to ${RING_SIZE} each, oldest first):`);
    for (const c of r.cpus) {
        out.push(` CPU${c.cpu}${c.irqOn ? '' : ' (interrupts off)'}: ${c.trace.length ? c.trace.join(' > ') : '(no kernel frame)'}`);
        for (const e of c.lastEvents.slice(-12))
            out.push(`   [${fmt(e.clock)}] ${e.event} ${e.arg ? '0x' + e.arg.toString(16) : ''}`.trimEnd());
    }
    out.push('---[ end trace ]---', `Replay: ${r.replay}`);
    return out.join('\n');
}
//# sourceMappingURL=report.js.map