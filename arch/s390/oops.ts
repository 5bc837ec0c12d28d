// s390's die() output for a kernel check, laid out as Linux v4.5 prints it:
// arch/s390/kernel/dumpstack.c (die, show_regs, show_registers, show_trace,
// show_last_breaking_event), arch/s390/mm/fault.c (do_no_context,
// dump_fault_info), arch/s390/kernel/traps.c (do_report_trap), lib/bug.c
// (report_bug: "kernel BUG at", "WARNING: at"), mm/debug.c (dump_page) and
// kernel/printk/printk.c (dump_stack_print_info). The model executes no
// instructions: there are no instruction addresses, registers or code bytes,
// so the PSW, the trace and the breaking-event address name functions only,
// and the GPRS and Code lines say that they are not modelled.
import type { OopsRecord } from '../../emulator/cpu.js';
import type { OopsContext } from '../arch.js';
import { pageAddr } from '../../kernel-sim/mm_types.js';

/** program interruption codes (PoP SA22-7832-10, "Program-Interruption Conditions"; arch/s390/kernel/pgm_check.S) */
const PGM = { operation: 0x0001, segmentTranslation: 0x0010, pageTranslation: 0x0011, regionThirdTranslation: 0x003b } as const;

/** What the report calls a fault the kernel-sim layer describes (kernel-sim/kernel_access.ts KernelFault). */
interface Fault { reason: 'free-page' | 'beyond-memory'; address: number | null; write: boolean; user: boolean }

const hex16 = (x: number): string => (x >>> 0).toString(16).padStart(16, '0');

/**
 * The PSW mask at the check: DAT, I/O and external interrupts as the CPU had
 * them, key 0, machine checks on, home space, 64-bit (v4.5's PSW_KERNEL_BITS
 * | PSW_MASK_DAT | PSW_MASK_IO | PSW_MASK_EXT | PSW_MASK_MCHECK), condition code 0.
 */
function pswMask(irqOn: boolean): { mask: string; fields: string } {
  const io = irqOn ? 1 : 0;
  // bits 5 (T, DAT), 6 (IO), 7 (EX), 13 (M), 16-17 (AS 3: home), 31-32 (EA 3: 64-bit)
  const mask = (0x04 | (io << 1) | io).toString(16).padStart(2, '0') + '04c00180000000';
  return { mask, fields: `           R:0 T:1 IO:${io} EX:${io} Key:0 M:1 W:0 P:0 AS:3 CC:0 PM:0 EA:3` };
}

/** "4.5.0-rc1" from a preset's name ("v4.5-rc1", "v4.5-rc1+kick"); a scenario's kernel keeps its name. */
function release(kernel: string): string {
  const m = /^v(\d+)\.(\d+)(-rc\d+)?/.exec(kernel);
  return m ? `${m[1]}.${m[2]}.0${m[3] ?? ''}` : kernel;
}

/** print_tainted(): G (no proprietary module), B (bad page), W (a warning came first). */
function tainted(ctx: OopsContext): string {
  if (!ctx.warned && !ctx.badPage) return 'Not tainted';
  return `Tainted: G    ${ctx.badPage ? 'B' : ' '}   ${ctx.warned ? 'W' : ' '}  `;
}

/** the functions that report a check (the model's frames for them): the kernel's trace starts below them */
const REPORTERS = new Set(['VM_BUG_ON_PAGE', 'kasan_report', 'bad_page']);

/** The call trace, innermost first, from the model's call stack. */
const framesOf = (trace: readonly string[]): string[] => [...trace].reverse().filter((f) => !REPORTERS.has(f));

/** show_regs: the process line, the PSW, what is not modelled, the call trace, the breaking-event address. */
function showRegs(o: OopsRecord, ctx: OopsContext): string[] {
  const frames = framesOf(o.trace);
  const psw = pswMask(ctx.irqOn);
  const at = frames[0] ?? '?';
  return [
    'Modules linked in:',
    `CPU: ${o.cpu} PID: - Comm: ${ctx.comm.slice(0, 20)} ${tainted(ctx)} ${release(ctx.kernel)} #1`,
    `Krnl PSW : ${psw.mask} (${at})`,
    psw.fields,
    'Krnl GPRS: (registers are not modelled)',
    'Krnl Code: (instructions are not modelled)',
    'Call Trace:',
    ...frames.map((f, i) => (i === 0 ? `(${f})` : ` ${f}`)),
    'Last Breaking-Event-Address:',
    ` ${at}`,
  ];
}

/** die(regs, str): the header line of v4.5 (PREEMPT SMP DEBUG_PAGEALLOC, as the 2016 test kernels had them). */
const dieLine = (str: string, code: number, ilc: number): string =>
  `${str}: ${code.toString(16).padStart(4, '0')} ilc:${ilc} [#1] PREEMPT SMP DEBUG_PAGEALLOC`;

/** dump_page(page, reason) of mm/debug.c, from the model's page record (its struct page at the model's vmemmap address). */
function dumpPage(page: Record<string, unknown> | undefined, reason: string): string[] {
  if (!page) return [`page dumped because: ${reason}`];
  const pfn = Number.parseInt(/pfn 0x([0-9a-f]+)/.exec(String(page.page ?? ''))?.[1] ?? '0', 16);
  const flags = String(page.flags ?? '0');
  return [
    `page:${hex16(pageAddr(pfn))} count:${String(page.count)} mapcount:${String(page.mapcount)} mapping:          (null) index:0x0`,
    `flags: (${flags === '0' ? '' : flags})`,
    `page dumped because: ${reason}`,
  ];
}

/**
 * The TEID of a translation exception (PoP, "Translation-Exception
 * Identification"): the failing page's address, the store indication of
 * facility 75 (arch/s390/mm/fault.c: 0x400 a store, 0x800 a fetch) and the
 * address space (3: home, where the kernel runs).
 */
const teid = (address: number, write: boolean): number => ((address & -4096) >>> 0) + (write ? 0x400 : 0x800) + 3;

/** The fault handler's lines and die() string for an access fault (do_no_context, or do_report_trap for a user fault). */
function faultLines(o: OopsRecord, f: Fault): { head: string[]; die: string } {
  const addr = f.address ?? 0x80000000;
  const code = f.reason === 'free-page' ? PGM.pageTranslation : addr >= 0x80000000 ? PGM.regionThirdTranslation : PGM.segmentTranslation;
  const failing = `failing address: ${hex16(addr & -4096)} TEID: ${hex16(teid(addr, f.write))}`;
  if (f.user) {
    return {
      head: [`User process fault: interruption code ${code.toString(16).padStart(4, '0')} ilc:2 in ${o.trace.at(-1) ?? '?'}`, failing,
        'Fault in home space mode while using user ASCE.'],
      die: '',
    };
  }
  return {
    head: ['Unable to handle kernel pointer dereference in virtual kernel address space', failing,
      'Fault in home space mode while using kernel ASCE.'],
    die: dieLine('Oops', code, 3),
  };
}

/**
 * The kernel's report of `o` as s390 v4.5 prints it, or null for a finding
 * that is not the kernel's own (KASAN, the reproducer's data check): those
 * keep the generic layout.
 */
export function s390OopsLines(o: OopsRecord, ctx: OopsContext): string[] | null {
  const frames = framesOf(o.trace);
  const d = (o.details ?? {}) as Record<string, unknown>;
  const where = typeof d.at === 'string' ? d.at : null;
  if (o.kind === 'Oops' || o.kind === 'User process fault') {
    const f = d.fault as Fault;
    const { head, die } = faultLines(o, f);
    if (f.user) return [...head, ...showRegs(o, ctx)];
    return [...head, die, ...showRegs(o, ctx)];
  }
  if (o.kind === 'BUG' || o.kind === 'VM_BUG_ON_PAGE' || o.kind === 'Bad page state') {
    const page = d.page as Record<string, unknown> | undefined;
    const pre = o.kind === 'VM_BUG_ON_PAGE' ? dumpPage(page, o.message)
      : o.kind === 'Bad page state' ? [`BUG: Bad page state in process ${ctx.comm}  pfn:${String(page?.pfn ?? '?').replace(/^0x/, '').padStart(5, '0')}`, ...dumpPage(page, String(d.reason ?? o.message)).slice(0, 3)]
      // (a BUG the model places at no source line says what it checked, as a pr_alert before BUG() would)
      : o.message.startsWith('total_mapcount') || where === null ? [o.message] : [];
    // BUG() is `j 0b+2` on s390 (asm/bug.h): an operation exception, ilc 1, reported by report_bug
    return [...pre, '------------[ cut here ]------------', `kernel BUG at ${where ?? frames[0] ?? '?'}!`,
      dieLine('illegal operation', PGM.operation, 1), ...showRegs(o, ctx)];
  }
  return null;
}

/** A WARN() as report_bug prints it on s390 (the message, the cut line, WARNING: at, the registers), for the first warning of a run. */
export function s390WarnLines(w: OopsRecord, ctx: OopsContext): string[] {
  const d = (w.details ?? {}) as Record<string, unknown>;
  const where = typeof d.at === 'string' ? d.at : w.trace.at(-1) ?? '?';
  return [w.message, '------------[ cut here ]------------', `WARNING: at ${where}`, ...showRegs(w, ctx), '---[ end trace ]---'];
}
