/** Forwarder bench: iperf3 throughput and connection rate through our forwarder vs socat, same namespaces, same run. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { withSandbox } from '../testing/sandbox';
import { createForwarderRuntime } from '../helper/forwarders/runtime';

const UP = `set -e
ip netns add \${P}ns1
ip link add dev veth0 type veth peer name veth1 netns \${P}ns1
ip addr add 10.0.0.11/24 dev veth0
ip link set dev veth0 up
ip link set dev lo up
ip -n \${P}ns1 addr add 10.0.0.1/24 dev veth1
ip -n \${P}ns1 link set dev lo up
ip -n \${P}ns1 link set dev veth1 up
`;
const RATE = `const net=require('net');const [h,p,n]=process.argv.slice(1);const t0=Date.now();let d=0,f=0;
function one(){const s=net.connect(+p,h,()=>s.end('x'));s.on('data',()=>{});s.on('error',()=>f++);s.on('close',()=>{if(++d<+n)one();else console.log(JSON.stringify({perSec:Math.round(n/((Date.now()-t0)/1000)),f}))})}one()`;
const HOLD = `const net=require('net');const [h,p,n]=process.argv.slice(1);let c=0;const ss=[];for(let i=0;i<+n;i++){const s=net.connect(+p,h,()=>{s.write('ping');});ss.push(s);s.on('data',()=>{if(++c==+n){console.log(JSON.stringify({held:c}));ss.forEach(x=>x.destroy())}});s.on('error',e=>{console.log(JSON.stringify({err:e.message}));process.exit(1)})}`;

await withSandbox('fbench', async (sb) => {
  await sb.bash(UP);
  const ns1 = sb.ns('ns1');
  const bg = (ns: string, argv: string[]) => spawn('nsenter', [`--net=/run/netns/${ns}`, ...argv], { stdio: 'ignore' });
  const procs = [
    bg(sb.hostNs, ['iperf3', '-s', '-B', '10.0.0.11', '-p', '5201']),
    bg(sb.hostNs, [process.execPath, '-e', `require('net').createServer({allowHalfOpen:true},s=>s.pipe(s)).listen(5300,'10.0.0.11')`]),
    bg(ns1, ['socat', 'TCP-LISTEN:7000,bind=10.0.0.1,fork,reuseaddr', 'TCP:10.0.0.11:5201']),
    bg(ns1, ['socat', 'TCP-LISTEN:7100,bind=10.0.0.1,fork,reuseaddr,backlog=2048', 'TCP:10.0.0.11:5300']),
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fbench-'));
  const rt = createForwarderRuntime({ dir });
  try {
    await rt.start({ name: 'iperf', protocol: 'tcp', listen: { namespace: ns1, address: '10.0.0.1', port: 7001 }, target: { namespace: sb.hostNs, address: '10.0.0.11', port: 5201 } });
    await rt.start({ name: 'iperf-same', protocol: 'tcp', listen: { namespace: ns1, address: '10.0.0.1', port: 7002 }, target: { namespace: ns1, address: '10.0.0.11', port: 5201 } });
    await rt.start({ name: 'echo', protocol: 'tcp', listen: { namespace: ns1, address: '10.0.0.1', port: 7101 }, target: { namespace: sb.hostNs, address: '10.0.0.11', port: 5300 } });
    await new Promise((r) => setTimeout(r, 500));
    const iperf = async (port: number) => {
      const r = await sb.inHost(['iperf3', '-c', '10.0.0.1', '-p', String(port), '-t', '5', '-J']);
      return JSON.parse(r.stdout).end.sum_received.bits_per_second / 1e9;
    };
    const rows: [string, number, number, number][] = [];
    const direct = await iperf(5201).catch(() => NaN);
    const s = await sb.inHost(['iperf3', '-c', '10.0.0.11', '-p', '5201', '-t', '5', '-J']);
    const dgb = JSON.parse(s.stdout).end.sum_received.bits_per_second / 1e9; void direct;
    const socat = await iperf(7000); const ours = await iperf(7001); const same = await iperf(7002);
    rows.push(['throughput Gbit/s (ours cross-ns via unix)', ours, socat, ours / socat]);
    rows.push(['throughput Gbit/s (ours same-ns proxy)', same, socat, same / socat]);
    const rate = async (port: number) => JSON.parse((await sb.inHost([process.execPath, '-e', RATE, '10.0.0.1', String(port), '2000'])).stdout).perSec as number;
    const rs = await rate(7100); const ro = await rate(7101);
    rows.push(['connections/s (sequential)', ro, rs, ro / rs]);
    const hold = async (port: number) => (await sb.inHost([process.execPath, '-e', HOLD, '10.0.0.1', String(port), '1000'])).stdout.trim();
    console.log(`direct (no forwarder) ${dgb.toFixed(2)} Gbit/s`);
    console.log('metric'.padEnd(45), 'ours'.padStart(10), 'socat'.padStart(10), 'ratio'.padStart(7));
    for (const [m, o, so, ra] of rows) console.log(m.padEnd(45), o.toFixed(2).padStart(10), so.toFixed(2).padStart(10), ra.toFixed(2).padStart(7));
    console.log('1000 concurrent held: ours', await hold(7101), 'socat', await hold(7100));
    console.log('stats echo:', JSON.stringify(await rt.stats('echo')));
  } finally {
    for (const x of await rt.list()) await rt.stop(x.name);
    for (const p of procs) p.kill();
  }
});
