// The kernel's own accesses to memory it reaches through pointers it keeps in
// memory (the list_head of a deposited table, fast gup's pte read), as a 2016
// s390 test kernel faults on them. The kernel runs with DAT on (its 1:1 map in
// the home space): beyond the end of memory it takes a translation exception,
// a store below 512 a protection exception; with CONFIG_DEBUG_PAGEALLOC a free page is unmapped
// from the kernel's 1:1 view (mm/page_alloc.c v4.5 kernel_map_pages, arch/s390/mm/pageattr.c),
// so touching one takes a translation exception. Kernel code has no fixup for
// any of them: the fault handler oopses (arch/s390/mm/fault.c do_no_context,
// do_low_address). The report's layout is the arch's (arch/s390/oops.ts).
import type { Cpu } from '../emulator/cpu.js';
import { BEYOND_MEMORY, loadEntry, storeEntry } from '../emulator/physmem.js';
import { dumpPage, Owner, P, pw } from './mm_types.js';
import * as shared from '../emulator/shared.js';

/**
 * How an access faulted, for the arch's report to word as its fault handler
 * does (s390: do_no_context, the interruption code and TEID; arch/s390/oops.ts).
 */
export interface KernelFault {
  /**
   * 'free-page': DEBUG_PAGEALLOC had unmapped the page; 'beyond-memory': no memory
   * there; 'low-address': a store below 512, which low-address protection refuses
   * (PoP, "Low-Address Protection"; on s390 NULL's first bytes are the lowcore)
   */
  reason: 'free-page' | 'beyond-memory' | 'low-address';
  /** the failing address, null where the machine cannot say (an index past its memory) */
  address: number | null;
  write: boolean;
  /** the access was the user program's (the hardware's walk for it), not the kernel's */
  user: boolean;
}

/** Faults like the kernel if `addr` (an 8-byte access) is not memory the kernel may touch now. */
export function kernel_access(cpu: Cpu, addr: number, write: boolean): void {
  const m = cpu.machine;
  const bytes = m.v.mem.length * 4;
  if (!(addr >= 0) || addr + 8 > bytes || (addr & BEYOND_MEMORY) !== 0) return page_fault(cpu, { reason: 'beyond-memory', address: addr >>> 0, write, user: false });
  if (write && addr < 512) return page_fault(cpu, { reason: 'low-address', address: addr, write, user: false });
  const frame = Math.floor(addr / m.pageBytes);
  if (shared.load(m.v.pages, pw(frame, P.OWNER)) === Owner.FREE) page_fault(cpu, { reason: 'free-page', address: addr, write, user: false });
}

/** A user access whose translation (through memory a stray store changed) leads beyond memory. */
export function user_access_fault(cpu: Cpu, phys: number, write: boolean): never {
  return page_fault(cpu, { reason: 'beyond-memory', address: phys >>> 0, write, user: true });
}

/**
 * An access beyond memory that a routine made through an address it took from
 * memory a stray store had changed (the machine's RangeError, Cpu.onAccessFault).
 * In a kernel without KASAN memory can hold anything; with KASAN the shadow
 * stops the run before garbage is followed.
 */
export function addressing_exception(cpu: Cpu, _e: RangeError): never {
  const user = cpu.trace.at(-1)?.startsWith('user ') === true;
  return page_fault(cpu, { reason: 'beyond-memory', address: null, write: false, user });
}

function page_fault(cpu: Cpu, fault: KernelFault): never {
  const at = fault.address === null ? 'an address beyond memory' : `0x${fault.address.toString(16)}`;
  const m = cpu.machine;
  const page = fault.reason === 'free-page' && fault.address !== null ? dumpPage(m, Math.floor(fault.address / m.pageBytes)) : undefined;
  if (fault.user) {
    cpu.oops('User process fault', `user ${fault.write ? 'store' : 'load'} through a translation to ${at}`, { fault });
  }
  cpu.oops('Oops', `unable to handle kernel paging request at ${at}${fault.reason === 'free-page' ? ' (a free page, unmapped by CONFIG_DEBUG_PAGEALLOC)' : ''}`,
    { fault, ...(page ? { page } : {}) });
}

/** A doubleword the kernel loads through a pointer (a list_head's field). */
export function kernel_load(cpu: Cpu, addr: number): number {
  kernel_access(cpu, addr, false);
  return loadEntry(cpu.machine, addr - (addr % 8)) >>> 0;
}

export function kernel_store(cpu: Cpu, addr: number, value: number): void {
  kernel_access(cpu, addr, true);
  storeEntry(cpu.machine, addr - (addr % 8), value);
}
