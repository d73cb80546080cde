/**
 * A network namespace an unprivileged user owns (issue 15): `unshare -Urn` run as
 * nobody, its namespace kept by a bind mount under /run/netns once that process
 * is gone (as `ip netns attach` or a rootless runtime leaves it). The owner filled
 * its NAT table. discover still reads that table, but every program it runs in
 * there (iptables-save, ip) runs inside the owner's user namespace, so it has the
 * owner's capabilities and not root's: a watcher scanning /proc while discover
 * reads sees those programs, and each one's user namespace is the owner's.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { kernelSkipReason, uniquePrefix } from '../../testing/sandbox';
import { waitUntil } from '../../testing/until';
import { programPath } from '../programs';
import { runProgram } from '../proc';
import { discover } from './index';
import { readNat } from './read';
import { foreignOwned, inNetns } from './ns-owner';

const NOBODY = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];
function usernsSkip(): string | undefined {
  const k = kernelSkipReason();
  if (k) return k;
  const r = spawnSync(NOBODY[0]!, [...NOBODY.slice(1), '/usr/bin/unshare', '-Urn', '/bin/true']);
  return r.status === 0 ? undefined : `unprivileged user namespaces are not available here (unshare -Urn as nobody: ${String(r.stderr).trim() || r.status})`;
}
const skip = usernsSkip();
if (skip) console.log(`# skipping the userns-owned namespace test: ${skip}`);

const RULES = 200;

test('a namespace an unprivileged user owns: NAT still read, its programs run as that owner, never as root', { skip, timeout: 120_000 }, async () => {
  const name = `${uniquePrefix('usrns')}own`;
  const path = `/run/netns/${name}`;
  // the owner: nobody, root of its own user namespace, with a NAT table of its making
  const rules = ['*nat', ...Array.from({ length: RULES }, (_, i) => `-A POSTROUTING -s 10.${i >> 8}.${i & 255}.0/24 -o lo -j MASQUERADE`), 'COMMIT', ''].join(
    '\n',
  );
  const owner = spawn(
    NOBODY[0]!,
    [...NOBODY.slice(1), '/usr/bin/unshare', '-Urn', '/bin/sh', '-c', `${programPath('iptables-restore')} && echo ready && exec /bin/sleep 600`],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  owner.stdout.on('data', (d) => (out += d));
  owner.stderr.on('data', (d) => (out += d));
  owner.stdin.end(rules);
  let bound = false;
  try {
    await waitUntil(`the owner's NAT table (${out})`, () => out.includes('ready') || owner.exitCode !== null, 30_000);
    assert.ok(out.includes('ready'), out);
    // the sleeper is the shell itself (exec): its namespace, bound under /run/netns by root, then the sleeper gone
    spawnSync('/usr/bin/mkdir', ['-p', '/run/netns']);
    writeFileSync(path, '', { flag: 'wx' });
    const m = spawnSync('/usr/bin/mount', ['--bind', `/proc/${owner.pid}/ns/net`, path], { encoding: 'utf8' });
    assert.equal(m.status, 0, m.stderr);
    bound = true;
    const ownerUserns = readlinkSync(`/proc/${owner.pid}/ns/user`);
    const netnsLink = readlinkSync(`/proc/${owner.pid}/ns/net`);
    const exited = new Promise((r) => owner.once('exit', r));
    owner.kill('SIGKILL');
    await exited;
    const ours = readlinkSync('/proc/self/ns/user');
    assert.notEqual(ownerUserns, ours);

    // ownership is told apart: the bound namespace is foreign, ours is not
    const foreign = await foreignOwned([path, '/proc/self/ns/net']);
    assert.deepEqual([...foreign], [path]);
    // what runs in there runs in the owner's user namespace (with only its capabilities)
    const inside = await runProgram(inNetns(path, ['/usr/bin/readlink', '/proc/self/ns/user'], true));
    assert.equal(inside.stdout.trim(), ownerUserns, inside.stderr);
    assert.equal((await runProgram(inNetns('/proc/self/ns/net', ['/usr/bin/readlink', '/proc/self/ns/user'], false))).stdout.trim(), ours);

    // discover, watched: every iptables-save / ip process in that namespace, and whose user namespace it had
    const seen: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const pid of readdirSync('/proc')) {
          if (!/^\d+$/.test(pid)) continue;
          try {
            if (readlinkSync(`/proc/${pid}/ns/net`) !== netnsLink) continue;
            const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
            if (/^(iptables|xtables|ip$)/.test(comm)) seen.push(`${comm} ${readlinkSync(`/proc/${pid}/ns/user`)}`);
          } catch {
            /* gone meanwhile */
          }
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    let natLines: string[] | undefined;
    try {
      // the whole read, several times (the watcher must catch the short-lived programs at least once)
      for (let i = 0; i < 5 && !seen.length; i++) {
        const d = await discover({ onlyPrefix: name, forwarders: false, filter: true });
        natLines = d.observed.namespaces.find((n) => n.name === name)?.natLines;
        // and the ip reader (the fallback) and NAT alone, as watch reads them
        await discover({ onlyPrefix: name, forwarders: false, reader: 'ip' });
        await readNat([path]);
      }
    } finally {
      watching = false;
      await watcher;
    }
    assert.ok(natLines, 'the namespace was read');
    assert.equal(natLines.filter((l) => l.includes('MASQUERADE')).length, RULES, 'its NAT table, as its owner made it');
    assert.ok(seen.length > 0, 'the watcher saw the programs discover ran in there');
    const asRoot = seen.filter((s) => !s.endsWith(ownerUserns));
    assert.deepEqual(asRoot, [], `programs that ran there with root's user namespace (${ours}): ${asRoot.join(', ')}`);
  } finally {
    if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
    if (bound) spawnSync('/usr/bin/umount', [path]);
    spawnSync('/usr/bin/rm', ['-f', path]);
  }
});
