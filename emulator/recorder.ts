// Reading the flight recorder: the last RING_SIZE events of a CPU, oldest first.
import { EVENT_NAMES } from './events.js';
import { C, CPU_STRIDE, RING_FIELDS, RING_SIZE, type Machine } from './machine.js';
import * as shared from './shared.js';

export interface RecordedEvent {
  clock: number;
  event: string;
  arg: number;
}

export function readRecorder(m: Machine, cpu: number, last = RING_SIZE): RecordedEvent[] {
  const head = shared.load(m.v.cpu, cpu * CPU_STRIDE + C.RING_HEAD);
  const base = cpu * RING_SIZE * RING_FIELDS;
  const out: RecordedEvent[] = [];
  for (let i = 0; i < RING_SIZE; i++) {
    const s = base + ((head + i) % RING_SIZE) * RING_FIELDS;
    const clock = m.v.ring[s]!;
    if (clock === 0 && m.v.ring[s + 1] === 0) continue; // never written
    out.push({ clock, event: EVENT_NAMES[m.v.ring[s + 1]!] ?? '?', arg: m.v.ring[s + 2]! });
  }
  return out.slice(-last);
}
