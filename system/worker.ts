// Entry of one worker thread of the parallel driver: attach to the machine's
// buffer, boot this worker's simulated CPUs with their programs, and step them
// (emulator/driver/worker_loop.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { stepWorker, type WorkerInit, type WorkerMessage } from '../emulator/driver/worker_loop.js';
import type { RunConfig } from './config.js';
import { attachMachine, bootCpu } from './boot.js';
import { shareWithOtherThreads } from '../emulator/shared.js';

// other workers step other CPUs over the same buffer: Atomics accesses, from before the boot on
shareWithOtherThreads();

const init = workerData as WorkerInit;
const b = attachMachine(init.cfg as RunConfig, init.buffer);
stepWorker(b.machine, init.cpus.map((id) => bootCpu(b, id)), init, (msg: WorkerMessage) => parentPort!.postMessage(msg));
