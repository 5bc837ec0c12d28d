// Runs validation jobs on every host core. Deterministic runs are single-
// threaded, so a worker per core each takes the next job; parallel-driver runs
// already put a thread on every core per simulated CPU, so they go one by one.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { isInterrupted } from '../../emulator/interrupt.js';
import { run } from '../../system/run.js';
import { recordOf } from './matrix.js';
// Workers load compiled JavaScript: this file runs from dist/, and so does its sibling.
const WORKER_URL = new URL('./run_worker.js', import.meta.url);
export function poolSize(driver, jobs, wanted) {
    if (driver !== 'deterministic')
        return 1;
    return Math.max(1, Math.min(jobs, wanted ?? availableParallelism()));
}
export async function runJobs(jobs, size, onRecord) {
    const records = [];
    if (size <= 1) {
        for (const { job, cfg } of jobs) {
            if (isInterrupted())
                return { records, interrupted: true };
            const r = await run(cfg);
            if (r.interrupted)
                return { records, interrupted: true };
            const rec = recordOf(job, r);
            records.push(rec);
            onRecord(rec);
        }
        return { records, interrupted: false };
    }
    let next = 0;
    let interrupted = false;
    let failure = null;
    const workers = [];
    // Ctrl-C reaches the main thread; each worker is told to stop its run
    const watch = setInterval(() => {
        if (isInterrupted() && !interrupted) {
            interrupted = true;
            for (const w of workers)
                w.postMessage({ type: 'stop' });
        }
    }, 100);
    const one = (w) => new Promise((resolve) => {
        const feed = () => {
            if (next >= jobs.length || interrupted || failure)
                return resolve();
            const { job, cfg } = jobs[next++];
            w.postMessage({ type: 'run', job, cfg });
        };
        w.on('message', (m) => {
            if (m.type === 'failed')
                failure ??= new Error(`run ${m.job.arch} ${m.job.kernel} ${m.job.workload} seed ${m.job.seed}: ${m.message}`);
            else if (m.interrupted)
                interrupted = true;
            else {
                records.push(m.record);
                onRecord(m.record);
            }
            feed();
        });
        w.on('error', (e) => { failure ??= e; resolve(); });
        feed();
    });
    for (let i = 0; i < size; i++)
        workers.push(new Worker(WORKER_URL));
    try {
        await Promise.all(workers.map(one));
    }
    finally {
        clearInterval(watch);
        await Promise.all(workers.map((w) => w.terminate()));
    }
    if (failure)
        throw failure;
    return { records, interrupted: interrupted || isInterrupted() };
}
//# sourceMappingURL=pool.js.map