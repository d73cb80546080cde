/**
 * ForwarderRuntime: starts detached agents (./agent.ts) per namespace and finds them
 * again via state files in `dir`. Agents outlive the helper (they are host state,
 * like a veth); a fresh runtime over the same dir lists, measures and stops them.
 *
 * One state file per forwarder, `NAME.json` = {spec, pids}; agents answer their
 * figures on `NAME.{listen,bind,dial}.ctl`. TCP across namespaces is one `bind`
 * agent (whose child serves from the target namespace), everything else a
 * `listen` agent, plus a `dial` agent for UDP across namespaces (./agent.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { HOST_NS } from '../../shared/model/constants';
import type { Forwarder } from '../../shared/model/schema';
import { AGENT_BUNDLE } from '../bundle-files';
import { programPath, resolvedArgv } from '../programs';
import { agentProgram } from '../code-location';
import { agentUser } from './agent-user';
import { envSetting } from '../env-overrides';
import { enterNamed, foreignOwned } from '../discover/ns-owner';

export type { Forwarder };
/** `refused`: clients turned away at the connection / UDP session cap (agent.ts MAX_CONNECTIONS, udp.ts MAX_UDP_SESSIONS) */
export interface AgentStats {
  state: string;
  reason: string;
  active: number;
  total: number;
  bytesIn: number;
  bytesOut: number;
  failedDials: number;
  refused?: number;
}
export interface ForwarderStatus {
  name: string;
  spec: Forwarder;
  pids: number[];
  stats?: AgentStats;
  alive: boolean;
}
export interface ForwarderRuntime {
  /** start (replacing a forwarder of that name); resolves once listening, else rejects having left nothing behind */
  start(fw: Forwarder): Promise<void>;
  /** stop and wait until its agents are gone; a forwarder not running is fine */
  stop(name: string): Promise<void>;
  list(): Promise<ForwarderStatus[]>;
  stats(name: string): Promise<AgentStats | undefined>;
}

export interface RuntimeOptions {
  /** where state files and control sockets live (default $NETNS_STUDIO_FORWARDERS_DIR or /run/netns-studio/forwarders) */
  dir?: string;
  /** argv prefix for agents in `host` (tests: nsenter into the sandbox). Never from a request. */
  wrap?: string[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const AGENT_FILES = new Set(['agent.ts', AGENT_BUNDLE]);
export const DEFAULT_FORWARDERS_DIR = '/run/netns-studio/forwarders';

function nsArgv(ns: string, argv: string[], wrap: string[]): string[] {
  if (ns === HOST_NS) return resolvedArgv([...wrap, ...argv]);
  if (!NAME_RE.test(ns)) throw new Error(`invalid namespace ${ns}`);
  // never as full root into a namespace an unprivileged user owns (refused before, in start: foreignRefusal)
  return [...enterNamed(ns), ...argv];
}

/**
 * Why this forwarder is not started (undefined: it may be): a namespace an
 * unprivileged user owns (`unshare -Urn` bound under /run/netns). An agent there
 * would run with that owner's rights only (../discover/ns-owner.ts): it cannot
 * write its control socket into our root-owned state dir, nor hand a socket on
 * to another namespace, nor drop to the agent user; and as full root it would
 * serve inside a namespace that user controls. So neither.
 */
async function foreignRefusal(fw: Forwarder): Promise<string | undefined> {
  const named = [...new Set([fw.listen.namespace, fw.target.namespace].filter((n) => n !== HOST_NS))];
  const foreign = await foreignOwned(named.map((n) => `/run/netns/${n}`));
  const owned = named.filter((n) => foreign.has(`/run/netns/${n}`));
  return owned.length ? `namespace ${owned.join(', ')} is owned by an unprivileged user namespace; forwarders are not started there` : undefined;
}

/**
 * argv prefix another process (an agent in some namespace) uses to enter `ns`.
 * `host` is our own namespace: named by our pid, valid while start() waits.
 */
function enterArgv(ns: string, wrap: string[]): string[] {
  if (ns === HOST_NS) return wrap.length ? resolvedArgv(wrap) : [programPath('nsenter'), `--net=/proc/${process.pid}/ns/net`];
  return nsArgv(ns, [], wrap);
}

/** nsenter execs (no fork), so the pid we get is the agent itself. */
function startAgent(ns: string, a: Record<string, unknown>, wrap: string[]): number {
  // the agent's bundle (beside a bundle, or the checkout's: ../code-location.ts), or ./agent.ts through tsx
  const agent = agentProgram();
  const bundled = !agent.endsWith('.ts');
  const argv = nsArgv(ns, [process.execPath, ...(bundled ? [] : ['--import', 'tsx']), agent, JSON.stringify(a)], wrap);
  // tsx resolves from the project; a bundle needs no directory (an agent outlives app upgrades)
  const cwd = bundled ? '/' : path.resolve(path.dirname(agent), '../..');
  // the packaged helper runs on the app's Electron binary: its agents must too run it as Node
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', cwd, env });
  child.on('error', () => {
    /* reported as "did not start" by the caller's wait */
  });
  child.unref();
  return child.pid ?? -1;
}

function query(sock: string): Promise<AgentStats | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const c = net.connect(sock);
    c.setTimeout(2000, () => {
      c.destroy();
      resolve(undefined);
    });
    c.on('data', (b) => {
      buf += b.toString();
    });
    c.on('end', () => {
      try {
        resolve(JSON.parse(buf));
      } catch {
        resolve(undefined);
      }
    });
    c.on('error', () => resolve(undefined));
  });
}

/** How long an agent may take to come up: two node starts in a row on a busy machine. */
const START_TIMEOUT_MS = 20_000;

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = START_TIMEOUT_MS): Promise<T | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 30));
  }
  return undefined;
}

/**
 * Is `pid` still the agent of forwarder `name`? Checked through its command line,
 * so a recycled pid (the agent died, another process got its number) is never signalled.
 */
function isAgent(pid: number, name: string): boolean {
  if (!(pid > 0)) return false;
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    // either form of the agent (source or bundle, any install path): a checkout and the
    // packaged app, or an app moved or reinstalled, find each other's agents
    return argv.some((a) => AGENT_FILES.has(path.basename(a))) && argv.some((a) => a.includes(`"name":${JSON.stringify(name)}`));
  } catch {
    return false;
  }
}

async function killAgents(name: string, pids: number[]): Promise<void> {
  const ours = pids.filter((p) => isAgent(p, name));
  for (const pid of ours) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  // wait for exit: a restart on the same port must find it free
  const gone = await waitFor(async () => (ours.every((p) => !isAgent(p, name)) ? true : undefined), 3000);
  if (!gone)
    for (const pid of ours) {
      try {
        if (isAgent(pid, name)) process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
}

/** Root's agents drop to the agent user once bound (./agent-user.ts); anyone else's stay who they are. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const u = agentUser();
  return { uid: u.uid, gid: u.gid };
}

/**
 * The state dir: listable by root only, but passable (0711), so an agent that
 * dropped to the agent user still reaches the dial socket of a UDP forwarder
 * across namespaces, which is its own (0600). State files are 0600; control
 * sockets stay root's (connecting needs write permission on the socket).
 */
function prepareDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  if (process.getuid?.() !== 0) return;
  fs.chmodSync(dir, 0o711);
  // the default's parent (/run/netns-studio) may be an older version's 0700
  if (dir === DEFAULT_FORWARDERS_DIR) fs.chmodSync(path.dirname(dir), 0o711);
}

export function createForwarderRuntime(opts: RuntimeOptions = {}): ForwarderRuntime {
  const dir = opts.dir ?? envSetting('NETNS_STUDIO_FORWARDERS_DIR') ?? DEFAULT_FORWARDERS_DIR;
  const wrap = opts.wrap ?? [];
  const stateFile = (n: string) => path.join(dir, `${n}.json`);
  const read = (n: string): { spec: Forwarder; pids: number[] } | undefined => {
    try {
      return JSON.parse(fs.readFileSync(stateFile(n), 'utf8'));
    } catch {
      return undefined;
    }
  };
  const removeFiles = (name: string) => {
    for (const f of [`${name}.json`, `${name}.dial.sock`, `${name}.dial.ctl`, `${name}.listen.ctl`, `${name}.bind.ctl`])
      fs.rmSync(path.join(dir, f), { force: true });
  };

  const rt: ForwarderRuntime = {
    async start(fw) {
      if (!NAME_RE.test(fw.name)) throw new Error(`invalid forwarder name ${fw.name}`);
      if (net.isIP(fw.listen.address) === 0) throw new Error(`listen address must be an IP: ${fw.listen.address}`);
      const foreign = await foreignRefusal(fw);
      if (foreign) throw new Error(`forwarder ${fw.name}: ${foreign}`);
      prepareDir(dir);
      await rt.stop(fw.name);
      const pids: number[] = [];
      const same = fw.listen.namespace === fw.target.namespace;
      const base = { protocol: fw.protocol, name: fw.name, dir, targetHost: fw.target.address, targetPort: fw.target.port, runAs: runAs() };
      // the state file names each agent as soon as it is spawned: a helper dying now still finds them
      const save = () => fs.writeFileSync(stateFile(fw.name), JSON.stringify({ spec: fw, pids }), { mode: 0o600 });
      try {
        if (!same && fw.protocol === 'tcp') {
          // one agent: binds in the listen namespace, hands the socket to its child in the target one
          pids.push(
            startAgent(
              fw.listen.namespace,
              { ...base, role: 'bind', listenAddr: fw.listen.address, listenPort: fw.listen.port, enter: enterArgv(fw.target.namespace, wrap) },
              wrap,
            ),
          );
          save();
          const s = await waitFor(() => rt.stats(fw.name).then((x) => (x && x.state !== 'starting' ? x : undefined)));
          if (!s || s.state !== 'listening') throw new Error(s?.reason || `could not start in namespace ${fw.listen.namespace}`);
          return;
        }
        if (!same) {
          pids.push(startAgent(fw.target.namespace, { ...base, role: 'dial' }, wrap));
          save();
          const ok = await waitFor(() => query(path.join(dir, `${fw.name}.dial.ctl`)).then((s) => (s?.state === 'listening' ? s : undefined)));
          if (!ok) throw new Error(`could not start in namespace ${fw.target.namespace}`);
        }
        pids.push(
          startAgent(
            fw.listen.namespace,
            {
              ...base,
              role: 'listen',
              listenAddr: fw.listen.address,
              listenPort: fw.listen.port,
              via: same ? undefined : path.join(dir, `${fw.name}.dial.sock`),
            },
            wrap,
          ),
        );
        save();
        const s = await waitFor(() => rt.stats(fw.name).then((x) => (x && x.state !== 'starting' ? x : undefined)));
        if (!s || s.state !== 'listening') throw new Error(s?.reason || `could not start in namespace ${fw.listen.namespace}`);
      } catch (e) {
        await killAgents(fw.name, pids);
        removeFiles(fw.name);
        throw new Error(`forwarder ${fw.name}: ${(e as Error).message}`);
      }
    },
    async stop(name) {
      const st = read(name);
      if (st) await killAgents(name, st.pids);
      removeFiles(name);
    },
    async list() {
      let files: string[];
      try {
        files = fs.readdirSync(dir).filter((x) => x.endsWith('.json'));
      } catch {
        return [];
      }
      const out: ForwarderStatus[] = [];
      for (const f of files.sort()) {
        const name = f.slice(0, -5);
        const st = read(name);
        if (!st) continue;
        out.push({ name, spec: st.spec, pids: st.pids, alive: st.pids.every((p) => isAgent(p, name)), stats: await rt.stats(name) });
      }
      return out;
    },
    async stats(name) {
      const l = await query(path.join(dir, `${name}.listen.ctl`));
      // a bind agent whose serving child is not up (yet, or failed) tells why
      if (!l) return query(path.join(dir, `${name}.bind.ctl`));
      const d = await query(path.join(dir, `${name}.dial.ctl`));
      return d ? { ...l, failedDials: l.failedDials + d.failedDials } : l;
    },
  };
  return rt;
}

/** Forwarders that serve now: both agents alive and listening (what discover reports). */
export function running(list: ForwarderStatus[]): ForwarderStatus[] {
  return list.filter((f) => f.alive && f.stats?.state === 'listening');
}

const shared = new Map<string, ForwarderRuntime>();
/**
 * The helper's runtime over the default dir, one per `wrap` (the helper-wide
 * setting from its command line): apply, destroy, discover and the live figures
 * all see the same forwarders.
 */
export function helperForwarders(wrap?: string[]): ForwarderRuntime {
  const key = JSON.stringify(wrap ?? []);
  let rt = shared.get(key);
  if (!rt) shared.set(key, (rt = createForwarderRuntime({ wrap })));
  return rt;
}
