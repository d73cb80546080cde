/**
 * Forwarder agent: runs inside one network namespace (started there with nsenter).
 *
 * TCP across namespaces, roles `bind` + `serve`: `bind` runs in the listen namespace,
 * binds the listening socket there and hands it (child_process IPC, SCM_RIGHTS) to
 * a `serve` child it starts in the target namespace. A socket keeps the namespace it
 * was made in, so `serve` accepts clients of the listen namespace and dials out of
 * its own: one process, one copy per byte, no relay between namespaces.
 *
 * Role `listen`: TCP within one namespace (accept and dial), and UDP. UDP across
 * namespaces goes through the `dial` agent in the target namespace: one Unix
 * stream per client session (Unix sockets on the filesystem cross namespaces).
 *
 * Measured (bench/forwarder.ts): the hand-over design carries 2-3x socat's relay of
 * the same shape; the Unix-socket relay it replaced for TCP was on par with socat.
 *
 * Each answers its figures as JSON on a control Unix socket `NAME.ROLE.ctl`
 * (`serve` answers as `listen`).
 */
import net from 'node:net';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { udpListen, udpDial } from './udp';

interface AgentArgs {
  protocol?: 'tcp' | 'udp';
  role: 'listen' | 'dial' | 'bind' | 'serve';
  name: string;
  dir: string;
  listenAddr?: string;
  listenPort?: number;
  targetHost: string;
  targetPort: number;
  via?: string;
  /** bind: argv prefix that enters the target namespace (made by the runtime, never from a request) */
  enter?: string[];
  /** the unprivileged user to become once bound (./agent-user.ts); absent when not started by root */
  runAs?: { uid: number; gid: number };
}
const args = JSON.parse(process.argv[2] ?? '{}') as AgentArgs;
const stats = { state: 'starting', reason: '', active: 0, total: 0, bytesIn: 0, bytesOut: 0, failedDials: 0, refused: 0 };

/**
 * Connections at once per agent (each holds two sockets): past it, new clients are
 * closed at once and counted in `refused`, so a connection flood cannot exhaust
 * the agent's descriptors and stop the connections already carried.
 */
export const MAX_CONNECTIONS = 1024;

/**
 * Become `runAs` once every socket this agent makes is bound. Changing every uid
 * away from 0 clears the permitted and effective capabilities (the kernel does so
 * unless SECBIT_KEEP_CAPS, which nothing here sets), so what is left serves with
 * no privilege: an exploited agent is `nobody`, not root in a namespace.
 * Supplementary groups go first (root's would stay otherwise), then gid, then uid.
 */
function dropPrivileges(): void {
  const to = args.runAs;
  if (!to || process.getuid?.() !== 0) return;
  process.setgroups!([to.gid]);
  process.setgid!(to.gid);
  process.setuid!(to.uid);
}

/** Drops once all `n` sockets are bound (each calls the returned function once). */
function dropAfter(n: number): () => void {
  let left = n;
  return () => {
    if (--left === 0) dropPrivileges();
  };
}

/** Files in the root-owned state dir: once dropped, removing them is the runtime's job. */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    /* not ours to remove any more */
  }
}

function pipeBoth(client: net.Socket, upstream: net.Socket): void {
  client.on('data', (b) => {
    stats.bytesOut += b.length;
  });
  upstream.on('data', (b) => {
    stats.bytesIn += b.length;
  });
  client.pipe(upstream);
  upstream.pipe(client);
  // Half-open kept (allowHalfOpen): a client's FIN is passed on and the reply still flows back.
  let closed = 0;
  const done = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', done);
  upstream.on('error', done);
  const onClose = () => {
    if (++closed === 2) return;
    setTimeout(done, 0);
  };
  client.on('close', onClose);
  upstream.on('close', onClose);
}

/** Listen backlog (capped by the namespace's net.core.somaxconn): bursts of connections must queue, not fail. */
const BACKLOG = 4096;
/** an unreachable target would hold the client for the kernel's SYN timeout (minutes) */
const DIAL_TIMEOUT_MS = 10_000;

/** Dial the target for a (paused) client; a refused or unreachable target closes the client and is counted. */
function dialTarget(client: net.Socket): void {
  let connected = false;
  const up = net.connect({ port: args.targetPort, host: args.targetHost, allowHalfOpen: true });
  const timer = setTimeout(() => up.destroy(Object.assign(new Error('dial timeout'), { code: 'ETIMEDOUT' })), DIAL_TIMEOUT_MS);
  up.once('connect', () => {
    connected = true;
    clearTimeout(timer);
    if (client.destroyed) {
      up.destroy();
      return;
    } // the client gave up while we dialled
    up.setNoDelay(true);
    pipeBoth(client, up);
    client.resume();
  });
  up.once('error', () => {
    clearTimeout(timer);
    if (connected) return;
    stats.failedDials++;
    client.destroy();
  });
}

function track(c: net.Socket): void {
  stats.active++;
  stats.total++;
  c.once('close', () => {
    stats.active--;
  });
}

function acceptAndDial(): net.Server {
  return net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    if (stats.active >= MAX_CONNECTIONS) {
      stats.refused++;
      client.destroy();
      return;
    }
    track(client);
    client.setNoDelay(true);
    client.on('error', () => {
      /* reset by the client before the target answered */
    });
    dialTarget(client);
  });
}

// the sockets each role binds before it drops: the control socket, plus its listener (serve gets it bound)
const bound = dropAfter(args.role === 'serve' ? 1 : 2);
let server: net.Server | undefined;
let ctlRole: string = args.role;
if (args.role === 'bind') {
  bindAndHandOver();
} else if (args.role === 'serve') {
  // the listening socket arrives from the bind agent; when that agent goes, so do we
  ctlRole = 'listen';
  server = acceptAndDial();
  process.on('message', (m, handle) => {
    if (m === 'server' && handle) server!.listen(handle as net.Server, () => process.send?.('ready'));
  });
  process.on('disconnect', () => process.exit(0));
} else if (args.role === 'listen' && args.protocol === 'udp') {
  let first = true;
  udpListen({ addr: args.listenAddr!, port: args.listenPort!, host: args.targetHost, tport: args.targetPort, via: args.via }, stats, (s, r) => {
    stats.state = s;
    stats.reason = r ?? '';
    if (first) {
      first = false;
      bound();
    }
  });
} else if (args.role === 'listen') {
  server = acceptAndDial();
  server.listen({ host: args.listenAddr, port: args.listenPort, backlog: BACKLOG });
  server.once('listening', bound);
} else {
  // dial: UDP sessions of a listen agent in another namespace, one Unix stream each
  const sock = `${args.dir}/${args.name}.dial.sock`;
  fs.rmSync(sock, { force: true });
  server = net.createServer({ allowHalfOpen: true }, (client) => {
    if (stats.active >= MAX_CONNECTIONS) {
      stats.refused++;
      client.destroy();
      return;
    }
    track(client);
    let head = Buffer.alloc(0);
    const onData = (b: Buffer) => {
      head = Buffer.concat([head, b]);
      const nl = head.indexOf(10);
      if (nl < 0) return;
      client.off('data', onData);
      client.pause();
      // header line: `udp HOST PORT`, then length-framed datagrams (./udp.ts)
      // the target is this forwarder's own: whoever reaches the socket cannot aim it elsewhere
      if (!head.subarray(0, nl).toString().startsWith('udp ')) {
        client.destroy();
        return;
      }
      udpDial(client, args.targetHost, args.targetPort, head.subarray(nl + 1), stats);
    };
    client.on('data', onData);
  });
  server.listen({ path: sock, backlog: BACKLOG }, () => {
    // only the listen agent's user (and root) may open sessions through it: it sends to the target from here
    if (args.runAs && process.getuid?.() === 0) {
      fs.chownSync(sock, args.runAs.uid, args.runAs.gid);
      fs.chmodSync(sock, 0o600);
    }
    bound();
  });
}
server?.on('listening', () => {
  stats.state = 'listening';
});
server?.on('error', (e) => {
  stats.state = 'error';
  stats.reason = e.message;
  if (args.role === 'listen' || args.role === 'dial') bound();
});

const ctl = `${args.dir}/${args.name}.${ctlRole}.ctl`;
fs.rmSync(ctl, { force: true });
net
  .createServer((c) => {
    c.end(JSON.stringify(stats) + '\n');
  })
  .listen(ctl, bound);
let onTerm: () => void = () => {
  removeQuietly(ctl);
  process.exit(0);
};
process.on('SIGTERM', () => onTerm());

/**
 * bind: listen here, start `serve` in the target namespace, hand it the socket, close
 * ours once it listens. Lives as long as the child (it is the pid the runtime knows);
 * SIGTERM stops the child first, so the port is free when we are gone.
 */
function bindAndHandOver(): void {
  const fail = (reason: string) => {
    stats.state = 'error';
    stats.reason = reason;
  };
  const own = net.createServer();
  own.on('error', (e) => {
    fail(e.message);
    bound();
  });
  own.listen({ host: args.listenAddr, port: args.listenPort, backlog: BACKLOG }, () => {
    const enter = args.enter ?? [];
    const argv = [...enter, process.execPath, ...process.execArgv, process.argv[1]!, JSON.stringify({ ...args, role: 'serve', enter: undefined })];
    // started (nsenter forked and exec'd) before we drop: entering the target namespace needs root
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    bound();
    child.on('error', (e) => fail(`could not start in the target namespace: ${e.message}`));
    child.on('exit', () => {
      if (stats.state === 'listening') {
        removeQuietly(ctl);
        process.exit(1);
      } else fail('could not start in the target namespace');
    });
    child.on('message', (m) => {
      if (m === 'ready') {
        own.close();
        stats.state = 'listening';
      }
    });
    child.send('server', own);
    onTerm = () => {
      removeQuietly(ctl);
      child.removeAllListeners('exit');
      child.once('exit', () => process.exit(0));
      child.kill('SIGTERM');
      setTimeout(() => {
        child.kill('SIGKILL');
        process.exit(0);
      }, 2000).unref();
    };
  });
}
