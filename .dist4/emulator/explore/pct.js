// pct: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS 2010), in virtual time. PCT gives threads random
// priorities and lowers the running thread's priority at d-1 change points
// placed uniformly over the k steps of a run; a bug of depth d is found with
// probability at least 1/(n k^(d-1)). As Coyote and shuttle's pct.rs do, the
// run first measures k: here its first WARMUP of simulated time counts the
// interesting steps, and the change points go uniformly over the rest. Steps
// count only where a race can turn (emulator/explore/policy.ts). A lowered
// priority is a stall in virtual time: the CPU falls behind every other CPU
// by up to STALL_US, and they run first meanwhile.
import prand from 'pure-rand';
/** the share of the simulated length that measures k */
const WARMUP = 0.05;
/** a lowered CPU falls behind by a time uniform in [STALL_US / 2, STALL_US] */
export const PCT_STALL_US = 80;
export function pctPolicy(depth, seed) {
    const g = prand.xoroshiro128plus((seed * 5_000_011 + 0x9c7) | 0);
    let x;
    let warmEnd = 0;
    let points = [];
    let placed = false;
    let next = 0;
    let expected = 0;
    let seen = 0;
    let decisions = 0;
    let stallCycles = 0;
    const hit = [];
    return {
        name: 'pct',
        cause: 'pct',
        begin(info) {
            x = info;
            // without a simulated length, measure over the first 50 us
            warmEnd = Number.isFinite(info.limitCycles) ? info.limitCycles * WARMUP : 50_000 * info.ghz;
            points = [];
            placed = false;
            next = 0;
            seen = 0;
            decisions = 0;
            stallCycles = 0;
            hit.length = 0;
        },
        decide(cpu, index) {
            seen = index + 1;
            if (!placed) {
                if (cpu.clock < warmEnd)
                    return 0;
                // k from the rate of the warm-up; the change points fall after it
                const total = Number.isFinite(x.limitCycles) ? Math.ceil(index * (x.limitCycles / cpu.clock)) : index * 20;
                expected = total;
                for (let i = 0; i < depth - 1; i++)
                    points.push(prand.unsafeUniformIntDistribution(index + 1, Math.max(index + 1, total), g));
                points.sort((a, b) => a - b);
                placed = true;
            }
            let cycles = 0;
            while (next < points.length && points[next] <= index) {
                next++;
                const max = PCT_STALL_US * x.ghz * 1000;
                cycles += prand.unsafeUniformIntDistribution(Math.floor(max / 2), max, g);
                hit.push(index);
            }
            if (cycles > 0) {
                decisions++;
                stallCycles += cycles;
            }
            return cycles;
        },
        summary: () => ({
            policy: 'pct', depth, interestingSteps: seen, decisions, stallCycles, changePoints: hit, expectedSteps: expected,
        }),
    };
}
//# sourceMappingURL=pct.js.map