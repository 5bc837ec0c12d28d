import { delayPolicy } from './delay.js';
import { pctPolicy } from './pct.js';
import { timePolicy } from './time.js';
export function makePolicy(s, seed) {
    switch (s.policy) {
        case 'time': return timePolicy();
        case 'pct': return pctPolicy(s.depth, seed);
        case 'delay': return delayPolicy(seed);
    }
}
//# sourceMappingURL=index.js.map