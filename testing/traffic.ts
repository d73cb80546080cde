/**
 * Traffic for forwarder tests, all inside sandbox namespaces: echo servers
 * (TCP, UDP) started in a namespace with nsenter, and clients that send random
 * bytes and check the echo end to end (sha256 per connection).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Sandbox } from './sandbox';

/** Sandbox setup (`sb.bash`): namespace ns1 joined to the sandbox host by a veth (host 10.0.0.11, ns1 10.0.0.1), lo up in both. */
export const NS1_UP = `set -e
ip netns add \${P}ns1
ip link add dev veth0 type veth peer name veth1 netns \${P}ns1
ip addr add 10.0.0.11/24 dev veth0
ip link set dev veth0 up
ip link set dev lo up
ip -n \${P}ns1 addr add 10.0.0.1/24 dev veth1
ip -n \${P}ns1 link set dev lo up
ip -n \${P}ns1 link set dev veth1 up
`;

const TCP_ECHO = `require('net').createServer({allowHalfOpen:true},s=>s.pipe(s)).listen(+process.argv[2],process.argv[1],()=>console.log('up'))`;
const UDP_ECHO = `const s=require('dgram').createSocket(process.argv[1].includes(':')?'udp6':'udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(+process.argv[2],process.argv[1],()=>console.log('up'))`;

/** An echo server in namespace `ns` (a full /run/netns name); resolves once it listens. */
export function echoIn(ns: string, proto: 'tcp' | 'udp', host: string, port: number): Promise<ChildProcess> {
  const p = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', proto === 'tcp' ? TCP_ECHO : UDP_ECHO, host, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    p.stdout!.once('data', () => res(p));
    p.once('exit', (code) => rej(new Error(`echo server exited ${code}`)));
  });
}

// n connections at once, each sends sz random bytes, half-closes, and checks the sha256 of what comes back
const TCP_CLIENT = `const net=require('net'),c=require('crypto');const [h,p,n,sz]=process.argv.slice(1);let ok=0,bad=0,fail=0,done=0,bytes=0;
for(let i=0;i<+n;i++){const d=c.randomBytes(+sz);const want=c.createHash('sha256').update(d).digest('hex');const got=[];let len=0;
const s=net.connect(+p,h,()=>s.end(d));s.on('data',b=>{got.push(b);len+=b.length});s.on('error',()=>{});
s.on('close',()=>{const g=c.createHash('sha256').update(Buffer.concat(got)).digest('hex');bytes+=len;if(len===0)fail++;else if(g===want)ok++;else bad++;if(++done==+n)console.log(JSON.stringify({ok,bad,fail,bytes}))})}`;

// n clients (one socket each, so n sessions), each sends one datagram and waits for the same bytes back
const UDP_CLIENT = `const d=require('dgram'),c=require('crypto');const [h,p,n]=process.argv.slice(1);let ok=0,done=0;
for(let i=0;i<+n;i++){const s=d.createSocket('udp4');const m=c.randomBytes(1000);s.on('message',b=>{if(b.equals(m))ok++;s.close();if(++done==+n){console.log(JSON.stringify({ok}));process.exit(0)}});s.send(m,+p,h)}
setTimeout(()=>{console.log(JSON.stringify({ok}));process.exit(0)},5000)`;

export interface TcpOutcome {
  ok: number;
  bad: number;
  fail: number;
  bytes: number;
}

/** Run the TCP client in a sandbox namespace (`host` = the sandbox host). */
export async function tcpClient(sb: Sandbox, from: string, host: string, port: number, conns: number, size: number): Promise<TcpOutcome> {
  const argv = [process.execPath, '-e', TCP_CLIENT, host, String(port), String(conns), String(size)];
  const r = from === 'host' ? await sb.inHost(argv) : await sb.inNs(from, argv);
  return JSON.parse(r.stdout.trim().split('\n')[0] || '{}');
}

export async function udpClient(sb: Sandbox, from: string, host: string, port: number, clients: number): Promise<{ ok: number }> {
  const argv = [process.execPath, '-e', UDP_CLIENT, host, String(port), String(clients)];
  const r = from === 'host' ? await sb.inHost(argv) : await sb.inNs(from, argv);
  return JSON.parse(r.stdout.trim().split('\n')[0] || '{}');
}

/** Is anything accepting TCP at host:port, seen from the sandbox host? */
export async function tcpOpen(sb: Sandbox, host: string, port: number): Promise<boolean> {
  const r = await sb.inHost([
    process.execPath,
    '-e',
    `const s=require('net').connect(+process.argv[2],process.argv[1],()=>{console.log('open');s.destroy()});s.on('error',()=>console.log('closed'))`,
    host,
    String(port),
  ]);
  return r.stdout.trim() === 'open';
}
