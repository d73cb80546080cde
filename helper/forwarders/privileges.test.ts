/**
 * Forwarder agents give up root once bound (issue 15): every agent process of a
 * TCP forwarder across namespaces (bind + its serve child), a UDP one across
 * namespaces (listen + dial) and a TCP one within a namespace runs as the agent
 * user with no capabilities (/proc/PID/status: Uid, Gid, Groups, CapEff, CapPrm),
 * and traffic still relays. The dial socket is the agent user's alone, and a
 * session opened on it cannot aim the datagrams at another port than the
 * forwarder's target. All inside sandbox namespaces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { withSandbox, kernelSkipReason } from '../../testing/sandbox';
import { createForwarderRuntime } from './runtime';
import { agentUser } from './agent-user';
import { frame, deframer } from './udp';
import { NS1_UP, echoIn, tcpClient, udpClient } from '../../testing/traffic';

const UP = `${NS1_UP}ip netns add \${P}ns2
ip link add dev veth2 type veth peer name veth3 netns \${P}ns2
ip addr add 10.0.1.11/24 dev veth2
ip link set dev veth2 up
ip -n \${P}ns2 addr add 10.0.1.1/24 dev veth3
ip -n \${P}ns2 link set dev lo up
ip -n \${P}ns2 link set dev veth3 up
`;

const skip = kernelSkipReason() ?? (process.getuid?.() !== 0 ? 'needs root (agents drop from root)' : undefined);
if (skip) console.log(`# skipping agent privilege tests: ${skip}`);

/** A UDP server that answers `wrong:` + what it got: where a session must not land. */
function taggerIn(ns: string, host: string, port: number): Promise<ChildProcess> {
  const js = `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('wrong:'+m,r.port,r.address));s.bind(${port},'${host}',()=>console.log('up'))`;
  const p = spawn('/usr/bin/nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', js], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    p.stdout!.once('data', () => res(p));
    p.once('exit', (c) => rej(new Error(`tagger exited ${c}`)));
  });
}

function status(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

function children(pid: number): number[] {
  const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

test('agents run as the agent user with no capabilities once bound, and still relay', { skip, timeout: 120_000 }, async () => {
  await withSandbox('fwpriv', async (sb) => {
    assert.equal((await sb.bash(UP)).code ?? 0, 0);
    const tcpEcho = await echoIn(sb.ns('ns2'), 'tcp', '10.0.1.1', 8000);
    const udpEcho = await echoIn(sb.ns('ns2'), 'udp', '10.0.1.1', 8000);
    const other = await taggerIn(sb.ns('ns2'), '10.0.1.1', 8001);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwpriv-'));
    const rt = createForwarderRuntime({ dir });
    const user = agentUser();
    try {
      await rt.start({
        name: 'tcp-across',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 7000 },
        target: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 8000 },
      });
      await rt.start({
        name: 'udp-across',
        protocol: 'udp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 7001 },
        target: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 8000 },
      });
      await rt.start({
        name: 'tcp-same',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 7002 },
        target: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 8000 },
      });

      const list = await rt.list();
      const pids = list.flatMap((f) => f.pids);
      const bind = list.find((f) => f.name === 'tcp-across')!.pids[0]!;
      const serve = children(bind);
      assert.equal(serve.length, 1, 'the bind agent has its serve child');
      assert.equal(pids.length, 4, JSON.stringify(list));
      for (const pid of [...pids, ...serve]) {
        const st = status(pid);
        const who = `agent ${pid} (${fs
          .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .split('\0')
          .find((a) => a.includes('"role"'))})`;
        assert.deepEqual(st.Uid!.split(/\s+/).map(Number), [user.uid, user.uid, user.uid, user.uid], `${who} Uid`);
        assert.deepEqual(st.Gid!.split(/\s+/).map(Number), [user.gid, user.gid, user.gid, user.gid], `${who} Gid`);
        assert.equal(st.Groups, String(user.gid), `${who} supplementary groups`);
        assert.equal(BigInt(`0x${st.CapEff}`), 0n, `${who} CapEff ${st.CapEff}`);
        assert.equal(BigInt(`0x${st.CapPrm}`), 0n, `${who} CapPrm ${st.CapPrm}`);
      }

      assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 7000, 20, 65536), { ok: 20, bad: 0, fail: 0, bytes: 20 * 65536 });
      assert.deepEqual(await udpClient(sb, 'host', '10.0.0.1', 7001, 20), { ok: 20 });
      assert.deepEqual(await tcpClient(sb, 'host', '10.0.1.1', 7002, 20, 1000), { ok: 20, bad: 0, fail: 0, bytes: 20_000 });

      // the dial socket: the agent user's, 0600; a session naming port 8001 still goes to the target (8000)
      const sock = path.join(dir, 'udp-across.dial.sock');
      const st = fs.statSync(sock);
      assert.equal(st.uid, user.uid);
      assert.equal(st.mode & 0o777, 0o600);
      const got = await new Promise<string>((resolve, reject) => {
        const c = net.connect(sock, () => {
          c.write('udp 10.0.1.1 8001\n');
          c.write(frame(Buffer.from('aimed')));
        });
        c.on(
          'data',
          deframer((b) => {
            resolve(b.toString());
            c.destroy();
          }),
        );
        c.on('error', reject);
      });
      assert.equal(got, 'aimed', 'answered by the target (8000), not the port the session named (it answers "wrong:")');
    } finally {
      for (const x of await rt.list()) await rt.stop(x.name);
      tcpEcho.kill();
      udpEcho.kill();
      other.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
