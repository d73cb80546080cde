/**
 * The `ip -j -batch` reader: the fallback of the netlink reader (./netlink.ts) and
 * what the watcher uses for single namespaces. Reads many namespaces with few processes. Spawning from Node costs far more than
 * the programs themselves, so a handful of `xargs` streams do the fan-out: each
 * runs `nsenter --net=PATH ip -j -d -s -batch FILE` for its share of the
 * namespaces, one after another (so outputs arrive in order), and the streams run
 * in parallel. Another pair of streams runs `iptables-save -t nat` the same way.
 * IPv6 policy rules need their own `ip -6 rule show` (a batch line cannot say `-6`,
 * and `rule show` alone lists IPv4 only): a second set of streams, run alongside.
 * No shell anywhere: xargs substitutes the path into an argument array.
 *
 * Outputs are split back per namespace by counting: every read prints exactly
 * IP_COMMANDS.length JSON arrays (one iptables-save block). A namespace that
 * vanished mid-read makes nsenter fail (named on stderr); anything else
 * unexpected falls back to reading that stream's namespaces one by one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapLimit, runProgram } from '../proc';
import { splitJsonValues } from './json-stream';
import { programPath } from '../programs';
import { foreignOwned, inNetns } from './ns-owner';
import type { Json } from './json';

/** What one ip batch reads. `addr show` carries every link's details too (-d), and stats (-s). */
export const IP_COMMANDS = ['addr show', 'route show table all', 'rule show', 'netconf show'] as const;

export interface RawNamespace {
  addr: Json[];
  route: Json[];
  rule: Json[];
  netconf: Json[];
}

let batchFile: string | undefined;
/** The batch file every read uses: written once per helper, in a private 0700 directory. */
function ipBatchFile(): string {
  if (batchFile) return batchFile;
  const dir = mkdtempSync(join(tmpdir(), 'netns-studio-read-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  batchFile = join(dir, 'read.batch');
  writeFileSync(batchFile, IP_COMMANDS.join('\n') + '\n', { mode: 0o600 });
  return batchFile;
}

/**
 * What each read runs inside a namespace. `foreign`: the same, for a namespace an
 * unprivileged user owns (run as that owner: ./ns-owner.ts), where root's private
 * batch file cannot be opened, so the batch comes on stdin.
 */
interface Tool {
  argv: () => string[];
  foreign?: { argv: string[]; input: string };
}
const IP_TOOL: Tool = {
  argv: () => [programPath('ip'), '-j', '-d', '-s', '-batch', ipBatchFile()],
  foreign: { argv: [programPath('ip'), '-j', '-d', '-s', '-batch', '-'], input: IP_COMMANDS.join('\n') + '\n' },
};
const RULE6_TOOL: Tool = { argv: () => [programPath('ip'), '-6', '-j', 'rule', 'show'] };
const NAT_TOOL: Tool = { argv: () => [programPath('iptables-save'), '-t', 'nat'] };
/** `iptables-save -t TABLE` (or ip6tables-save) in a namespace: with -t it prints the table even where nothing created it. */
const saveTool = (program: 'iptables-save' | 'ip6tables-save', table: 'filter' | 'mangle'): Tool => ({ argv: () => [programPath(program), '-t', table] });

export interface ReadOptions {
  /** parallel streams (default 2 on this kind of machine) */
  streams?: number;
}

/** `ip -6 rule` rows as read, before they are parsed. */
type RawRules = Json[];

/** Read the ip facts of each path. Missing entries: namespaces that vanished (or could not be read). */
export async function readIp(paths: string[], opts: ReadOptions = {}): Promise<Map<string, RawNamespace>> {
  const out = new Map<string, RawNamespace>();
  const rules6 = new Map<string, RawRules>();
  await Promise.all([
    fanOut(
      paths,
      opts.streams ?? 2,
      IP_TOOL,
      (stdout) => splitJsonValues(stdout),
      IP_COMMANDS.length,
      (path, values) => {
        const [addr, route, rule, netconf] = values as Json[][];
        out.set(path, { addr, route, rule, netconf });
      },
    ),
    fanOut(
      paths,
      opts.streams ?? 2,
      RULE6_TOOL,
      (stdout) => splitJsonValues(stdout),
      1,
      (path, [rules]) => rules6.set(path, rules as RawRules),
    ),
  ]);
  // tagged, since `from all lookup main` looks the same in both families (../discover/parse.ts)
  for (const [path, raw] of out) {
    const v6 = rules6.get(path);
    if (!v6)
      out.delete(path); // vanished between the two reads: as if gone
    else raw.rule = [...raw.rule, ...v6.map((r) => ({ ...r, family: 'inet6' }))];
  }
  return out;
}

/** Read `iptables-save -t nat` of each path: the text of its block. */
export async function readNat(paths: string[], opts: ReadOptions = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await fanOut(paths, opts.streams ?? 2, NAT_TOOL, splitSaveBlocks, 1, (path, [block]) => out.set(path, block as string));
  return out;
}

/**
 * Read `iptables-save -t TABLE` (or `ip6tables-save`) of each path, for reachability: the
 * text of its block, '' where there is no such table.
 */
export async function readSave(
  paths: string[],
  program: 'iptables-save' | 'ip6tables-save',
  table: 'filter' | 'mangle',
  opts: ReadOptions = {},
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await fanOut(paths, opts.streams ?? 2, saveTool(program, table), splitSaveBlocks, 1, (path, [block]) => out.set(path, block as string));
  return out;
}

/** iptables-save prints `# Generated by …` … `COMMIT` `# Completed on …` per run. */
export function splitSaveBlocks(text: string): string[] {
  const blocks: string[] = [];
  let cur: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# Generated by')) cur = [];
    else if (line.startsWith('# Completed on')) {
      if (cur) blocks.push(cur.join('\n'));
      cur = undefined;
    } else cur?.push(line);
  }
  return blocks;
}

async function fanOut(
  allPaths: string[],
  streams: number,
  tool: Tool,
  split: (stdout: string) => unknown[],
  per: number,
  accept: (path: string, values: unknown[]) => void,
): Promise<void> {
  if (!allPaths.length) return;
  // namespaces an unprivileged user owns: one by one, as that owner (rare; never in a batch as root)
  const foreign = await foreignOwned(allPaths);
  const paths = allPaths.filter((p) => !foreign.has(p));
  const asOwner = tool.foreign ?? { argv: tool.argv(), input: '' };
  await mapLimit([...foreign], 2, async (p) => {
    const one = await runProgram(inNetns(p, asOwner.argv, true), { input: asOwner.input });
    const v = one.code === 0 ? split(one.stdout) : [];
    if (v.length === per) accept(p, v);
    else if (one.code === 0 && per === 1 && !one.stdout.trim()) accept(p, ['']);
  });
  if (!paths.length) return;
  const argvOf = (path: string) => inNetns(path, tool.argv(), false);
  const n = Math.max(1, Math.min(streams, Math.ceil(paths.length / 4)));
  const size = Math.ceil(paths.length / n);
  const chunks = Array.from({ length: n }, (_, i) => paths.slice(i * size, (i + 1) * size)).filter((c) => c.length);
  await Promise.all(
    chunks.map(async (chunk) => {
      const template = argvOf('{}');
      const r =
        chunk.length === 1 ? await runProgram(argvOf(chunk[0])) : await runProgram(['xargs', '-0', '-I{}', ...template], { input: chunk.join('\0') + '\0' });
      const values = split(r.stdout);
      const failed = new Set([...r.stderr.matchAll(/^nsenter: cannot open (\/\S+?): /gm)].map((m) => m[1]));
      const unexplained = r.stderr.split('\n').filter((l) => l.trim() && !/^nsenter: cannot open /.test(l));
      const ok = chunk.filter((p) => !failed.has(p));
      if (!unexplained.length && values.length === ok.length * per) {
        ok.forEach((p, i) => accept(p, values.slice(i * per, (i + 1) * per)));
        return;
      }
      // something unexpected: read this stream's namespaces one by one, keeping what works
      await mapLimit(chunk, 2, async (p) => {
        const one = await runProgram(argvOf(p));
        const v = one.code === 0 ? split(one.stdout) : [];
        if (v.length === per) accept(p, v);
        // iptables-save prints nothing when the namespace never had a nat table
        else if (one.code === 0 && per === 1 && !one.stdout.trim()) accept(p, ['']);
      });
    }),
  );
}
