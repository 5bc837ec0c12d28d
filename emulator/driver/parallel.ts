// The parallel driver: worker_threads over the machine's one SharedArrayBuffer,
// racing for real, each stepping a share of the simulated CPUs (cfg.workers,
// by default one per host core: more threads than cores only take turns).
// CPUs go to workers round-robin, so the roles a workload gives by CPU number
// land on different workers. The main thread starts them, stops them at the
// wall-clock cap, and waits until every worker has exited.
import { Worker } from 'node:worker_threads';
import { C, CPU_STRIDE, M, RunState, type Machine } from '../machine.js';
import type { DriverOutcome } from './deterministic.js';
import type { WorkerInit, WorkerMessage } from './worker_loop.js';

const HOST_STALL_S = 5;

/**
 * Runs machine `m` on worker threads started from `entry`, a compiled module
 * of the assembling layer that boots the CPUs it is given and steps them
 * (worker_loop.ts); workers load JavaScript, so `entry` is under dist/.
 */
export async function runParallel(m: Machine, entry: URL, limitCycles: number, durationS: number): Promise<DriverOutcome> {
  const ctl = m.v.control;
  let internalError: DriverOutcome['internalError'] = null;
  const workers: Worker[] = [];
  const exited: Promise<void>[] = [];
  let ready = 0;
  let startAll!: () => void;
  const allReady = new Promise<void>((r) => { startAll = r; });
  const nw = Math.max(1, Math.min(m.ncpus, m.cfg.workers ?? m.ncpus));
  // a worker loads compiled JavaScript (dist/) and needs no module hook of its
  // parent's (a test runner's, a TypeScript loader's): those only slow its every import
  const execArgv = process.execArgv.filter((a) => !/^--(import|require|loader|experimental-loader)(=|$)/.test(a));
  for (let i = 0; i < nw; i++) {
    const cpus: number[] = [];
    for (let c = i; c < m.ncpus; c += nw) cpus.push(c);
    const init: WorkerInit = { cfg: m.cfg, buffer: m.buffer, cpus, limitCycles };
    const w = new Worker(entry, { workerData: init, execArgv });
    w.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'ready' && ++ready === nw) startAll();
      if (msg.type === 'error' && !internalError) {
        internalError = { cpu: msg.cpu, message: msg.message, stack: msg.stack, trace: msg.trace };
      }
    });
    exited.push(new Promise<void>((resolve) => {
      w.on('error', (err) => {
        if (!internalError) internalError = { cpu: cpus[0]!, message: err.message, stack: err.stack ?? '', trace: [] };
        m.requestStop(RunState.HALT);
        if (++ready === nw) startAll();
      });
      w.on('exit', () => resolve());
    }));
    workers.push(w);
  }
  await allReady;
  const t0 = performance.now();
  Atomics.store(ctl, M.START, 1);
  Atomics.notify(ctl, M.START);
  let capped = false;
  const cap = setTimeout(() => { capped = Atomics.load(ctl, M.STATE) === RunState.RUN; m.requestStop(RunState.STOP); }, durationS * 1000);
  // a worker that does not stop within a grace period after the cap is terminated
  const grace = setTimeout(() => { for (const w of workers) void w.terminate(); }, durationS * 1000 + 5000);
  // host-time watchdog: if no CPU steps for HOST_STALL_S (a routine looping without
  // yielding holds its CPU, and the slack holds the rest), stop and say so
  let lastSteps = -1;
  let stalledFor = 0;
  const watch = setInterval(() => {
    let sum = 0;
    for (let i = 0; i < m.ncpus; i++) sum += Atomics.load(m.v.cpu, i * CPU_STRIDE + C.STEPS);
    stalledFor = sum === lastSteps && Atomics.load(ctl, M.STATE) === RunState.RUN ? stalledFor + 1 : 0;
    lastSteps = sum;
    if (stalledFor >= HOST_STALL_S && !internalError) {
      internalError = { cpu: -1, message: `host watchdog: no simulated CPU made a step for ${HOST_STALL_S} s`, stack: '', trace: [] };
      m.requestStop(RunState.HALT);
      setTimeout(() => { for (const w of workers) void w.terminate(); }, 1000);
    }
  }, 1000);
  await Promise.all(exited);
  clearInterval(watch);
  clearTimeout(cap);
  clearTimeout(grace);
  return {
    // cut short by the wall-clock cap before the simulated length was reached
    truncated: capped && Number.isFinite(limitCycles),
    hostSeconds: (performance.now() - t0) / 1000,
    eventHash: null,
    internalError,
  };
}
