/** ForwarderRuntime: starts detached agents per namespace and finds them again via state files. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { Forwarder as ForwarderSchema } from '../../shared/model/schema';

export type Forwarder = z.output<typeof ForwarderSchema>;
export interface AgentStats { state: string; reason: string; active: number; total: number; bytesIn: number; bytesOut: number; failedDials: number }
export interface ForwarderStatus { name: string; spec: Forwarder; pids: number[]; stats?: AgentStats; alive: boolean }
export interface ForwarderRuntime {
  start(fw: Forwarder): Promise<void>;
  stop(name: string): Promise<void>;
  list(): Promise<ForwarderStatus[]>;
  stats(name: string): Promise<AgentStats | undefined>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const AGENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'agent.ts');

function nsArgv(ns: string, argv: string[]): string[] {
  if (ns === 'host') return argv;
  if (!NAME_RE.test(ns)) throw new Error(`invalid namespace ${ns}`);
  return ['nsenter', `--net=/run/netns/${ns}`, ...argv];
}

function startAgent(ns: string, a: Record<string, unknown>): number {
  const argv = nsArgv(ns, [process.execPath, '--import', 'tsx', AGENT, JSON.stringify(a)]);
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', cwd: path.resolve(path.dirname(AGENT), '../..') });
  child.unref();
  return child.pid!;
}

function query(sock: string): Promise<AgentStats | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const c = net.connect(sock);
    c.on('data', (b) => { buf += b.toString(); });
    c.on('end', () => { try { resolve(JSON.parse(buf)); } catch { resolve(undefined); } });
    c.on('error', () => resolve(undefined));
  });
}

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) { const v = await fn(); if (v !== undefined) return v; await new Promise((r) => setTimeout(r, 30)); }
  return undefined;
}

function alive(pid: number): boolean { try { process.kill(pid, 0); return true; } catch { return false; } }

export function createForwarderRuntime(opts: { dir?: string } = {}): ForwarderRuntime {
  const dir = opts.dir ?? '/run/netns-studio/forwarders';
  fs.mkdirSync(dir, { recursive: true });
  const stateFile = (n: string) => path.join(dir, `${n}.json`);
  const read = (n: string) => JSON.parse(fs.readFileSync(stateFile(n), 'utf8')) as { spec: Forwarder; pids: number[] };

  const rt: ForwarderRuntime = {
    async start(fw) {
      if (!NAME_RE.test(fw.name)) throw new Error(`invalid forwarder name ${fw.name}`);
      if (net.isIP(fw.listen.address) === 0) throw new Error(`listen address must be an IP: ${fw.listen.address}`);
      if (fs.existsSync(stateFile(fw.name))) await rt.stop(fw.name);
      const pids: number[] = [];
      const same = fw.listen.namespace === fw.target.namespace;
      const base = { protocol: fw.protocol, name: fw.name, dir, targetHost: fw.target.address, targetPort: fw.target.port };
      if (!same) {
        pids.push(startAgent(fw.target.namespace, { ...base, role: 'dial' }));
        const ok = await waitFor(() => query(path.join(dir, `${fw.name}.dial.ctl`)).then((s) => (s?.state === 'listening' ? s : undefined)));
        if (!ok) throw new Error('dial agent did not start');
      }
      pids.push(startAgent(fw.listen.namespace, { ...base, role: 'listen', listenAddr: fw.listen.address, listenPort: fw.listen.port, via: same ? undefined : path.join(dir, `${fw.name}.dial.sock`) }));
      fs.writeFileSync(stateFile(fw.name), JSON.stringify({ spec: fw, pids }));
      const s = await waitFor(() => rt.stats(fw.name).then((x) => (x && x.state !== 'starting' ? x : undefined)));
      if (!s || s.state !== 'listening') throw new Error(`forwarder ${fw.name} failed: ${s?.reason ?? 'timeout'}`);
    },
    async stop(name) {
      if (!fs.existsSync(stateFile(name))) return;
      for (const pid of read(name).pids) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
      for (const f of [`${name}.json`, `${name}.dial.sock`, `${name}.dial.ctl`, `${name}.listen.ctl`]) fs.rmSync(path.join(dir, f), { force: true });
    },
    async list() {
      const out: ForwarderStatus[] = [];
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
        const name = f.slice(0, -5); const st = read(name);
        out.push({ name, spec: st.spec, pids: st.pids, alive: st.pids.every(alive), stats: await rt.stats(name) });
      }
      return out;
    },
    async stats(name) {
      const l = await query(path.join(dir, `${name}.listen.ctl`));
      if (!l) return undefined;
      const d = await query(path.join(dir, `${name}.dial.ctl`));
      return d ? { ...l, failedDials: l.failedDials + d.failedDials } : l;
    },
  };
  return rt;
}
