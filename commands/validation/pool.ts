// Runs validation jobs on every host core. Deterministic runs are single-
// threaded, so a worker per core each takes the next job; parallel-driver runs
// already put a thread on every core per simulated CPU, so they go one by one.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RunConfig } from '../../system/config.js';
import { isInterrupted } from '../../emulator/interrupt.js';
import { run } from '../../system/run.js';
import { recordOf, type Job, type RunRecord } from './matrix.js';
import type { PoolReply, PoolRequest } from './run_worker.js';

// Workers load compiled JavaScript: this file runs from dist/, and so does its sibling.
const WORKER_URL = new URL('./run_worker.js', import.meta.url);

export interface PoolOutcome {
  records: RunRecord[];
  interrupted: boolean;
}

export function poolSize(driver: string, jobs: number, wanted?: number): number {
  if (driver !== 'deterministic') return 1;
  return Math.max(1, Math.min(jobs, wanted ?? availableParallelism()));
}

export async function runJobs(
  jobs: readonly { job: Job; cfg: RunConfig }[], size: number, onRecord: (r: RunRecord) => void,
): Promise<PoolOutcome> {
  const records: RunRecord[] = [];
  if (size <= 1) {
    for (const { job, cfg } of jobs) {
      if (isInterrupted()) return { records, interrupted: true };
      const r = await run(cfg);
      if (r.interrupted) return { records, interrupted: true };
      const rec = recordOf(job, r);
      records.push(rec);
      onRecord(rec);
    }
    return { records, interrupted: false };
  }
  let next = 0;
  let interrupted = false;
  let failure: Error | null = null;
  const workers: Worker[] = [];
  // Ctrl-C reaches the main thread; each worker is told to stop its run
  const watch = setInterval(() => {
    if (isInterrupted() && !interrupted) {
      interrupted = true;
      for (const w of workers) w.postMessage({ type: 'stop' } satisfies PoolRequest);
    }
  }, 100);
  const one = (w: Worker): Promise<void> => new Promise((resolve) => {
    const feed = (): void => {
      if (next >= jobs.length || interrupted || failure) return resolve();
      const { job, cfg } = jobs[next++]!;
      w.postMessage({ type: 'run', job, cfg } satisfies PoolRequest);
    };
    w.on('message', (m: PoolReply) => {
      if (m.type === 'failed') failure ??= new Error(`run ${m.job.arch} ${m.job.kernel} ${m.job.workload} seed ${m.job.seed}: ${m.message}`);
      else if (m.interrupted) interrupted = true;
      else { records.push(m.record); onRecord(m.record); }
      feed();
    });
    w.on('error', (e) => { failure ??= e; resolve(); });
    feed();
  });
  for (let i = 0; i < size; i++) workers.push(new Worker(WORKER_URL));
  try {
    await Promise.all(workers.map(one));
  } finally {
    clearInterval(watch);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) throw failure;
  return { records, interrupted: interrupted || isInterrupted() };
}
