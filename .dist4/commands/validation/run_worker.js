// A validation worker: runs the configurations it is sent, one at a time, with
// the deterministic driver, and answers each with the record validation keeps.
import { parentPort } from 'node:worker_threads';
import { interrupt } from '../../emulator/interrupt.js';
import { run } from '../../system/run.js';
import { recordOf } from './matrix.js';
parentPort.on('message', (msg) => {
    if (msg.type === 'stop')
        return interrupt();
    run(msg.cfg).then((r) => parentPort.postMessage({ type: 'done', record: recordOf(msg.job, r), interrupted: r.interrupted }), (e) => parentPort.postMessage({ type: 'failed', job: msg.job, message: e.stack ?? e.message }));
});
//# sourceMappingURL=run_worker.js.map