// Entry of one CPU worker of the parallel driver: attach to the machine's
// buffer, wait for the start word, then step this CPU until the machine stops.
import { parentPort, workerData } from 'node:worker_threads';
import type { RunConfig } from '../config.js';
import { OopsHalt } from '../cpu.js';
import { M, RunState } from '../machine.js';
import { attachMachine, bootCpu } from './boot.js';
import { ClockSync } from './clocksync.js';

export interface WorkerInit {
  cfg: RunConfig;
  buffer: SharedArrayBuffer;
  cpu: number;
  /** stop when this CPU's clock reaches it (simulated length), Infinity for none */
  limitCycles: number;
}

export type WorkerMessage =
  | { type: 'ready'; cpu: number }
  | { type: 'error'; cpu: number; message: string; stack: string; trace: string[] };

const init = workerData as WorkerInit;
const b = attachMachine(init.cfg, init.buffer);
const m = b.machine;
const ctl = m.v.control;
const cpu = bootCpu(b, init.cpu);
const sync = new ClockSync(m, init.cpu, init.cfg.slack);
const bounded = Number.isFinite(init.cfg.slack);
const stopped = (): boolean => Atomics.load(ctl, M.STATE) !== RunState.RUN;

parentPort!.postMessage({ type: 'ready', cpu: init.cpu } satisfies WorkerMessage);
while (Atomics.load(ctl, M.START) === 0) Atomics.wait(ctl, M.START, 0, 50);

try {
  for (let n = 1; ; n++) {
    if ((n & 15) === 0) {
      if (stopped()) break;
      if (Atomics.load(ctl, M.DONE) === m.ncpus || cpu.clock >= init.limitCycles) {
        m.requestStop(RunState.STOP);
        break;
      }
      if ((n & 1023) === 0) cpu.flush();
    }
    cpu.step();
    if (bounded) {
      sync.publish(cpu.executed);
      if (!sync.throttle(cpu.clock, stopped)) break;
    }
  }
} catch (e) {
  if (!(e instanceof OopsHalt)) {
    const err = e as Error;
    m.requestStop(RunState.HALT);
    parentPort!.postMessage({
      type: 'error', cpu: init.cpu, message: err.message, stack: err.stack ?? '', trace: [...cpu.trace],
    } satisfies WorkerMessage);
  }
}
cpu.dump();
