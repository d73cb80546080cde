/**
 * The forwarder runtime alone (no apply): scenario 01's two TCP forwarders with 200
 * concurrent connections each, refused and unreachable targets counted, agents found
 * again by a fresh runtime; UDP within and across namespaces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withSandbox, kernelSkipReason } from '../../testing/sandbox';
import { createForwarderRuntime } from './runtime';
import { NS1_UP, echoIn, tcpClient, udpClient } from '../../testing/traffic';

const UP = `${NS1_UP}ip netns add \${P}ns2
ip link add dev veth2 type veth peer name veth3 netns \${P}ns2
ip addr add 10.0.1.11/24 dev veth2
ip link set dev veth2 up
ip -n \${P}ns2 addr add 10.0.1.1/24 dev veth3
ip -n \${P}ns2 link set dev lo up
ip -n \${P}ns2 link set dev veth3 up
`;

test('scenario 01 forwarders carry TCP end to end', { skip: kernelSkipReason() }, async () => {
  await withSandbox('fwd', async (sb) => {
    const r = await sb.bash(UP);
    assert.equal(r.code ?? 0, 0, JSON.stringify(r));
    const e1 = await echoIn(sb.hostNs, 'tcp', '127.0.0.1', 8080);
    const e2 = await echoIn(sb.ns('ns2'), 'tcp', '10.0.1.1', 8000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwd-'));
    try {
      let rt = createForwarderRuntime({ dir });
      await rt.start({
        name: 'service-0',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8000 },
        target: { namespace: sb.hostNs, address: '127.0.0.1', port: 8080 },
      });
      await rt.start({
        name: 'service-1',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8001 },
        target: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 8000 },
      });
      await rt.start({
        name: 'refused',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8002 },
        target: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 9 },
      });
      // nobody has 10.0.1.99: ARP fails, the dial gets "host unreachable"
      await rt.start({
        name: 'unreach',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8003 },
        target: { namespace: sb.ns('ns2'), address: '10.0.1.99', port: 80 },
      });
      for (const port of [8000, 8001]) {
        assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', port, 200, 65536), { ok: 200, bad: 0, fail: 0, bytes: 200 * 65536 }, `port ${port}`);
      }
      // a refused or unreachable target closes that client cleanly, is counted, and the forwarder goes on serving
      const [ref, unr] = await Promise.all([tcpClient(sb, 'host', '10.0.0.1', 8002, 5, 10), tcpClient(sb, 'host', '10.0.0.1', 8003, 2, 10)]);
      assert.deepEqual(ref, { ok: 0, bad: 0, fail: 5, bytes: 0 });
      assert.deepEqual(unr, { ok: 0, bad: 0, fail: 2, bytes: 0 });
      // A fresh runtime object finds the detached agents again.
      rt = createForwarderRuntime({ dir });
      const list = await rt.list();
      assert.deepEqual(list.map((x) => x.name).sort(), ['refused', 'service-0', 'service-1', 'unreach']);
      const s1 = list.find((x) => x.name === 'service-1')!.stats!;
      assert.equal(s1.state, 'listening');
      assert.equal(s1.total, 200);
      assert.equal(s1.bytesOut, 200 * 65536);
      assert.equal(s1.bytesIn, 200 * 65536);
      assert.equal(list.find((x) => x.name === 'refused')!.stats!.failedDials, 5);
      assert.equal(list.find((x) => x.name === 'unreach')!.stats!.failedDials, 2);
      assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8001, 10, 1000), { ok: 10, bad: 0, fail: 0, bytes: 10_000 }, 'still serving');
      for (const x of list) await rt.stop(x.name);
      assert.deepEqual(await rt.list(), []);
    } finally {
      e1.kill();
      e2.kill();
      const rt = createForwarderRuntime({ dir });
      for (const x of await rt.list()) await rt.stop(x.name);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('UDP forwarders: same namespace and across namespaces, per-client sessions', { skip: kernelSkipReason() }, async () => {
  await withSandbox('fwdu', async (sb) => {
    await sb.bash(UP);
    const e1 = await echoIn(sb.hostNs, 'udp', '127.0.0.1', 8080);
    const e2 = await echoIn(sb.ns('ns2'), 'udp', '10.0.1.1', 8000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwdu-'));
    const rt = createForwarderRuntime({ dir });
    try {
      await rt.start({
        name: 'u0',
        protocol: 'udp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 9000 },
        target: { namespace: sb.hostNs, address: '127.0.0.1', port: 8080 },
      });
      await rt.start({
        name: 'u1',
        protocol: 'udp',
        listen: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 9001 },
        target: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 8000 },
      });
      assert.deepEqual(await udpClient(sb, 'host', '10.0.0.1', 9000, 50), { ok: 50 });
      assert.deepEqual(await udpClient(sb, 'host', '10.0.1.1', 9001, 50), { ok: 50 });
      const s0 = (await rt.stats('u0'))!;
      assert.equal(s0.total, 50);
      assert.equal(s0.bytesOut, 50_000);
      assert.equal(s0.bytesIn, 50_000);
    } finally {
      for (const x of await rt.list()) await rt.stop(x.name);
      e1.kill();
      e2.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
