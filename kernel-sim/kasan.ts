// KASAN's report (mm/kasan/report.c, v4.5) and what stands in for it in a
// kernel built without KASAN (--detect kernel): the test kernels of the 2016
// thread had none on s390. There the shadow still sees the stale access and
// notes the first one silently (Cpu.shadowNote), so a report can say after the
// fact where the race began; the access goes on as the hardware makes it, and
// only the kernel's own checks (DEBUG_VM, DEBUG_LIST, DEBUG_PAGEALLOC, bad page
// state, BUG_ON, the fault handler) end the run.
import type { Cpu } from '../emulator/cpu.js';
import { M } from '../emulator/machine.js';
import { K, SPLIT_LOG } from './kernel_words.js';
import * as shared from '../emulator/shared.js';

/** where the split log (huge_memory.ts SPLIT_LOG) is kept as it stood at the shadow's first finding */
export const SPLIT_LOG_AT_SHADOW = 384;
export const SPLIT_LOG_SLOTS = 128;

/** Whether the running kernel has KASAN (--detect kasan). */
export const hasKasan = (cpu: Cpu): boolean => cpu.machine.v.kernel[K.NO_KASAN] !== 1;

/** What a finding says; built only when it is reported (a kernel without KASAN may meet thousands). */
export interface Finding { message: string; details: Record<string, unknown> }

/**
 * A finding of the shadow: an oops under KASAN; without it a silent note (the
 * first one in full, the rest counted), and the caller carries on with the access.
 */
export function kasan_report(cpu: Cpu, kind: string, finding: () => Finding): void {
  if (!hasKasan(cpu)) {
    if (cpu.machine.v.control[M.SHADOW_CPU] !== -1) { shared.add(cpu.machine.v.control, M.SHADOW_COUNT, 1); return; }
    const f = finding();
    // the split log as it stands now explains this finding; the run goes on and overwrites it
    const s = cpu.machine.v.scratch;
    s.copyWithin(SPLIT_LOG_AT_SHADOW, SPLIT_LOG, SPLIT_LOG + SPLIT_LOG_SLOTS);
    return cpu.shadowNote(kind, f.message, f.details);
  }
  const f = finding();
  cpu.enter('kasan_report');
  cpu.oops(kind, f.message, f.details);
}

/**
 * A check the reproducer's own program makes of its data (a DMA pattern read
 * back): under --detect kasan it ends the run like the shadow's checks; under
 * --detect kernel it is noted silently with them, since no kernel check sees
 * lost user data and only the kernel's own checks end the run there.
 */
export function user_data_check(cpu: Cpu, kind: string, finding: () => Finding): void {
  if (!hasKasan(cpu)) return kasan_report(cpu, kind, finding);
  const f = finding();
  cpu.oops(kind, f.message, f.details);
}
