// The s390 hardware model behind the Arch interface.
import type { Arch, KernelEntry } from '../arch.js';
import type { Cpu } from '../../emulator/cpu.js';
import { mapHuge, mapPage, pgdInit, translate } from './dat.js';
import { CRST_TABLE_BYTES, HPAGE_SHIFT } from './pgtable.js';
import { arch_send_call_function_ipi_mask, arch_send_call_function_single_ipi, doExtCallInterrupt } from './smp.js';
import { pmdp_flush_direct, ptep_flush_direct } from './tlbflush.js';

export const s390: Arch = {
  name: 's390',
  description: 'z/Architecture: TLB purges are IPTE/IDTE/CSP broadcasts that interrupt nobody; IPIs are SIGP external calls',
  tlbFlush: 'broadcast',
  interruptEntry: doExtCallInterrupt,
  sendCallFunctionIpi: arch_send_call_function_ipi_mask,
  sendCallFunctionSingleIpi: arch_send_call_function_single_ipi,
  pgdBytes: CRST_TABLE_BYTES,
  hpageShift: HPAGE_SHIFT,
  pgdInit,
  mapPage,
  mapHuge,
  translate,
  ptepFlushDirect: (cpu: Cpu, _k: KernelEntry, ptep: number) => ptep_flush_direct(cpu, ptep),
  // asm/pgtable.h v4.5: pmdp_invalidate() is pmdp_flush_direct(); z13 has IDTE
  pmdpInvalidate: (cpu: Cpu, _k: KernelEntry, pmdp: number) => pmdp_flush_direct(cpu, pmdp, true),
};
