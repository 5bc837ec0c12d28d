// Which slice of the matrix this process runs: from the flag, or from the
// index a job engine gives each task (Kubernetes Indexed Job, Slurm job array).
import { intIn, UsageError } from '../../system/args.js';
/** `--shard K/N`, or `--shard N` with K from the job engine's index (Kubernetes Indexed Job, Slurm array). */
export function parseShard(v, env) {
    if (v === undefined || v === '')
        return null;
    const m = /^(?:(\d+)\/)?(\d+)$/.exec(String(v).trim());
    if (!m)
        throw new UsageError(`--shard: '${String(v)}' is not K/N or N (K from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)`);
    const count = intIn('shard', m[2], 1, 1_000_000);
    let index;
    if (m[1] !== undefined)
        index = Number(m[1]);
    else if (env.JOB_COMPLETION_INDEX !== undefined)
        index = intIn('shard (JOB_COMPLETION_INDEX)', env.JOB_COMPLETION_INDEX, 0, count - 1) + 1; // 0-based
    else if (env.SLURM_ARRAY_TASK_ID !== undefined) {
        const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : intIn('shard (SLURM_ARRAY_TASK_MIN)', env.SLURM_ARRAY_TASK_MIN, 0, 1e9);
        index = intIn('shard (SLURM_ARRAY_TASK_ID)', env.SLURM_ARRAY_TASK_ID, min, min + count - 1) - min + 1;
    }
    else
        throw new UsageError(`--shard ${count}: K is not given and neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set; give --shard K/${count}`);
    if (index < 1 || index > count)
        throw new UsageError(`--shard: K must be from 1 to ${count}, got ${index}`);
    return { index, count };
}
//# sourceMappingURL=shard.js.map