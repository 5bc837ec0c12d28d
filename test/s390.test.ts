// The s390 hardware model, instruction by instruction: DAT and the TLB,
// IPTE/IDTE/CSP purging other CPUs' TLBs, SIGP orders.
import t from 'tap';
import { FAULT } from '../arch/arch.js';
import { pmdOffset } from '../arch/s390/dat.js';
import { csp, idte, ipte } from '../arch/s390/ipte.js';
import { __pmdp_idte } from '../arch/s390/tlbflush.js';
import {
  _PAGE_INVALID, _SEGMENT_ENTRY_INVALID, pmd_large, pmd_none, pmd_present, pmdIndex,
} from '../arch/s390/pgtable.js';
import {
  PENDING_EMERGENCY_SIGNAL, PENDING_EXTERNAL_CALL, SIGP_CC_ORDER_CODE_ACCEPTED, SIGP_CC_STATUS_STORED,
  SIGP_EMERGENCY_SIGNAL, SIGP_EXTERNAL_CALL, SIGP_SENSE_RUNNING, sigp,
} from '../arch/s390/sigp.js';
import { pcpu_ec_call, ec_call_function_single } from '../arch/s390/smp.js';
import { tlbHolds } from '../arch/tlb.js';
import { drain } from './stepping.js';
import { bootMachine } from '../system/boot.js';
import { C, CPU_STRIDE } from '../emulator/machine.js';
import { config } from './helpers.js';

function machine() {
  const b = bootMachine(config({ workload: 'ipi-storm', arch: 's390', cpus: 3, driver: 'deterministic' }));
  const k = b.kernel;
  return { b, k, m: b.machine, cpus: [0, 1, 2].map((i) => k.newCpu(i)) };
}

const VA = 0x500000;      // a 4 KiB page
const HUGE = 0x1300000;   // a 1 MiB segment

t.test('a TLB miss walks region-third, segment and page table; the next access hits', async (t) => {
  const { k, m, cpus } = machine();
  const { phys } = k.mapUserPage(VA);
  t.equal(drain(k.arch.translate(cpus[0]!, k.pgd(), VA + 0x123, false)), phys + 0x123);
  t.equal(cpus[0]!.tlbMisses, 1);
  t.equal(drain(k.arch.translate(cpus[0]!, k.pgd(), VA + 0x10, true)), phys + 0x10);
  t.equal(cpus[0]!.tlbHits, 1);
  t.ok(tlbHolds(m, 0, VA, 20));
  t.notOk(tlbHolds(m, 1, VA, 20), 'the TLB is per CPU');
  t.equal(drain(k.arch.translate(cpus[0]!, k.pgd(), 0x40000000, false)), FAULT, 'an unmapped address faults');
});

t.test('a large segment entry translates the whole 1 MiB', async (t) => {
  const { k, cpus } = machine();
  const { phys } = k.mapUserHuge(HUGE);
  t.equal(phys % 0x100000, 0, 'the frame is 1 MiB aligned');
  t.equal(drain(k.arch.translate(cpus[0]!, k.pgd(), HUGE + 0xabcde, false)), phys + 0xabcde);
});

t.test('IPTE invalidates the pte and purges it from every CPU, interrupting nobody', async (t) => {
  const { k, m, cpus } = machine();
  const { ptep } = k.mapUserPage(VA);
  for (const c of [0, 2]) drain(k.arch.translate(cpus[c]!, k.pgd(), VA, false));
  cpus[0]!.irqDisable();
  drain(ipte(cpus[1]!, ptep));
  t.ok(k.entry(ptep) & _PAGE_INVALID, 'the pte is invalid');
  t.notOk(tlbHolds(m, 0, VA, 20), 'gone from CPU 0, which has interrupts off');
  t.notOk(tlbHolds(m, 2, VA, 20), 'gone from CPU 2');
  t.equal(Atomics.load(m.v.cpu, 0 * CPU_STRIDE + C.PENDING), 0, 'no interrupt is pending at CPU 0');
  t.equal(drain(k.arch.translate(cpus[0]!, k.pgd(), VA, false)), FAULT, 'the next access faults');
});

t.test('IDTE purges every translation formed through the segment entry', async (t) => {
  const { k, m, cpus } = machine();
  const { ptep } = k.mapUserPage(VA);
  k.mapUserPage(VA + 0x1000);
  drain(k.arch.translate(cpus[0]!, k.pgd(), VA, false));
  drain(k.arch.translate(cpus[0]!, k.pgd(), VA + 0x1000, false));
  const { pmdp } = k.mapUserHuge(HUGE);
  drain(k.arch.translate(cpus[2]!, k.pgd(), HUGE, false));
  // the segment entry of VA: the page table's origin is in it
  const stp = pmdOffset(m, k.pgd(), VA);
  t.equal(k.entry(stp) & ~0x7ff, ptep & ~0x7ff, 'the segment entry points at the page table');
  // R1: the segment table's origin (DT 0), R2: an address in the segment
  t.equal(drain(idte(cpus[1]!, stp - pmdIndex(VA) * 8, VA)), stp);
  t.notOk(tlbHolds(m, 0, VA, 20));
  t.notOk(tlbHolds(m, 0, VA + 0x1000, 20));
  t.ok(tlbHolds(m, 2, HUGE, 20), 'another segment is untouched');
  drain(idte(cpus[1]!, pmdp - pmdIndex(HUGE) * 8, HUGE));
  t.notOk(tlbHolds(m, 2, HUGE, 20));
});

t.test('__pmdp_idte with an address one segment too high misses the entry (v4.5-rc1)', async (t) => {
  const { k, m, cpus } = machine();
  const { pmdp } = k.mapUserHuge(HUGE);
  drain(k.arch.translate(cpus[0]!, k.pgd(), HUGE, false));
  const before = k.entry(pmdp);
  drain(__pmdp_idte(cpus[1]!, HUGE + 0x100000, pmdp));
  t.equal(k.entry(pmdp), before, 'the huge pmd is still valid');
  t.ok(tlbHolds(m, 0, HUGE, 20), "and CPU 0's TLB still translates through it");
  // R1 = origin - 8: DT 2 (region-second) at the 4 KiB before the segment table, entry 0
  const sto = pmdp - pmdIndex(HUGE) * 8;
  t.ok(k.entry(sto - 4096) & _SEGMENT_ENTRY_INVALID, '0x20 was ORed into the first doubleword of the page before it');
  drain(__pmdp_idte(cpus[1]!, HUGE, pmdp));
  t.notOk(tlbHolds(m, 0, HUGE, 20), 'the right address purges it');
});

t.test('an invalidated huge pmd is still present and large on s390 (v4.5 pmd_present)', async (t) => {
  const { k, cpus } = machine();
  const { pmdp } = k.mapUserHuge(HUGE);
  drain(k.arch.pmdpInvalidate(cpus[0]!, k, pmdp, HUGE));
  const pmd = k.entry(pmdp);
  t.ok(pmd & _SEGMENT_ENTRY_INVALID);
  t.ok(pmd_present(pmd));
  t.ok(pmd_large(pmd));
  t.notOk(pmd_none(pmd));
});

t.test('CSP swaps and purges every TLB only when the compare succeeds', async (t) => {
  const { k, m, cpus } = machine();
  const { pmdp } = k.mapUserHuge(HUGE);
  drain(k.arch.translate(cpus[0]!, k.pgd(), HUGE, false));
  const old = k.entry(pmdp);
  t.equal(drain(csp(cpus[1]!, pmdp, old + 8, old | _SEGMENT_ENTRY_INVALID)), false);
  t.ok(tlbHolds(m, 0, HUGE, 20), 'a failed compare purges nothing');
  t.equal(drain(csp(cpus[1]!, pmdp, old, old | _SEGMENT_ENTRY_INVALID)), true);
  t.notOk(tlbHolds(m, 0, HUGE, 20));
  t.equal(k.entry(pmdp), old | _SEGMENT_ENTRY_INVALID);
});

t.test('SIGP: one external call may be pending; emergency signals; sense running', async (t) => {
  const { m, cpus } = machine();
  const pending = (c: number) => Atomics.load(m.v.cpu, c * CPU_STRIDE + C.PENDING);
  t.equal(drain(sigp(cpus[0]!, 1, SIGP_EXTERNAL_CALL)), SIGP_CC_ORDER_CODE_ACCEPTED);
  t.equal(drain(sigp(cpus[2]!, 1, SIGP_EXTERNAL_CALL)), SIGP_CC_STATUS_STORED, 'a second external call is refused');
  t.equal(drain(sigp(cpus[0]!, 1, SIGP_EMERGENCY_SIGNAL)), SIGP_CC_ORDER_CODE_ACCEPTED);
  t.equal(pending(1), PENDING_EXTERNAL_CALL | PENDING_EMERGENCY_SIGNAL);
  t.equal(drain(sigp(cpus[0]!, 2, SIGP_SENSE_RUNNING)), SIGP_CC_ORDER_CODE_ACCEPTED, 'a CPU running its program');
  Atomics.store(m.v.cpu, 2 * CPU_STRIDE + C.ACTIVE, 0);
  t.equal(drain(sigp(cpus[0]!, 2, SIGP_SENSE_RUNNING)), SIGP_CC_STATUS_STORED, 'an idle CPU is not running');
});

t.test('pcpu_ec_call signals only when the ec bit was clear', async (t) => {
  const { m, cpus } = machine();
  const pending = (c: number) => Atomics.load(m.v.cpu, c * CPU_STRIDE + C.PENDING);
  drain(pcpu_ec_call(cpus[0]!, 1, ec_call_function_single));
  t.equal(pending(1), PENDING_EXTERNAL_CALL);
  Atomics.store(m.v.cpu, 1 * CPU_STRIDE + C.PENDING, 0);
  drain(pcpu_ec_call(cpus[2]!, 1, ec_call_function_single));
  t.equal(pending(1), 0, 'the bit was set: no second SIGP');
  t.equal(Atomics.load(m.v.cpu, 1 * CPU_STRIDE + C.ARCH0), 1 << ec_call_function_single);
});

t.test('an interrupt is taken only while the PSW enables it', async (t) => {
  const { m, cpus } = machine();
  const cpu = cpus[1]!;
  cpu.start((function* () { for (;;) yield 0; })());
  cpu.irqDisable();
  drain(pcpu_ec_call(cpus[0]!, 1, ec_call_function_single));
  for (let i = 0; i < 5; i++) cpu.step();
  t.equal(cpu.ipisTaken, 0, 'held while interrupts are off');
  cpu.irqEnable();
  cpu.step();
  t.equal(cpu.ipisTaken, 1, 'taken at the next instruction boundary');
  t.equal(cpu.irqOn, false, 'the handler runs with external interrupts off');
  for (let i = 0; i < 20 && !cpu.irqOn; i++) cpu.step();
  t.equal(cpu.irqOn, true, 'and the mask is restored on return');
  t.equal(Atomics.load(m.v.cpu, 1 * CPU_STRIDE + C.ARCH0), 0, 'do_ext_call_interrupt took the ec bits');
});

t.test('smp_call_function_single to this CPU runs here; to no CPU it fails with -ENXIO', async (t) => {
  const { k, cpus } = machine();
  t.equal(drain(k.smp.smp_call_function_single(cpus[0]!, 0, 'do_nothing', 0, true)), 0);
  t.equal(cpus[0]!.irqOn, true, 'interrupts restored');
  t.equal(drain(k.smp.smp_call_function_single(cpus[0]!, 7, 'do_nothing', 0, false)), -6);
});
