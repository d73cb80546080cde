/**
 * Unnamed namespaces on the real kernel, through a real helper process: named by
 * their inode whoever holds them, with every holder, labelled (Mininet-style
 * shells by their host name), and found when only a bind mount outside
 * /run/netns holds them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverSandbox, startSandboxHelper } from '../../testing/discover-support';
import { startHolder, type Holder } from '../../testing/ns-holders';
import { run, runOk } from '../../testing/run';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping unnamed-namespace tests: ${skip}`);

test('an unnamed namespace keeps its name when its first holder exits, and lists every holder', { skip }, async () => {
  await withSandbox('holders', async (sb) => {
    const held: Holder[] = [];
    const h = await startSandboxHelper(sb);
    try {
      const a = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
      held.push(a);
      const b = await startHolder(sb, ['nsenter', `--net=/proc/${a.pid}/ns/net`, 'sleep', '301'], 'sleep', a.inode);
      held.push(b);
      await sb.bash(`ip link add name to-box type veth peer name in-box netns ${a.pid}`);
      const first = await discoverSandbox(h, sb, { unnamed: true });
      const box = first.observed.namespaces.find((n) => n.inode === a.inode);
      assert.ok(box, 'found');
      assert.equal(box.name, `inode:${a.inode}`);
      assert.deepEqual(box.holders?.map((x) => x.pid).sort(), [a.pid, b.pid].sort());
      assert.deepEqual(
        box.holders?.map((x) => x.comm),
        ['sleep', 'sleep'],
      );
      const toBox = first.observed.namespaces.find((n) => n.name === 'host')!.links.find((l) => l.name === 'to-box')!;
      assert.equal(toBox.peer?.namespace, box.name);

      // the lower pid leaves: same name, the other holder stays
      const [low, high] = a.pid < b.pid ? [a, b] : [b, a];
      await low.kill();
      const second = await discoverSandbox(h, sb, { unnamed: true });
      const again = second.observed.namespaces.find((n) => n.inode === a.inode);
      assert.ok(again, 'still found through the remaining holder');
      assert.equal(again.name, box.name, 'identity is the inode, not the holder');
      assert.deepEqual(
        again.holders?.map((x) => x.pid),
        [high.pid],
      );
      assert.equal(
        again.links.some((l) => l.name === 'in-box'),
        true,
        'read through the remaining holder',
      );
      assert.equal(second.observed.namespaces.find((n) => n.name === 'host')!.links.find((l) => l.name === 'to-box')!.peer?.namespace, box.name);
    } finally {
      for (const x of held) await x.kill();
      await h.close();
    }
  });
});

test('a Mininet host shell (`bash --norc -is mininet:h1`) is labelled by its host name', { skip }, async () => {
  await withSandbox('mnlabel', async (sb) => {
    const h = await startSandboxHelper(sb);
    // stdin stays an open pipe: the interactive shell waits on it, as under Mininet
    const sh = await startHolder(sb, ['unshare', '-n', 'bash', '--norc', '--noediting', '-is', 'mininet:h1'], 'bash');
    try {
      const d = await discoverSandbox(h, sb, { unnamed: true });
      const ns = d.observed.namespaces.find((n) => n.inode === sh.inode);
      assert.deepEqual(ns?.identity, { source: 'mininet', label: 'mininet h1', mininetHost: 'h1' });
    } finally {
      await sh.kill();
      await h.close();
    }
  });
});

test('a namespace held only by a bind mount outside /run/netns is found, with its mount and veth', { skip }, async () => {
  await withSandbox('bindonly', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nst-bindns-'));
    const file = join(dir, 'net ns'); // a space: mountinfo escapes it as \040
    writeFileSync(file, '');
    let mounted = false;
    const h = await startSandboxHelper(sb);
    const box = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
    try {
      await runOk(['mount', '--bind', `/proc/${box.pid}/ns/net`, file]);
      mounted = true;
      const r = await sb.bash(`ip link add name to-mnt type veth peer name in-mnt netns ${box.pid}
        nsenter --net='${file}' ip addr add 10.77.0.2/24 dev in-mnt`);
      assert.equal(r.code, 0, r.stderr);
      await box.kill(); // now only the mount holds it
      const d = await discoverSandbox(h, sb, { unnamed: true });
      const ns = d.observed.namespaces.find((n) => n.inode === box.inode);
      assert.ok(ns, 'found through the mount table');
      assert.equal(ns.name, `inode:${box.inode}`);
      assert.deepEqual(ns.mounts, [file]);
      assert.equal(ns.holders, undefined, 'no process holds it');
      assert.deepEqual(ns.identity, { source: 'mount', label: file });
      assert.deepEqual(
        ns.links.find((l) => l.name === 'in-mnt')?.addresses.map((a) => a.cidr),
        ['10.77.0.2/24'],
      );
      const toMnt = d.observed.namespaces.find((n) => n.name === 'host')!.links.find((l) => l.name === 'to-mnt')!;
      assert.deepEqual([toMnt.peer?.namespace, toMnt.peer?.name], [ns.name, 'in-mnt']);
    } finally {
      await box.kill();
      if (mounted) await run(['umount', file]);
      rmSync(dir, { recursive: true, force: true });
      await h.close();
    }
  });
});
