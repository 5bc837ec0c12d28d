import { Ev } from '../../emulator/events.js';
/** enum ipi_msg_type (arch/arm64/kernel/smp.c): the SGI numbers */
export const IPI_RESCHEDULE = 0;
export const IPI_CALL_FUNC = 1;
export const IPI_CPU_STOP = 2;
/**
 * The CPUs one ICC_SGI1R_EL1 write can reach share MPIDR Aff3.Aff2.Aff1 and
 * have Aff0 below 16: a ThunderX cluster of 16 (thunder-88xx.dtsi numbers its
 * CPUs 0x000-0x00f, 0x100-0x10f, 0x200-0x20f), logical CPUs in that order.
 */
export const SGI_TARGETS_PER_CLUSTER = 16;
const clusterOf = (cpu) => Math.floor(cpu / SGI_TARGETS_PER_CLUSTER);
/**
 * gic_raise_softirq(mask, irq): for each cluster in the mask, one write of
 * ICC_SGI1R_EL1 with the cluster's affinity and a target list of its CPUs
 * (gic_compute_target_list); the SGI becomes pending at each of them.
 */
export function* gic_raise_softirq(cpu, targets, irq) {
    const sorted = [...targets].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length;) {
        const cluster = clusterOf(sorted[i]);
        yield cpu.ev(Ev.ipi_send, sorted[i]);
        for (; i < sorted.length && clusterOf(sorted[i]) === cluster; i++)
            cpu.raise(sorted[i], 1 << irq);
    }
}
/** arch_send_call_function_ipi_mask: smp_cross_call(mask, IPI_CALL_FUNC) */
export function arch_send_call_function_ipi_mask(cpu, targets) {
    return gic_raise_softirq(cpu, targets, IPI_CALL_FUNC);
}
/** arch_send_call_function_single_ipi: smp_cross_call(cpumask_of(cpu), IPI_CALL_FUNC) */
export function arch_send_call_function_single_ipi(cpu, target) {
    return gic_raise_softirq(cpu, [target], IPI_CALL_FUNC);
}
/**
 * gic_handle_irq: acknowledge (ICC_IAR1_EL1) and EOI each pending SGI, then
 * handle_IPI; IPI_CALL_FUNC runs generic_smp_call_function_interrupt.
 */
export function gicHandleIrq(k) {
    return function* gic_handle_irq(cpu, pending) {
        cpu.enter('gic_handle_irq');
        if (pending & (1 << IPI_CALL_FUNC)) {
            cpu.enter('handle_IPI');
            yield* k.callFunctionInterrupt(cpu);
            cpu.leave();
        }
        cpu.leave();
    };
}
//# sourceMappingURL=smp.js.map