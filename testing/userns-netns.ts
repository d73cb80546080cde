/**
 * A network namespace an unprivileged user owns, bound under /run/netns with a
 * unique name (issue 15): `unshare -Urn` run as nobody prepares it (its `setup`
 * commands run there as that owner), root bind-mounts it, the owner process is
 * killed. What is left is what `ip netns attach` or a rootless runtime leaves:
 * a named namespace root must not enter as full root. Removed afterwards, even
 * when the test fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { kernelSkipReason, uniquePrefix } from './sandbox';
import { waitUntil } from './until';

const NOBODY = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];

export interface UsernsNetns {
  /** its name under /run/netns */
  name: string;
  path: string;
  /** `user:[N]` of the owner's user namespace, and `net:[N]` of the namespace */
  ownerUserns: string;
  netnsLink: string;
}

/** Why such a namespace cannot be made here (undefined: it can). */
export function usernsSkipReason(): string | undefined {
  const k = kernelSkipReason();
  if (k) return k;
  const r = spawnSync(NOBODY[0]!, [...NOBODY.slice(1), '/usr/bin/unshare', '-Urn', '/bin/true']);
  return r.status === 0 ? undefined : `unprivileged user namespaces are not available here (unshare -Urn as nobody: ${String(r.stderr).trim() || r.status})`;
}

/** `setup`: a shell script the owner runs in its namespace first; `input` its stdin. */
export async function withUsernsNetns<T>(tag: string, setup: string, fn: (ns: UsernsNetns) => Promise<T>, input = ''): Promise<T> {
  const name = `${uniquePrefix(tag)}own`;
  const path = `/run/netns/${name}`;
  const owner = spawn(NOBODY[0]!, [...NOBODY.slice(1), '/usr/bin/unshare', '-Urn', '/bin/sh', '-c', `${setup} && echo ready && exec /bin/sleep 600`], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  owner.stdout.on('data', (d) => (out += d));
  owner.stderr.on('data', (d) => (out += d));
  owner.stdin.end(input);
  let bound = false;
  try {
    await waitUntil(`the owner's namespace (${out})`, () => out.includes('ready') || owner.exitCode !== null, 30_000);
    if (!out.includes('ready')) throw new Error(`the owner's setup failed: ${out}`);
    spawnSync('/usr/bin/mkdir', ['-p', '/run/netns']);
    writeFileSync(path, '', { flag: 'wx' });
    const m = spawnSync('/usr/bin/mount', ['--bind', `/proc/${owner.pid}/ns/net`, path], { encoding: 'utf8' });
    if (m.status !== 0) throw new Error(`mount --bind: ${m.stderr}`);
    bound = true;
    const ns = { name, path, ownerUserns: readlinkSync(`/proc/${owner.pid}/ns/user`), netnsLink: readlinkSync(`/proc/${owner.pid}/ns/net`) };
    const exited = new Promise((r) => owner.once('exit', r));
    owner.kill('SIGKILL');
    await exited;
    return await fn(ns);
  } finally {
    if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
    if (bound) spawnSync('/usr/bin/umount', [path]);
    spawnSync('/usr/bin/rm', ['-f', path]);
  }
}

/**
 * Watches /proc while `fn` runs: every process in namespace `netnsLink` whose
 * command name matches `comm`, with its user namespace (`comm user:[N]`).
 */
export async function processesIn(netnsLink: string, comm: RegExp, fn: () => Promise<void>): Promise<string[]> {
  const seen = new Set<string>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        try {
          if (readlinkSync(`/proc/${pid}/ns/net`) !== netnsLink) continue;
          const c = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
          if (comm.test(c)) seen.add(`${c} ${readlinkSync(`/proc/${pid}/ns/user`)}`);
        } catch {
          /* gone meanwhile */
        }
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  try {
    await fn();
  } finally {
    watching = false;
    await watcher;
  }
  return [...seen];
}
