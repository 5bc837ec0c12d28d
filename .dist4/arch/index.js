import { s390 } from './s390/index.js';
import { S390_MACHINES } from './s390/costs.js';
import { x86 } from './x86/index.js';
import { X86_MACHINES } from './x86/costs.js';
import { ppc64 } from './ppc64/index.js';
import { PPC64_MACHINES } from './ppc64/costs.js';
import { arm64 } from './arm64/index.js';
import { ARM64_MACHINES } from './arm64/costs.js';
export const ARCHES = { s390, x86, arm64, ppc64 };
export const MACHINES = [...S390_MACHINES, ...X86_MACHINES, ...ARM64_MACHINES, ...PPC64_MACHINES];
/** The default cost table of each arch. */
export const DEFAULT_MACHINE = { s390: 'z13', x86: 'haswell-ep', arm64: 'thunderx', ppc64: 'power8' };
export function machinesOf(arch) {
    return MACHINES.filter((m) => m.arch === arch);
}
//# sourceMappingURL=index.js.map