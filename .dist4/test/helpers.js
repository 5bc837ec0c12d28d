// Shared helpers for the tests: a run configuration with overrides, and the CLI as a child process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { validateRun } from '../system/args.js';
export const CLI = fileURLToPath(new URL('../commands/cli.js', import.meta.url));
/** A validated configuration, as the CLI would build it from these flags. */
export function config(a) {
    return validateRun(a);
}
export function cli(args, timeoutMs = 60_000, env = {}) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}
//# sourceMappingURL=helpers.js.map