// One worker of the parallel driver, once its CPUs are up: wait for the start
// word, then step this worker's simulated CPUs until the machine stops. A
// worker holds several CPUs (M:N) and always steps the one furthest behind in
// virtual time, as the deterministic driver does; workers race each other for
// real through the shared memory, each CPU within the slack of every other
// (ClockSync). The entry that boots the CPUs lives with the assembling layer
// (system/worker.ts).
import type { MachineConfig } from '../machine_config.js';
import { type Cpu, OopsHalt } from '../cpu.js';
import { M, RunState, type Machine } from '../machine.js';
import { ClockHeap } from './clock_heap.js';
import { ClockSync, OthersFloor } from './clocksync.js';
import { sharedWithOtherThreads } from '../shared.js';

export interface WorkerInit {
  /** the run's configuration (the assembling layer's, a MachineConfig and more) */
  cfg: MachineConfig;
  buffer: SharedArrayBuffer;
  /** the simulated CPUs this worker steps */
  cpus: number[];
  /** stop when a CPU's clock reaches it (simulated length), Infinity for none */
  limitCycles: number;
}

export type WorkerMessage =
  | { type: 'ready'; cpus: number[] }
  | { type: 'error'; cpu: number; message: string; stack: string; trace: string[] };

/** Steps `cpus` (this worker's, booted over `m`) until the machine stops; `post` tells the main thread. */
export function stepWorker(m: Machine, cpus: Cpu[], init: WorkerInit, post: (msg: WorkerMessage) => void): void {
  // (plain accesses would race the other workers' CPUs: emulator/shared.ts)
  if (!sharedWithOtherThreads()) throw new Error('stepWorker: this thread\'s accesses are plain; call shareWithOtherThreads() before booting its CPUs');
  const ctl = m.v.control;
  // one floor for the worker's CPUs: they wait for the same other CPUs
  const floor = new OthersFloor();
  const syncs = init.cpus.map((id) => new ClockSync(m, id, init.cfg.slack, init.cpus, floor));
  const bounded = Number.isFinite(init.cfg.slack);
  const stopped = (): boolean => Atomics.load(ctl, M.STATE) !== RunState.RUN;

  post({ type: 'ready', cpus: init.cpus });
  while (Atomics.load(ctl, M.START) === 0) Atomics.wait(ctl, M.START, 0, 50);

  let cpu = cpus[0]!;
  // this worker's CPUs by clock: only the one stepped moves, so a heap finds the next in O(log n)
  const clocks = Float64Array.from(cpus, (c) => c.clock);
  const queue = new ClockHeap(clocks, cpus.length);
  try {
    for (let n = 1; ; n++) {
      // the CPU of this worker furthest behind runs next (the lowest number on a tie)
      const i = queue.top();
      cpu = cpus[i]!;
      if ((n & 15) === 0) {
        if (stopped()) break;
        if (Atomics.load(ctl, M.DONE) === m.ncpus || cpu.clock >= init.limitCycles) {
          m.requestStop(RunState.STOP);
          break;
        }
        if ((n & 1023) === 0) for (const c of cpus) c.flush();
      }
      // the worker waits only when its CPU furthest behind is too far ahead: its
      // other CPUs are further still, and the CPU furthest behind of all never waits
      if (bounded && !syncs[i]!.throttle(cpu.clock, stopped)) break;
      cpu.step();
      clocks[i] = cpu.clock;
      queue.advanced(i);
      // the time of its next access: no access of this CPU can come earlier (a
      // stall or long step pending holds back no one, as in the deterministic order)
      if (bounded) syncs[i]!.publish(cpu.clock);
    }
  } catch (e) {
    if (!(e instanceof OopsHalt)) {
      const err = e as Error;
      m.requestStop(RunState.HALT);
      post({ type: 'error', cpu: cpu.id, message: err.message, stack: err.stack ?? '', trace: [...cpu.trace] });
    }
  }
  for (const c of cpus) c.dump();
}
