/**
 * A small discovery of exactly what a document talks about (its namespaces,
 * their links, addresses, routes, sysctls, nat rules and resolv.conf), in as
 * few processes as possible: one `ip -j -batch` per existing namespace.
 *
 * Stand-in until helper/discover (the full host model) is wired into the engine
 * (./engine.ts): the planner here needs only these facts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_NS, type Topology } from '../../../shared/model/schema';
import { inNamespace, ipBase, programPath, runProc, type RunnerOptions } from '../runner';

export interface LiteLink {
  kind: string;
  up: boolean;
  mtu: number;
  master?: string;
}

export interface LiteNamespace {
  exists: boolean;
  links: Record<string, LiteLink>;
  /** `IFNAME CIDR` */
  addresses: string[];
  routes: LiteRoute[];
  sysctls: Record<string, string>;
  /** `iptables -t nat -S` rule lines (-A …) */
  nat: string[];
  resolv?: string;
}

export type LiteObserved = Record<string, LiteNamespace>;

export interface LiteRoute {
  family: 4 | 6;
  type: string;
  dst: string;
  via?: string;
  dev?: string;
  /** table id as text ('254' = main) */
  table: string;
  metric?: number;
}

export function tableId(t: number | string | undefined): string {
  return t === undefined || t === 'main' || t === 254 ? '254' : String(t);
}

function splitJsonArrays(text: string): unknown[][] {
  // `ip -j -batch` prints one JSON array per command, back to back
  const out: unknown[][] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === ']' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const READ_LINES = 'link show\naddress show\nroute show table all\n';

/** The three JSON answers (links, addresses, routes) of one namespace, or undefined when it cannot be read. */
type Basics = [J[], J[], J[]];

async function readBasics(ns: string, opts: RunnerOptions): Promise<Basics | undefined> {
  const r = await runProc([...ipBase(ns), '-j', '-d', '-batch', '-'], { ...opts, input: READ_LINES });
  if (r.code !== 0) return undefined;
  const [links = [], addrs = [], routes = []] = splitJsonArrays(r.stdout) as J[][];
  return [links, addrs, routes];
}

/**
 * Many namespaces: `xargs -P1` runs one `ip -n NS -j -batch FILE` after another,
 * so their answers come out in order (three arrays per namespace), from two
 * xargs side by side. Node spawns only two processes instead of one per namespace.
 */
async function readBasicsMany(names: string[], opts: RunnerOptions): Promise<Map<string, Basics>> {
  const out = new Map<string, Basics>();
  const dir = mkdtempSync(join(tmpdir(), 'netns-studio-read-'));
  try {
    const lines = join(dir, 'read');
    writeFileSync(lines, READ_LINES);
    const groups = 2;
    const size = Math.ceil(names.length / groups);
    const halves = Array.from({ length: groups }, (_, g) => names.slice(g * size, (g + 1) * size)).filter((h) => h.length);
    await Promise.all(halves.map(async (half, h) => {
      const args = join(dir, `args${h}`);
      writeFileSync(args, half.flatMap((ns) => ['-n', ns, '-j', '-d', '-batch', lines]).join('\0') + '\0');
      const r = await runProc([programPath('xargs'), '-0', '-P', '1', '-n', '6', '-a', args, programPath('ip')], opts);
      const failed = new Set([...r.stderr.matchAll(/Cannot open network namespace "([^"]+)"/g)].map((m) => m[1]));
      if (r.code !== 0 && r.code !== 123) return; // xargs gave up: read these one by one below
      const arrays = splitJsonArrays(r.stdout) as J[][];
      let k = 0;
      for (const ns of half) {
        if (failed.has(ns)) continue;
        if (k + 3 > arrays.length) break;
        out.set(ns, [arrays[k], arrays[k + 1], arrays[k + 2]]);
        k += 3;
      }
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function readNamespace(ns: string, want: { v6: boolean; sysctls: string[]; nat: boolean }, opts: RunnerOptions, pre?: Basics): Promise<LiteNamespace> {
  const empty: LiteNamespace = { exists: false, links: {}, addresses: [], routes: [], sysctls: {}, nat: [] };
  if (ns !== HOST_NS && !existsSync(`/run/netns/${ns}`)) return empty;
  const basics = pre ?? (await readBasics(ns, opts));
  if (!basics) return empty;
  const [links, addrs, routes4] = basics;
  let routes6: J[] = [];
  if (want.v6) {
    const r6 = await runProc([...ipBase(ns), '-j', '-6', 'route', 'show', 'table', 'all'], opts);
    if (r6.code === 0 && r6.stdout.trim()) routes6 = JSON.parse(r6.stdout);
  }
  const out: LiteNamespace = { ...empty, exists: true };
  for (const l of links) {
    out.links[l.ifname] = { kind: l.linkinfo?.info_kind ?? l.link_type, up: (l.flags ?? []).includes('UP'), mtu: l.mtu, ...(l.master ? { master: l.master } : {}) };
  }
  for (const a of addrs) {
    for (const ai of a.addr_info ?? []) {
      if (ai.scope === 'link' && ai.family === 'inet6') continue;
      out.addresses.push(`${a.ifname} ${ai.local}/${ai.prefixlen}`);
    }
  }
  for (const [family, list] of [[4, routes4], [6, routes6]] as const) {
    for (const rt of list) {
      if (rt.protocol === 'kernel' || rt.table === 'local' || ['local', 'broadcast', 'multicast', 'anycast'].includes(rt.type)) continue;
      if (family === 6 && String(rt.dst).startsWith('fe80::')) continue;
      out.routes.push({ family, type: rt.type ?? 'unicast', dst: rt.dst, via: rt.gateway, dev: rt.dev, table: tableId(rt.table), metric: rt.metric });
    }
  }
  if (want.sysctls.length) {
    const files = want.sysctls.map((k) => `/proc/sys/${k.replaceAll('.', '/')}`);
    const s = await runProc(inNamespace(ns, [programPath('cat'), ...files]), opts);
    if (s.code === 0) s.stdout.trim().split('\n').forEach((v, i) => (out.sysctls[want.sysctls[i]] = v.trim().replace(/\s+/g, ' ')));
  }
  if (want.nat) {
    const s = await runProc(inNamespace(ns, [programPath('iptables'), '-w', '-t', 'nat', '-S']), opts);
    if (s.code === 0) out.nat = s.stdout.split('\n').filter((l) => l.startsWith('-A '));
  }
  if (ns !== HOST_NS) {
    try {
      out.resolv = readFileSync(`/etc/netns/${ns}/resolv.conf`, 'utf8');
    } catch { /* none */ }
  }
  return out;
}

/** Read the namespaces a document names (plus host), side by side. */
export async function discoverFor(doc: Topology, opts: RunnerOptions = {}): Promise<LiteObserved> {
  const names = [...new Set([HOST_NS, ...doc.namespaces.map((n) => n.name), ...doc.bridges.map((b) => b.namespace), ...doc.veths.flatMap((v) => v.ends.map((e) => e.namespace))])];
  const out: LiteObserved = {};
  const existing = names.filter((n) => n !== HOST_NS && existsSync(`/run/netns/${n}`));
  const pre = existing.length >= 8 && programPath('xargs').startsWith('/') ? await readBasicsMany(existing, opts) : new Map<string, Basics>();
  const byName = new Map(doc.namespaces.map((n) => [n.name, n]));
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const ns = names[next++];
      const d = byName.get(ns);
      const v6 = !!d?.routes.some((r) => r.to.includes(':') || r.via?.includes(':'));
      out[ns] = await readNamespace(ns, { v6, sysctls: Object.keys(d?.sysctls ?? {}), nat: !!d?.nat.length }, opts, pre.get(ns));
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, names.length) }, worker));
  return Object.fromEntries(names.map((n) => [n, out[n]]));
}
