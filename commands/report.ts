// Human-readable output of a run: a summary table, and for a crash an oops
// report in the kernel's own style, ending with the line that replays it.
import { RING_SIZE } from '../emulator/machine.js';
import type { RunResult } from '../system/run.js';
import { ARCHES } from '../arch/index.js';
import type { OopsContext } from '../arch/arch.js';

const fmt = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2));

function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function summary(r: RunResult): string {
  const c = r.config;
  const head = `${c.workload} on ${c.arch} (${c.machine}), kernel ${c.kernel}, ${c.cpus} CPUs, ${r.driver} driver, seed ${r.seed}`;
  const rows: (string | number)[][] = [['cpu', 'steps', 'cycles', 'ipis sent', 'ipis taken', 'irq-off cycles', 'spin cycles', 'loops']];
  for (const x of r.cpus) rows.push([`CPU${x.cpu}`, x.steps, x.cycles, x.ipisSent, x.ipisTaken, x.irqOffCycles, x.spinCycles, x.loops]);
  const lines = [
    head,
    table(rows),
    `simulated: ${fmt(r.simulatedCycles.max)} cycles (${fmt(r.simulatedMicroseconds)} us at the modelled clock), clock spread ${fmt(r.simulatedCycles.spread)} cycles`,
    `host: ${r.hostSeconds.toFixed(3)} s, ${fmt(Math.round(r.stepsPerHostSecond))} steps/s` +
      (r.eventHash ? `, event hash ${r.eventHash}` : '') + (r.truncated ? ' (truncated by --duration)' : '') +
      (r.interrupted ? ' (INTERRUPTED: the figures cover what ran)' : ''),
  ];
  const facts = Object.entries(r.workload);
  const show = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  if (facts.length) lines.push(`workload: ${facts.map(([k, v]) => `${k}=${show(v)}`).join(', ')}`);
  lines.push(r.crashed ? 'result: CRASHED' : 'result: no crash');
  return lines.join('\n');
}

/** The kernel's own report of the crash: the arch's die() layout where it has one, else the generic one. */
function kernelLines(r: RunResult, o: NonNullable<RunResult['oops']>): string[] {
  const arch = ARCHES[r.config.arch];
  const ctx: OopsContext = {
    comm: r.config.workload, kernel: r.config.kernel, irqOn: r.cpus[o.cpu]?.irqOn ?? true,
    warned: r.taint.includes('W'), badPage: r.taint.includes('B'),
  };
  const lines = arch?.oopsLines?.(o, ctx);
  if (lines) {
    // the first warning comes first in the log, as dmesg has it (taint W from then on)
    const w = r.warnings;
    const before = w && arch?.warnLines
      ? [...arch.warnLines(w.first, { ...ctx, irqOn: true, warned: false, badPage: false }), ...(w.count > 1 ? [`(${w.count} warnings in all; the first is shown)`] : [])]
      : [];
    return [...before, ...lines, `---[ end trace ${(r.eventHash ?? '0').padStart(16, '0')} ]---`,
      `(simulated ${r.config.arch} ${r.config.kernel}, CPU ${o.cpu}, clock ${fmt(o.clock)}; the trace id is the run's event hash)`];
  }
  return [
    '------------[ cut here ]------------',
    `kernel BUG: ${o.kind}: ${o.message}`,
    `CPU: ${o.cpu} Comm: ${r.config.workload} (simulated ${r.config.arch} ${r.config.kernel}, clock ${fmt(o.clock)})`,
    'Call Trace:',
    ...[...o.trace].reverse().map((f) => ` ${f}`),
    ...(r.warnings ? [`Warnings before it: ${r.warnings.count}, the first: ${r.warnings.first.message} (CPU ${r.warnings.first.cpu}, in ${[...r.warnings.first.trace].reverse().join(' < ')})`] : []),
  ];
}

export function oopsReport(r: RunResult): string {
  const o = r.oops;
  if (!o) return '';
  const out = kernelLines(r, o);
  const s = r.shadow;
  if (s) {
    out.push(`What the shadow saw first (silent under --detect kernel; ${s.count} finding${s.count === 1 ? '' : 's'} in all):`,
      ` CPU${s.first.cpu} at clock ${fmt(s.first.clock)}: ${s.first.kind}: ${s.first.message}`,
      `   in ${[...s.first.trace].reverse().join(' < ') || '(no kernel frame)'}`);
    for (const [k, v] of Object.entries(s.first.details ?? {})) {
      if (typeof v !== 'object' || v === null) out.push(`   ${k}: ${String(v)}`);
      else for (const [kk, vv] of Object.entries(v)) out.push(`   ${k}.${kk}: ${String(vv)}`);
    }
  }
  const race = o.details?.race as Record<string, unknown> | undefined;
  if (race) {
    out.push('The race:');
    for (const [k, v] of Object.entries(race)) out.push(` ${k}: ${String(v)}`);
  }
  // (an access fault's details are in its message and the arch's lines)
  const rest = Object.entries(o.details ?? {}).filter(([k]) => k !== 'race' && k !== 'fault');
  if (rest.length) {
    out.push('Details:');
    for (const [k, v] of rest) {
      if (typeof v === 'object' && v !== null) {
        out.push(` ${k}:`);
        for (const [kk, vv] of Object.entries(v)) out.push(`   ${kk}: ${String(vv)}`);
      } else out.push(` ${k}: ${String(v)}`);
    }
  }
  const stuck = r.cpus.filter((c) => c.spinningSince !== null);
  if (stuck.length) {
    out.push('Busy-waiting when the machine stopped:');
    for (const c of stuck) {
      const where = c.trace.filter((f) => f !== 'watchdog_timer_fn').at(-1) ?? '?';
      out.push(` CPU#${c.cpu} since clock ${fmt(c.spinningSince!)}${c.irqOn ? '' : ', interrupts off'}, in ${where}`);
    }
  }
  out.push(`Last events of every CPU (flight recorder, up to ${RING_SIZE} each, oldest first):`);
  for (const c of r.cpus) {
    out.push(` CPU${c.cpu}${c.irqOn ? '' : ' (interrupts off)'}: ${c.trace.length ? c.trace.join(' > ') : '(no kernel frame)'}`);
    for (const e of c.lastEvents.slice(-12)) out.push(`   [${fmt(e.clock)}] ${e.event} ${e.arg ? '0x' + e.arg.toString(16) : ''}`.trimEnd());
  }
  out.push('---[ end trace ]---', `Replay: ${r.replay}`);
  return out.join('\n');
}
