// time: the CPU furthest behind in virtual time runs next, ties drawn by the
// seed. Nothing is held back: the order timing alone gives.
import type { PolicySummary, SchedulePolicy } from './policy.js';

export function timePolicy(): SchedulePolicy {
  let seen = 0;
  return {
    name: 'time',
    cause: 'delay',
    begin() { seen = 0; },
    decide() { seen++; return 0; },
    summary: (): PolicySummary => ({ policy: 'time', interestingSteps: seen, decisions: 0, stallCycles: 0 }),
  };
}
