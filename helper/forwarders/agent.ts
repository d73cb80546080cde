/**
 * Forwarder agent: runs inside one network namespace (started there with nsenter).
 * Role `listen`: accepts TCP, dials the target directly (same namespace) or through
 * the dial agent's Unix socket (Unix sockets on the filesystem cross namespaces).
 * Role `dial`: accepts Unix connections, reads one header line naming host:port, dials.
 * Both answer `stats` on a control Unix socket as JSON.
 */
import net from 'node:net';
import fs from 'node:fs';
import { udpListen, udpDial } from './udp';

interface AgentArgs { protocol?: 'tcp' | 'udp'; role: 'listen' | 'dial'; name: string; dir: string; listenAddr?: string; listenPort?: number; targetHost: string; targetPort: number; via?: string }
const args = JSON.parse(process.argv[2] ?? '{}') as AgentArgs;
const stats = { state: 'starting', reason: '', active: 0, total: 0, bytesIn: 0, bytesOut: 0, failedDials: 0 };

function pipeBoth(client: net.Socket, upstream: net.Socket): void {
  client.on('data', (b) => { stats.bytesOut += b.length; });
  upstream.on('data', (b) => { stats.bytesIn += b.length; });
  client.pipe(upstream); upstream.pipe(client);
  // Half-open kept (allowHalfOpen): a client's FIN is passed on and the reply still flows back.
  let closed = 0;
  const done = () => { client.destroy(); upstream.destroy(); };
  client.on('error', done); upstream.on('error', done);
  const onClose = () => { if (++closed === 2) return; setTimeout(done, 0); };
  client.on('close', onClose); upstream.on('close', onClose);
}

function dialTarget(onFail: () => void): net.Socket {
  let connected = false;
  const s = args.via ? net.connect({ path: args.via, allowHalfOpen: true }) : net.connect({ port: args.targetPort, host: args.targetHost, allowHalfOpen: true });
  s.setNoDelay(true);
  // Header queued before any piped client bytes (writes before connect are buffered in order).
  if (args.via) s.write(`${args.targetHost} ${args.targetPort}\n`);
  s.once('connect', () => { connected = true; });
  s.once('error', () => { if (!connected) { stats.failedDials++; onFail(); } });
  return s;
}

function track(c: net.Socket): void { stats.active++; stats.total++; c.once('close', () => { stats.active--; }); }

let server: net.Server | undefined;
if (args.role === 'listen' && args.protocol === 'udp') {
  udpListen({ addr: args.listenAddr!, port: args.listenPort!, host: args.targetHost, tport: args.targetPort, via: args.via }, stats, (s, r) => { stats.state = s; stats.reason = r ?? ''; });
} else if (args.role === 'listen') {
  server = net.createServer({ allowHalfOpen: true }, (client) => {
    track(client); client.setNoDelay(true);
    const up = dialTarget(() => client.destroy());
    pipeBoth(client, up);
  });
  server.listen({ host: args.listenAddr, port: args.listenPort });
} else {
  const sock = `${args.dir}/${args.name}.dial.sock`;
  fs.rmSync(sock, { force: true });
  server = net.createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    let head = Buffer.alloc(0);
    const onData = (b: Buffer) => {
      head = Buffer.concat([head, b]); const nl = head.indexOf(10);
      if (nl < 0) return;
      client.off('data', onData); client.pause();
      const parts = head.subarray(0, nl).toString().split(' ');
      const rest = head.subarray(nl + 1);
      if (parts[0] === 'udp') { udpDial(client, parts[1]!, Number(parts[2]), rest, stats); return; }
      const [h, p] = parts;
      const up = net.connect({ port: Number(p), host: h, allowHalfOpen: true }); up.setNoDelay(true);
      let ok = false;
      up.once('connect', () => { ok = true; if (rest.length) up.write(rest); pipeBoth(client, up); client.resume(); });
      up.once('error', () => { if (!ok) { stats.failedDials++; client.destroy(); } });
    };
    client.on('data', onData);
  });
  server.listen(sock);
}
server?.on('listening', () => { stats.state = 'listening'; });
server?.on('error', (e) => { stats.state = 'error'; stats.reason = e.message; });

const ctl = `${args.dir}/${args.name}.${args.role}.ctl`;
fs.rmSync(ctl, { force: true });
net.createServer((c) => { c.end(JSON.stringify(stats) + '\n'); }).listen(ctl);
process.on('SIGTERM', () => { fs.rmSync(ctl, { force: true }); process.exit(0); });
