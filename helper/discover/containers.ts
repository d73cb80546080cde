/**
 * Container names, ids and networks from the runtimes, read-only:
 *
 * - Docker: each running `dockerd` owned by root is asked over its API socket
 *   (its `-H unix://…`, else /var/run/docker.sock): one plain HTTP GET of
 *   /containers/json (node:http over the Unix socket; no docker CLI). Without an
 *   answer, each container id found in a process's cgroup is looked up in the
 *   daemon's state directory (`--data-root`, default /var/lib/docker:
 *   containers/ID/config.v2.json and hostconfig.json).
 * - Podman: its Docker-compatible socket (/run/podman/podman.sock), else
 *   /var/lib/containers/storage/overlay-containers/containers.json (names only).
 *
 * NETNS_STUDIO_DOCKER_API=0 (helper environment, tests) skips the sockets.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { ContainerNetwork, ObservedContainer } from '../../shared/model/observed';
import { procArgv, procText, procUid } from './holders';
import { envSetting } from '../env-overrides';
import type { Json } from './json';

export interface ContainerInfo extends ObservedContainer {
  /** `container:ID` / `none` / `bridge` … as the runtime says */
  networkMode?: string;
  labels: Record<string, string>;
}

export interface DockerDaemon {
  sockets: string[];
  dataRoot: string;
}

const API_TIMEOUT_MS = 1500;
const API_MAX_BYTES = 32 << 20;

/** The flags of a dockerd command line that say where it listens and keeps state (pure). */
export function dockerdPlaces(argv: string[]): DockerDaemon {
  const sockets: string[] = [];
  let dataRoot = '/var/lib/docker';
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('-') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '-H' || flag === '--host') {
      const v = value();
      if (v.startsWith('unix://')) sockets.push(v.slice('unix://'.length));
    } else if (flag === '--data-root' || flag === '-g' || flag === '--graph') dataRoot = value();
  }
  if (!sockets.length) sockets.push('/var/run/docker.sock');
  return { sockets, dataRoot };
}

/** Every dockerd owned by root, by its command line. */
export function dockerDaemons(): DockerDaemon[] {
  const out: DockerDaemon[] = [];
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    /* no /proc */
  }
  for (const p of pids) {
    const pid = Number(p);
    if (procText(pid, 'comm') !== 'dockerd' || procUid(pid) !== 0) continue;
    out.push(dockerdPlaces(procArgv(pid)));
  }
  if (!out.length && existsSync('/var/run/docker.sock')) out.push({ sockets: ['/var/run/docker.sock'], dataRoot: '/var/lib/docker' });
  return out;
}

/** GET `path` over a Unix socket; the parsed JSON, or undefined on any failure. */
export function getJson(socketPath: string, path: string): Promise<Json | undefined> {
  try {
    if (!statSync(socketPath).isSocket()) return Promise.resolve(undefined);
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'GET', headers: { Host: 'docker' }, timeout: API_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > API_MAX_BYTES) req.destroy();
        else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined);
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

const strip = (n: unknown) => String(n ?? '').replace(/^\//, '');

function networksOf(nets: Json): ContainerNetwork[] {
  const out: ContainerNetwork[] = [];
  for (const [name, n] of Object.entries((nets ?? {}) as Record<string, Json>)) {
    if (name === 'none' || name === 'host' || name === 'container') continue;
    const net: ContainerNetwork = { name };
    if (n?.IPAddress) net.address = `${n.IPAddress}/${n.IPPrefixLen ?? 32}`;
    if (n?.MacAddress) net.mac = n.MacAddress;
    out.push(net);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** One entry of GET /containers/json (pure). */
export function fromApiEntry(e: Json, runtime: 'docker' | 'podman'): ContainerInfo | undefined {
  if (typeof e?.Id !== 'string') return undefined;
  const mode = e.HostConfig?.NetworkMode as string | undefined;
  const ports = (e.Ports ?? [])
    .filter((p: Json) => p.PublicPort)
    .map((p: Json) => `${p.IP && p.IP !== '0.0.0.0' && p.IP !== '::' ? `${p.IP}:` : ''}${p.PublicPort}:${p.PrivatePort}/${p.Type ?? 'tcp'}`);
  const c: ContainerInfo = { runtime, id: e.Id, name: strip(e.Names?.[0]), networks: networksOf(e.NetworkSettings?.Networks), labels: e.Labels ?? {} };
  if (mode) c.networkMode = mode;
  const uniq = [...new Set<string>(ports)].sort();
  if (uniq.length) c.ports = uniq;
  return c;
}

/** config.v2.json (+ hostconfig.json) of one container in Docker's state directory (pure). */
export function fromStateFiles(config: Json, hostConfig: Json | undefined): ContainerInfo | undefined {
  if (typeof config?.ID !== 'string') return undefined;
  const ports: string[] = [];
  for (const [priv, binds] of Object.entries((config.NetworkSettings?.Ports ?? {}) as Record<string, Json>)) {
    for (const b of binds ?? [])
      if (b?.HostPort) ports.push(`${b.HostIp && b.HostIp !== '0.0.0.0' && b.HostIp !== '::' ? `${b.HostIp}:` : ''}${b.HostPort}:${priv}`);
  }
  const c: ContainerInfo = {
    runtime: 'docker',
    id: config.ID,
    name: strip(config.Name),
    networks: networksOf(config.NetworkSettings?.Networks),
    labels: config.Config?.Labels ?? {},
  };
  const mode = hostConfig?.NetworkMode as string | undefined;
  if (mode) c.networkMode = mode;
  const uniq = [...new Set(ports)].sort();
  if (uniq.length) c.ports = uniq;
  return c;
}

function readJson(path: string): Json | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Containers by id, for the ids the cgroups named. The sockets are asked once
 * each; ids they did not answer for are looked up in the state directories.
 */
export async function lookUpContainers(ids: { docker: Set<string>; podman: Set<string> }): Promise<Map<string, ContainerInfo>> {
  const out = new Map<string, ContainerInfo>();
  if (!ids.docker.size && !ids.podman.size) return out;
  const useApi = envSetting('NETNS_STUDIO_DOCKER_API') !== '0';
  if (ids.docker.size) {
    const daemons = dockerDaemons();
    if (useApi) {
      for (const d of daemons) {
        for (const s of d.sockets) {
          const list = await getJson(s, '/containers/json');
          if (!Array.isArray(list)) continue;
          for (const e of list) {
            const c = fromApiEntry(e, 'docker');
            if (c && ids.docker.has(c.id)) out.set(c.id, c);
          }
          break; // one socket of a daemon answers for all of it
        }
      }
    }
    for (const id of ids.docker) {
      if (out.has(id)) continue;
      for (const d of daemons) {
        const dir = join(d.dataRoot, 'containers', id);
        const c = fromStateFiles(readJson(join(dir, 'config.v2.json')), readJson(join(dir, 'hostconfig.json')));
        if (c) {
          out.set(id, c);
          break;
        }
      }
    }
  }
  if (ids.podman.size) {
    const list = useApi ? await getJson('/run/podman/podman.sock', '/containers/json') : undefined;
    if (Array.isArray(list)) {
      for (const e of list) {
        const c = fromApiEntry(e, 'podman');
        if (c && ids.podman.has(c.id)) out.set(c.id, c);
      }
    }
    const stored = readJson('/var/lib/containers/storage/overlay-containers/containers.json');
    for (const e of Array.isArray(stored) ? stored : []) {
      if (typeof e?.id !== 'string' || !ids.podman.has(e.id) || out.has(e.id)) continue;
      out.set(e.id, { runtime: 'podman', id: e.id, name: String(e.names?.[0] ?? e.id.slice(0, 12)), networks: [], labels: {} });
    }
  }
  return out;
}
