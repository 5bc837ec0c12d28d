import { EVENT_COUNT, Ev } from '../events.js';
import { KDATA, VMEMMAP } from '../kaddr.js';
// Interesting kinds: accesses (by address, below), TLB purges, IPI sends and receipts.
const ACCESS = new Uint8Array(EVENT_COUNT);
for (const k of [Ev.load, Ev.store, Ev.atomic, Ev.pte_store])
    ACCESS[k] = 1;
const ALWAYS = new Uint8Array(EVENT_COUNT);
for (const k of [Ev.ipte, Ev.idte, Ev.csp, Ev.tlb_flush_local, Ev.sigp, Ev.ipi_send, Ev.int_entry])
    ALWAYS[k] = 1;
/** kinds that write what they name */
export const WRITES = new Uint8Array(EVENT_COUNT);
for (const k of [Ev.store, Ev.atomic, Ev.pte_store, Ev.ipte, Ev.idte, Ev.csp])
    WRITES[k] = 1;
/**
 * Whether the access `kind` at `arg` is one a race is made of: a load or
 * store of a page-table entry or of a struct page word, a TLB purge, an IPI
 * sent or taken. Page contents (user data, DMA) are not.
 */
export function interesting(kind, arg, tableEntry) {
    if (ALWAYS[kind] === 1)
        return true;
    return ACCESS[kind] === 1 && ((arg >= VMEMMAP && arg < KDATA) || tableEntry(arg));
}
/** Whether `kind` is an access to a named address (a watchpoint can see it). */
export const isAccess = (kind) => kind >= 0 && (ACCESS[kind] === 1 || WRITES[kind] === 1);
//# sourceMappingURL=policy.js.map