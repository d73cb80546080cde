/**
 * A same-run "before": the CLI of another commit (`--baseline=<ref>`), extracted with
 * `git archive` into a temporary directory (no worktree or ref is added to the
 * repository), given this checkout's node_modules and built, so a bench can time it
 * against this checkout's CLI round by round on the same machine at the same load.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BaselineCli {
  ref: string;
  /** the commit's bin/netns-studio.mjs */
  bin: string;
  remove(): void;
}

/** `--baseline=<ref>` among argv, or undefined. */
export function baselineRef(argv: string[]): string | undefined {
  return argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length) || undefined;
}

export function buildBaseline(root: string, ref: string): BaselineCli {
  const sha = execFileSync('git', ['-C', root, 'rev-parse', '--verify', `${ref}^{commit}`], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'nss-baseline-'));
  try {
    execFileSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', root, sha, dir]);
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    if (spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0) throw new Error(`building ${ref} failed`);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { ref: `${ref} (${sha.slice(0, 7)})`, bin: join(dir, 'bin', 'netns-studio.mjs'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
