// The exploration policies by name: the driver asks for one and never looks
// at which it got.
import type { ScheduleConfig } from '../machine_config.js';
import { delayPolicy } from './delay.js';
import { pctPolicy } from './pct.js';
import type { SchedulePolicy } from './policy.js';
import { timePolicy } from './time.js';

export function makePolicy(s: ScheduleConfig, seed: number): SchedulePolicy {
  switch (s.policy) {
    case 'time': return timePolicy();
    case 'pct': return pctPolicy(s.depth, seed);
    case 'delay': return delayPolicy(seed);
  }
}
