/**
 * UDP forwarding for the agent: a per-client session (idle timeout) on the listen side.
 * Same namespace: a connected dgram socket per client. Across namespaces: one Unix stream
 * per client to the dial agent, datagrams framed with a 2-byte length prefix.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface UdpStats {
  active: number;
  total: number;
  bytesIn: number;
  bytesOut: number;
  failedDials: number;
  refused: number;
}
const IDLE_MS = 30_000;
/**
 * Sessions at once. Each is a socket (or a Unix stream) of its own, keyed by the
 * client's address and port, which UDP lets anyone forge: a flood of spoofed
 * sources would otherwise open sockets until the agent ran out of descriptors.
 * Past the cap, datagrams from new sources are dropped (counted in `refused`);
 * sessions already open go on, and idle ones make room after IDLE_MS.
 */
export const MAX_UDP_SESSIONS = 256;

export function frame(b: Buffer): Buffer {
  const h = Buffer.alloc(2);
  h.writeUInt16BE(b.length);
  return Buffer.concat([h, b]);
}
export function deframer(on: (b: Buffer) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const n = buf.readUInt16BE(0);
      on(buf.subarray(2, 2 + n));
      buf = buf.subarray(2 + n);
    }
  };
}

export function udpListen(
  o: { addr: string; port: number; host: string; tport: number; via?: string },
  st: UdpStats,
  onState: (s: string, r?: string) => void,
): void {
  const sock = dgram.createSocket(net.isIPv6(o.addr) ? 'udp6' : 'udp4');
  const sessions = new Map<string, { send: (b: Buffer) => void; close: () => void; timer: NodeJS.Timeout }>();
  sock.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let s = sessions.get(key);
    if (!s) {
      if (sessions.size >= MAX_UDP_SESSIONS) {
        st.refused++;
        return;
      }
      st.active++;
      st.total++;
      const reply = (b: Buffer) => {
        st.bytesIn += b.length;
        sock.send(b, rinfo.port, rinfo.address);
      };
      let send: (b: Buffer) => void;
      let close: () => void;
      if (o.via) {
        const c = net.connect(o.via);
        c.write(`udp ${o.host} ${o.tport}\n`);
        c.on('data', deframer(reply));
        c.on('error', () => {
          st.failedDials++;
        });
        send = (b) => c.write(frame(b));
        close = () => c.destroy();
      } else {
        const u = dgram.createSocket(net.isIPv6(o.host) ? 'udp6' : 'udp4');
        u.on('message', reply);
        u.on('error', () => {
          st.failedDials++;
        });
        u.connect(o.tport, o.host);
        const q: Buffer[] = [];
        let ready = false;
        u.once('connect', () => {
          ready = true;
          q.forEach((b) => u.send(b));
        });
        send = (b) => (ready ? u.send(b) : q.push(b));
        close = () => u.close();
      }
      const cur = { send, close, timer: setTimeout(() => {}, 0) };
      s = cur;
      sessions.set(key, cur);
    }
    const cur = s;
    clearTimeout(cur.timer);
    cur.timer = setTimeout(() => {
      cur.close();
      sessions.delete(key);
      st.active--;
    }, IDLE_MS);
    st.bytesOut += msg.length;
    cur.send(msg);
  });
  sock.on('listening', () => onState('listening'));
  sock.on('error', (e) => onState('error', e.message));
  sock.bind(o.port, o.addr);
}

/** Dial side of a UDP session arriving over a Unix stream (header already consumed). */
export function udpDial(client: net.Socket, host: string, port: number, rest: Buffer, st: UdpStats): void {
  const u = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  u.on('error', () => {
    st.failedDials++;
    client.destroy();
  });
  u.on('message', (b) => {
    st.bytesIn += b.length;
    client.write(frame(b));
  });
  const feed = deframer((b) => {
    st.bytesOut += b.length;
    u.send(b, port, host);
  });
  if (rest.length) feed(rest);
  client.on('data', feed);
  client.resume();
  client.on('close', () => {
    try {
      u.close();
    } catch {
      /* closed */
    }
  });
}
