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
const PGM = { operation: 0x0001, protection: 0x0004, segmentTranslation: 0x0010, pageTranslation: 0x0011, asceType: 0x0038 } as const;

/** What the report calls a fault the kernel-sim layer describes (kernel-sim/kernel_access.ts KernelFault). */
interface Fault { reason: 'free-page' | 'beyond-memory' | 'low-address'; address: number | null; write: boolean; user: boolean }

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

/** print_tainted() of v4.5: 16 letters in the order PFSRMBUDAWCIOELK, G for no proprietary module; B a bad page, W a warning. */
function tainted(ctx: OopsContext): string {
  if (!ctx.warned && !ctx.badPage) return 'Not tainted';
  return `Tainted: G    ${ctx.badPage ? 'B' : ' '}   ${ctx.warned ? 'W' : ' '}      `;
}

/** dump_stack_print_info: the CPU line (Comm is TASK_COMM_LEN - 1 = 15 characters at most) and the task line. */
const cpuLines = (o: OopsRecord, ctx: OopsContext): string[] => [
  `CPU: ${o.cpu} PID: - Comm: ${ctx.comm.slice(0, 15)} ${tainted(ctx)} ${release(ctx.kernel)} #1`,
  'task: (tasks are not modelled)',
];

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
    ...cpuLines(o, ctx),
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
    // mapcount: page_mapcount(), _mapcount + 1; the flags by name (the model's bits are not the kernel's)
    `page:${hex16(pageAddr(pfn))} count:${String(page.count)} mapcount:${Number(page.mapcount) + 1} mapping:          (null) index:0x0`,
    `flags: 0x?(${flags === '0' ? '' : flags})`,
    `page dumped because: ${reason}`,
  ];
}


/** The failing address as the model knows it: one a stray store pushed past 4 GiB keeps only its low word. */
function failingAddress(f: Fault): string {
  if (f.address === null) return '????????????????';
  const a = (f.address & -4096) >>> 0;
  return (f.address >>> 0) >= 0x80000000 ? `????????${(a >>> 0).toString(16).padStart(8, '0')}` : hex16(a);
}

/**
 * The fault handler's lines and die() string for an access fault: the kernel's
 * (do_no_context, or do_low_address for a store below 512), or a user
 * program's (report_user_fault, before the SIGSEGV).
 */
function faultLines(f: Fault): { head: string[]; die: string } {
  const addr = f.address ?? 0xffffffff;
  // a garbage high word puts the address above the kernel ASCE's 4 TB region-third range: an ASCE-type exception
  const code = f.reason === 'free-page' ? PGM.pageTranslation : f.reason === 'low-address' ? PGM.protection
    : (addr >>> 0) >= 0x80000000 ? PGM.asceType : PGM.segmentTranslation;
  // The TEID (PoP, "Translation-Exception Identification"): the failing page, the store
  // indication of facility 75 (arch/s390/mm/fault.c: 0x400 a store, 0x800 a fetch), the space
  // (3: home, where the kernel runs; 0: primary, the user's); for low-address protection bit 0x4 clear
  const space = f.user ? 0 : 3;
  const id = f.reason === 'low-address' ? 0x400 + space : ((addr & -4096) >>> 0) + (f.write ? 0x400 : 0x800) + space;
  const failing = `failing address: ${failingAddress(f)} TEID: ${f.address === null ? '????????????????' : hex16(id)}`;
  if (f.user) {
    return { head: [`User process fault: interruption code ${code.toString(16).padStart(4, '0')} ilc:2`, failing, 'Fault in primary space mode while using user ASCE.'], die: '' };
  }
  return {
    head: ['Unable to handle kernel pointer dereference in virtual kernel address space', failing,
      'Fault in home space mode while using kernel ASCE.', 'AS: (the kernel\'s own tables are not modelled)'],
    die: dieLine('Oops', code, 3),
  };
}

/** show_regs for a fault in user mode: the User PSW (problem state, primary space) and no kernel call trace. */
const userRegs = (o: OopsRecord, ctx: OopsContext): string[] => [
  ...cpuLines(o, ctx),
  `User PSW : 0705000180000000 (${o.trace.at(-1) ?? '?'})`,
  '           R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:1 AS:0 CC:0 PM:0 EA:3',
  'User GPRS: (registers are not modelled)',
];

/**
 * The kernel's report of `o` as s390 v4.5 prints it, or null for a finding
 * that is not the kernel's own (KASAN, the reproducer's data check): those
 * keep the generic layout.
 */
export function s390OopsLines(o: OopsRecord, ctx: OopsContext): string[] | null {
  const d = (o.details ?? {}) as Record<string, unknown>;
  const where = typeof d.at === 'string' ? d.at : null;
  if (o.kind === 'Oops' || o.kind === 'User process fault') {
    const f = d.fault as Fault;
    const { head, die } = faultLines(f);
    if (f.user) return [...head, ...userRegs(o, ctx)];
    return [...head, die, ...showRegs(o, ctx)];
  }
  const page = d.page as Record<string, unknown> | undefined;
  if (o.kind === 'Bad page state') {
    // bad_page(): the line, dump_page, the modules and dump_stack (no die(): v4.5 goes on; the model stops here)
    const pfn = /pfn 0x([0-9a-f]+)/.exec(String(page?.page ?? ''))?.[1] ?? '?';
    return [`BUG: Bad page state in process ${ctx.comm.slice(0, 15)}  pfn:${pfn.padStart(5, '0')}`, ...dumpPage(page, String(d.reason ?? o.message)),
      'Modules linked in:', ...cpuLines(o, { ...ctx, badPage: true }), 'Call Trace:', ...framesOf(o.trace).map((f, i) => (i === 0 ? `(${f})` : ` ${f}`))];
  }
  // a check of the model's own that the kernel does not make has no source line: the generic layout says so
  if ((o.kind === 'BUG' || o.kind === 'VM_BUG_ON_PAGE') && where !== null) {
    const pre = o.kind === 'VM_BUG_ON_PAGE' ? dumpPage(page, o.message) : o.message.startsWith('total_mapcount') ? [o.message] : [];
    // BUG() is `j 0b+2` on s390 (asm/bug.h): an operation exception, ilc 1, reported by report_bug
    return [...pre, '------------[ cut here ]------------', `kernel BUG at ${where}!`,
      dieLine('illegal operation', PGM.operation, 1), ...showRegs(o, ctx)];
  }
  return null;
}

/**
 * A report the kernel made before its crash, as v4.5 prints it on s390: a WARN()
 * (report_bug: the message, the cut line, "WARNING: at", the registers, the end
 * marker), or print_bad_pte (its line, the address line, dump_stack: no WARNING),
 * or a bare printk (swap_dup's bad swap entry).
 */
export function s390WarnLines(w: OopsRecord, ctx: OopsContext): string[] {
  const d = (w.details ?? {}) as Record<string, unknown>;
  if (w.kind === 'Bad swap file entry') return [w.message];
  if (w.kind === 'Bad page map') {
    return [...(typeof d.swap === 'string' ? [d.swap] : []), w.message, `addr:${String(d.addr ?? '?')} vm_flags:- anon_vma:- mapping:-`,
      ...cpuLines(w, { ...ctx, badPage: true }), 'Call Trace:', ...framesOf(w.trace).map((f, i) => (i === 0 ? `(${f})` : ` ${f}`))];
  }
  const where = typeof d.at === 'string' ? d.at : w.trace.at(-1) ?? '?';
  return [w.message, '------------[ cut here ]------------', `WARNING: at ${where}`, ...showRegs(w, { ...ctx, warned: true }), '---[ end trace ]---'];
}
