import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { withSandbox, kernelSkipReason } from '../../testing/sandbox';
import { createForwarderRuntime } from './runtime';

const UP = `set -e
ip netns add \${P}ns1
ip link add dev veth0 type veth peer name veth1 netns \${P}ns1
ip addr add 10.0.0.11/24 dev veth0
ip link set dev veth0 up
ip link set dev lo up
ip -n \${P}ns1 addr add 10.0.0.1/24 dev veth1
ip -n \${P}ns1 link set dev lo up
ip -n \${P}ns1 link set dev veth1 up
ip netns add \${P}ns2
ip link add dev veth2 type veth peer name veth3 netns \${P}ns2
ip addr add 10.0.1.11/24 dev veth2
ip link set dev veth2 up
ip -n \${P}ns2 addr add 10.0.1.1/24 dev veth3
ip -n \${P}ns2 link set dev lo up
ip -n \${P}ns2 link set dev veth3 up
`;

// Echo server started inside a namespace (nsenter), so traffic stays in the sandbox.
const ECHO = `require('net').createServer(s=>s.pipe(s)).listen(+process.argv[2],process.argv[1],()=>console.log('up'))`;
function echoIn(ns: string, host: string, port: number) {
  const p = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', ECHO, host, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise<typeof p>((res) => p.stdout.once('data', () => res(p)));
}
// Client run inside the sandbox host namespace: sends random bytes, checks sha256 of the echo.
const CLIENT = `const net=require('net'),c=require('crypto');const [h,p,n,sz]=process.argv.slice(1);let ok=0,bad=0,fail=0,done=0;
for(let i=0;i<+n;i++){const d=c.randomBytes(+sz);const want=c.createHash('sha256').update(d).digest('hex');const got=[];let len=0;
const s=net.connect(+p,h,()=>s.end(d));s.on('data',b=>{got.push(b);len+=b.length});s.on('error',()=>{});
s.on('close',()=>{const g=c.createHash('sha256').update(Buffer.concat(got)).digest('hex');if(len===0)fail++;else if(g===want)ok++;else bad++;if(++done==+n)console.log(JSON.stringify({ok,bad,fail}))})}`;

test('scenario 01 forwarders carry TCP end to end', { skip: kernelSkipReason() }, async () => {
  await withSandbox('fwd', async (sb) => {
    const r = await sb.bash(UP); assert.equal(r.code ?? 0, 0, JSON.stringify(r));
    const e1 = await echoIn(sb.hostNs, '127.0.0.1', 8080);
    const e2 = await echoIn(sb.ns('ns2'), '10.0.1.1', 8000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwd-'));
    try {
      let rt = createForwarderRuntime({ dir });
      await rt.start({ name: 'service-0', protocol: 'tcp', listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8000 }, target: { namespace: sb.hostNs, address: '127.0.0.1', port: 8080 } });
      await rt.start({ name: 'service-1', protocol: 'tcp', listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8001 }, target: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 8000 } });
      await rt.start({ name: 'refused', protocol: 'tcp', listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8002 }, target: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 9 } });
      for (const port of [8000, 8001]) {
        const out = await sb.inHost([process.execPath, '-e', CLIENT, '10.0.0.1', String(port), '200', '65536']);
        assert.deepEqual(JSON.parse(out.stdout), { ok: 200, bad: 0, fail: 0 }, `port ${port}`);
      }
      const ref = await sb.inHost([process.execPath, '-e', CLIENT, '10.0.0.1', '8002', '5', '10']);
      assert.deepEqual(JSON.parse(ref.stdout), { ok: 0, bad: 0, fail: 5 });
      // A fresh runtime object finds the detached agents again.
      rt = createForwarderRuntime({ dir });
      const list = await rt.list();
      assert.deepEqual(list.map((x) => x.name).sort(), ['refused', 'service-0', 'service-1']);
      const s1 = list.find((x) => x.name === 'service-1')!.stats!;
      assert.equal(s1.state, 'listening'); assert.equal(s1.total, 200); assert.equal(s1.bytesOut, 200 * 65536); assert.equal(s1.bytesIn, 200 * 65536);
      assert.equal(list.find((x) => x.name === 'refused')!.stats!.failedDials, 5);
      for (const x of list) await rt.stop(x.name);
      assert.deepEqual(await rt.list(), []);
    } finally {
      e1.kill(); e2.kill();
      const rt = createForwarderRuntime({ dir });
      for (const x of await rt.list()) await rt.stop(x.name);
    }
  });
});

const UECHO = `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(+process.argv[2],process.argv[1],()=>console.log('up'))`;
const UCLIENT = `const d=require('dgram'),c=require('crypto');const [h,p,n]=process.argv.slice(1);let ok=0,done=0;
for(let i=0;i<+n;i++){const s=d.createSocket('udp4');const m=c.randomBytes(1000);s.on('message',b=>{if(b.equals(m))ok++;s.close();if(++done==+n)console.log(JSON.stringify({ok}))});s.send(m,+p,h)}
setTimeout(()=>{console.log(JSON.stringify({ok}));process.exit(0)},3000)`;

test('UDP forwarders: same namespace and across namespaces, per-client sessions', { skip: kernelSkipReason() }, async () => {
  await withSandbox('fwdu', async (sb) => {
    await sb.bash(UP);
    const spawnU = (ns: string, h: string, p: number) => { const x = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', UECHO, h, String(p)], { stdio: ['ignore', 'pipe', 'inherit'] }); return new Promise<typeof x>((res) => x.stdout.once('data', () => res(x))); };
    const e1 = await spawnU(sb.hostNs, '127.0.0.1', 8080); const e2 = await spawnU(sb.ns('ns2'), '10.0.1.1', 8000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwdu-'));
    const rt = createForwarderRuntime({ dir });
    try {
      await rt.start({ name: 'u0', protocol: 'udp', listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 9000 }, target: { namespace: sb.hostNs, address: '127.0.0.1', port: 8080 } });
      await rt.start({ name: 'u1', protocol: 'udp', listen: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 9001 }, target: { namespace: sb.ns('ns2'), address: '10.0.1.1', port: 8000 } });
      for (const port of [9000]) {
        const out = await sb.inHost([process.execPath, '-e', UCLIENT, '10.0.0.1', String(port), '50']);
        assert.deepEqual(JSON.parse(out.stdout.trim().split('\n')[0]!), { ok: 50 });
      }
      const out = await sb.inHost([process.execPath, '-e', UCLIENT, '10.0.1.1', '9001', '50']);
      assert.deepEqual(JSON.parse(out.stdout.trim().split('\n')[0]!), { ok: 50 });
      const s0 = (await rt.stats('u0'))!;
      assert.equal(s0.total, 50); assert.equal(s0.bytesOut, 50_000); assert.equal(s0.bytesIn, 50_000);
    } finally {
      for (const x of await rt.list()) await rt.stop(x.name);
      e1.kill(); e2.kill();
    }
  });
});
