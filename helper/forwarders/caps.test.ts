/**
 * Forwarder agents cap their UDP sessions (issue 15): a flood of datagrams from
 * 2 000 different sources (what spoofed source addresses look like to the agent:
 * every new address:port is a session with a socket of its own) opens at most
 * MAX_UDP_SESSIONS sessions, the rest are refused and counted, the agent's
 * descriptors stay bounded, and a client whose session was open before the flood
 * is still served. All inside sandbox namespaces: the flood goes from ns1 to the
 * sandbox host, where the forwarder listens and relays back to an echo in ns1.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { sandboxWrap } from '../../testing/apply-support';
import { MAX_UDP_SESSIONS } from './udp';
import { NS1_UP, echoIn } from '../../testing/traffic';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwd-caps-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const { createForwarderRuntime } = await import('./runtime');

const skip = kernelSkipReason();
if (skip) console.log(`# skipping forwarder cap tests: ${skip}`);

const SOURCES = 10;
const PER_SOURCE = 200;
// one session before the flood, 2 000 new sources during it, then the first client again
const FLOOD = `const d=require('dgram');const [h,p,nsrc,per]=process.argv.slice(1);
const once=(s,m)=>new Promise(r=>{const t=setTimeout(()=>r(false),3000);s.once('message',b=>{clearTimeout(t);r(b.toString()===m)});s.send(m,+p,h)});
(async()=>{const legit=d.createSocket('udp4');await new Promise(r=>legit.bind(0,'10.0.0.1',r));const before=await once(legit,'before');
const one=(a)=>new Promise(r=>{const s=d.createSocket('udp4');s.on('error',()=>{s.close();r()});s.bind(0,'10.0.0.'+(101+a),()=>s.send('x',+p,h,()=>{s.close();r()}))});
for(let i=0;i<+per;i++){const batch=[];for(let a=0;a<+nsrc;a++)batch.push(one(a));await Promise.all(batch);await new Promise(r=>setTimeout(r,2))}
await new Promise(r=>setTimeout(r,500));const afterFlood=await once(legit,'after');console.log(JSON.stringify({before,afterFlood}));process.exit(0)})()`;

test('a UDP flood from 2 000 sources opens at most MAX_UDP_SESSIONS sessions; an earlier client is still served', { skip, timeout: 120_000 }, async () => {
  await withSandbox('fwcap', async (sb) => {
    const addrs = Array.from({ length: SOURCES }, (_, a) => `ip -n \${P}ns1 addr add 10.0.0.${101 + a}/24 dev veth1`).join('\n');
    assert.equal((await sb.bash(`${NS1_UP}${addrs}\n`)).code, 0);
    const echo = await echoIn(sb.ns('ns1'), 'udp', '10.0.0.1', 7000);
    const rt = createForwarderRuntime({ dir, wrap: sandboxWrap(sb) });
    const name = `${sb.prefix}flood`;
    try {
      await rt.start({
        name,
        protocol: 'udp',
        listen: { namespace: 'host', address: '10.0.0.11', port: 6000 },
        target: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 7000 },
      });
      const r = await sb.inNs('ns1', [process.execPath, '-e', FLOOD, '10.0.0.11', '6000', String(SOURCES), String(PER_SOURCE)]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { before: true, afterFlood: true }, 'the client of before the flood is served throughout');

      const stats = await rt.stats(name);
      assert.ok(stats, 'the agent answers');
      assert.equal(stats.active, MAX_UDP_SESSIONS, JSON.stringify(stats));
      assert.equal(stats.total, MAX_UDP_SESSIONS);
      // the kernel may drop some of the flood on a full receive buffer; most reach the agent and are refused
      assert.ok((stats.refused ?? 0) > (SOURCES * PER_SOURCE) / 2, JSON.stringify(stats));
      assert.ok(stats.refused! + stats.total <= SOURCES * PER_SOURCE + 2);
      const [status] = (await rt.list()).filter((f) => f.name === name);
      for (const pid of status.pids) {
        const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
        // per session: a Unix stream in each agent, and the dial agent's socket to the target
        assert.ok(fds < 2 * MAX_UDP_SESSIONS + 64, `agent ${pid} holds ${fds} descriptors`);
      }
    } finally {
      await rt.stop(name);
      echo.kill();
    }
  });
});
