// A validation worker: runs the configurations it is sent, one at a time, with
// the deterministic driver, and answers each with the record validation keeps.
import { parentPort } from 'node:worker_threads';
import type { RunConfig } from '../../system/config.js';
import { interrupt } from '../../emulator/interrupt.js';
import { run } from '../../system/run.js';
import { recordOf, type Job, type RunRecord } from './matrix.js';

export type PoolRequest = { type: 'run'; job: Job; cfg: RunConfig } | { type: 'stop' };
export type PoolReply = { type: 'done'; record: RunRecord; interrupted: boolean } | { type: 'failed'; job: Job; message: string };

parentPort!.on('message', (msg: PoolRequest) => {
  if (msg.type === 'stop') return interrupt();
  run(msg.cfg).then(
    (r) => parentPort!.postMessage({ type: 'done', record: recordOf(msg.job, r), interrupted: r.interrupted } satisfies PoolReply),
    (e: Error) => parentPort!.postMessage({ type: 'failed', job: msg.job, message: e.stack ?? e.message } satisfies PoolReply),
  );
});
