// Entry of one worker thread of the parallel driver: attach to the machine's
// buffer, boot this worker's simulated CPUs with their programs, and step them
// (emulator/driver/worker_loop.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { stepWorker } from '../emulator/driver/worker_loop.js';
import { attachMachine, bootCpu } from './boot.js';
const init = workerData;
const b = attachMachine(init.cfg, init.buffer);
stepWorker(b.machine, init.cpus.map((id) => bootCpu(b, id)), init, (msg) => parentPort.postMessage(msg));
//# sourceMappingURL=worker.js.map