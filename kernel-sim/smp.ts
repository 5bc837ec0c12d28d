// Cross-CPU function calls, modelled on kernel/smp.c of Linux v4.5:
// csd_lock/csd_unlock, generic_exec_single, smp_call_function_single,
// smp_call_function_many, smp_call_function, kick_all_cpus_sync and
// flush_smp_call_function_queue. csds and the per-CPU call_single_queue live in
// shared memory; the function a csd names is an index into SMP_FUNCS.
import type { Arch } from '../arch/arch.js';
import type { Cpu, Fn } from '../emulator/cpu.js';
import { Ev } from '../emulator/events.js';
import { csdAddr, percpuAddr } from '../emulator/kaddr.js';
import { C, CPU_STRIDE, CSD_FIELDS, csdSlots, type Machine } from '../emulator/machine.js';
import * as shared from '../emulator/shared.js';

// struct call_single_data, as words
const FLAGS = 0;
const FUNC = 1;
const INFO = 2;
const NEXT = 3; // llist next: csd id + 1, 0 = end

const CSD_FLAG_LOCK = 0x01;
const CSD_FLAG_SYNCHRONOUS = 0x02;

/**
 * Every function an IPI may run, by a stable index shared by all threads
 * (the csd's func pointer). Modules register the body under these names.
 */
export const SMP_FUNCS = [
  'do_nothing',          // kernel/smp.c: kick_all_cpus_sync()'s callback
  'flush_tlb_func',      // arch/x86/mm/tlb.c
  'pmdp_splitting_flush_sync', // arch/s390/mm/pgtable.c (v4.4)
  'test_func',           // for litmus workloads: stores info to a kernel word
] as const;
export type SmpFuncName = (typeof SMP_FUNCS)[number];

export type SmpFunc = (cpu: Cpu, info: number) => Fn<void>;

export class Smp {
  private readonly funcs: (SmpFunc | undefined)[] = [];
  private readonly csd: Int32Array;
  private readonly cpuWords: Int32Array;
  private readonly slots: number;
  private readonly online: number[];

  constructor(private readonly m: Machine, private readonly arch: Arch) {
    this.csd = m.v.csd;
    this.cpuWords = m.v.cpu;
    this.slots = csdSlots(m.ncpus);
    this.online = Array.from({ length: m.ncpus }, (_, i) => i);
    this.register('do_nothing', function* () { /* kernel/smp.c: static void do_nothing(void *unused) {} */ });
  }

  register(name: string, fn: SmpFunc): void {
    const id = (SMP_FUNCS as readonly string[]).indexOf(name);
    if (id < 0) throw new Error(`smp function '${name}' is not in SMP_FUNCS`);
    this.funcs[id] = fn;
  }

  private funcId(name: string): number {
    const id = (SMP_FUNCS as readonly string[]).indexOf(name);
    if (id < 0 || !this.funcs[id]) throw new Error(`smp function '${name}' is not registered`);
    return id;
  }

  /** per_cpu_ptr(cfd->csd, target) of CPU `owner`; slot ncpus is csd_data, ncpus+1 csd_stack. */
  private csdAddr(owner: number, slot: number): number {
    return (owner * this.slots + slot) * CSD_FIELDS;
  }

  // csd_lock_wait: while (smp_load_acquire(&csd->flags) & CSD_FLAG_LOCK) cpu_relax();
  private *csd_lock_wait(cpu: Cpu, csd: number): Fn<void> {
    cpu.enter('csd_lock_wait');
    const locked = (): boolean => (shared.load(this.csd, csd + FLAGS) & CSD_FLAG_LOCK) !== 0;
    do yield cpu.waitWhile(Ev.csd_wait, csdAddr(csd), locked); while (locked());
    cpu.leave();
  }

  private *csd_lock(cpu: Cpu, csd: number): Fn<void> {
    yield* this.csd_lock_wait(cpu, csd);
    yield cpu.ev(Ev.store, csdAddr(csd));
    shared.or(this.csd, csd + FLAGS, CSD_FLAG_LOCK);
  }

  private *csd_unlock(cpu: Cpu, csd: number): Fn<void> {
    yield cpu.ev(Ev.store, csdAddr(csd));
    shared.store(this.csd, csd + FLAGS, 0);
  }

  /** llist_add to the target's call_single_queue; true when the list was empty. */
  private *llist_add(cpu: Cpu, csd: number, target: number): Fn<boolean> {
    const head = target * CPU_STRIDE + C.CSQ_HEAD;
    for (;;) {
      yield cpu.ev(Ev.atomic, percpuAddr(target, C.CSQ_HEAD));
      const first = shared.load(this.cpuWords, head);
      this.csd[csd + NEXT] = first;
      if (shared.compareExchange(this.cpuWords, head, first, csd / CSD_FIELDS + 1) === first) return first === 0;
    }
  }

  private *generic_exec_single(cpu: Cpu, target: number, csd: number, func: number, info: number): Fn<number> {
    if (target === cpu.id) {
      // a call to the local CPU runs right here, interrupts off
      yield* this.csd_unlock(cpu, csd);
      const was = cpu.irqOn;
      yield cpu.ev(Ev.irq_disable);
      cpu.irqDisable();
      yield* this.funcs[func]!(cpu, info);
      yield cpu.ev(was ? Ev.irq_enable : Ev.irq_disable);
      if (was) cpu.irqEnable();
      return 0;
    }
    if (target < 0 || target >= this.m.ncpus) {
      yield* this.csd_unlock(cpu, csd);
      return -6; // -ENXIO
    }
    yield cpu.ev(Ev.store, csdAddr(csd));
    this.csd[csd + FUNC] = func;
    this.csd[csd + INFO] = info;
    if (yield* this.llist_add(cpu, csd, target)) {
      yield* this.arch.sendCallFunctionSingleIpi(cpu, target);
      cpu.ipisSent++;
    }
    return 0;
  }

  /** smp_call_function_single(cpu, func, info, wait) */
  *smp_call_function_single(cpu: Cpu, target: number, func: SmpFuncName, info: number, wait: boolean): Fn<number> {
    cpu.enter('smp_call_function_single');
    this.warnIrqsDisabled(cpu);
    let csd: number;
    if (wait) {
      // the on-stack csd, born locked and synchronous
      csd = this.csdAddr(cpu.id, this.m.ncpus + 1);
      this.csd[csd + FLAGS] = CSD_FLAG_LOCK | CSD_FLAG_SYNCHRONOUS;
    } else {
      csd = this.csdAddr(cpu.id, this.m.ncpus);
      yield* this.csd_lock(cpu, csd);
    }
    const err = yield* this.generic_exec_single(cpu, target, csd, this.funcId(func), info);
    if (wait) yield* this.csd_lock_wait(cpu, csd);
    cpu.leave();
    return err;
  }

  /** smp_call_function_many(mask, func, info, wait): every CPU in `mask` but the caller. */
  *smp_call_function_many(cpu: Cpu, mask: readonly number[], func: string, info: number, wait: boolean): Fn<void> {
    cpu.enter('smp_call_function_many');
    this.warnIrqsDisabled(cpu);
    const targets = mask.filter((c) => c !== cpu.id && c >= 0 && c < this.m.ncpus);
    if (targets.length === 0) return cpu.leave();
    const fid = this.funcId(func);
    if (targets.length === 1) {
      yield* this.smp_call_function_single(cpu, targets[0]!, func as SmpFuncName, info, wait);
      return cpu.leave();
    }
    // (calls by yield: a step of a callee resumes it alone, not this routine's large frame too)
    for (const t of targets) {
      const csd = this.csdAddr(cpu.id, t);
      yield this.csd_lock(cpu, csd);
      if (wait) shared.or(this.csd, csd + FLAGS, CSD_FLAG_SYNCHRONOUS);
      this.csd[csd + FUNC] = fid;
      this.csd[csd + INFO] = info;
      yield this.llist_add(cpu, csd, t); // v4.5 ignores the result: every target gets an IPI
    }
    yield this.arch.sendCallFunctionIpi(cpu, targets);
    cpu.ipisSent += targets.length;
    if (wait) for (const t of targets) yield this.csd_lock_wait(cpu, this.csdAddr(cpu.id, t));
    cpu.leave();
  }

  /** smp_call_function(func, info, wait): all online CPUs but this one. */
  *smp_call_function(cpu: Cpu, func: SmpFuncName, info: number, wait: boolean): Fn<void> {
    yield this.smp_call_function_many(cpu, this.online, func, info, wait);
  }

  /**
   * kick_all_cpus_sync(): returns once every other CPU has taken the IPI, so
   * none can still be inside an interrupts-off section it was in before.
   */
  *kick_all_cpus_sync(cpu: Cpu): Fn<void> {
    cpu.enter('kick_all_cpus_sync');
    yield cpu.ev(Ev.atomic, percpuAddr(cpu.id, C.CSQ_HEAD)); // smp_mb()
    yield this.smp_call_function(cpu, 'do_nothing', 0, true);
    cpu.leave();
  }

  /** flush_smp_call_function_queue, run by the arch's IPI handler with interrupts off. */
  *flush_smp_call_function_queue(cpu: Cpu): Fn<void> {
    cpu.enter('flush_smp_call_function_queue');
    const head = cpu.id * CPU_STRIDE + C.CSQ_HEAD;
    yield cpu.ev(Ev.atomic, percpuAddr(cpu.id, C.CSQ_HEAD));
    let entry = shared.exchange(this.cpuWords, head, 0); // llist_del_all
    const list: number[] = [];
    while (entry !== 0) {
      const csd = (entry - 1) * CSD_FIELDS;
      list.push(csd);
      entry = this.csd[csd + NEXT]!;
    }
    list.reverse(); // llist_reverse_order: oldest first
    for (const csd of list) {
      yield cpu.ev(Ev.load, csdAddr(csd));
      const func = this.funcs[this.csd[csd + FUNC]!]!;
      const info = this.csd[csd + INFO]!;
      if (shared.load(this.csd, csd + FLAGS) & CSD_FLAG_SYNCHRONOUS) {
        yield func(cpu, info);
        yield this.csd_unlock(cpu, csd);
      } else {
        yield this.csd_unlock(cpu, csd);
        yield func(cpu, info);
      }
    }
    cpu.leave();
  }

  // WARN_ON_ONCE(cpu_online(this_cpu) && irqs_disabled() ...): calling with
  // interrupts off can deadlock against a CPU doing the same; counted, not fatal.
  warnings = 0;
  private warnIrqsDisabled(cpu: Cpu): void {
    if (!cpu.irqOn) this.warnings++;
  }
}
