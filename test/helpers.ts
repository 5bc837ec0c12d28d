// Shared helpers for the tests: a run configuration with overrides, and the CLI as a child process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../system/config.js';
import { validateRun, type RawRunArgs } from '../system/args.js';

export const CLI = fileURLToPath(new URL('../commands/cli.js', import.meta.url));

/** A validated configuration, as the CLI would build it from these flags. */
export function config(a: RawRunArgs): RunConfig {
  return validateRun(a);
}

/**
 * `node ...args` as a user's shell would start it: without the import hooks the
 * test runner adds to NODE_OPTIONS (tap's processinfo, which also re-adds itself
 * to every child's environment at spawn, so only `env -u` takes it out), which
 * more than double every start-up of the CLI and slow every module it loads.
 * Returns the command and its arguments.
 */
export function nodeChild(args: readonly string[]): [string, string[]] {
  const keep = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((o) => o !== '' && !/^"?--(import|require|loader)=.*@tapjs\//.test(o));
  return ['env', ['-u', 'NODE_OPTIONS', ...(keep.length > 0 ? [`NODE_OPTIONS=${keep.join(' ')}`] : []), process.execPath, ...args]];
}

export function cli(args: string[], timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}) {
  const [cmd, argv] = nodeChild([CLI, ...args]);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}
