/** Test helper: runs the real CLI entry (bin/netns-studio.mjs) as a child process. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { run, type RunResult } from './run';
import type { Sandbox } from './sandbox';
import { TRUSTED_CLI } from './trust-env';

export const projectRoot = join(import.meta.dirname, '..');
export const cliPath = join(projectRoot, 'bin', 'netns-studio.mjs');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, [cliPath, TRUSTED_CLI, ...args], { cwd: projectRoot, encoding: 'utf8', input, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI inside a sandbox (under `nsenter --net`, so host = the sandbox host). */
export function runCliInSandbox(sb: Sandbox, ...args: string[]): Promise<RunResult> {
  return run(['nsenter', `--net=/run/netns/${sb.hostNs}`, process.execPath, cliPath, TRUSTED_CLI, ...args], { timeoutMs: 60_000 });
}
