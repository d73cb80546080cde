/**
 * Where `why` and `reach` get the network from: a topology file (the design,
 * before apply) or the live host (the helper's discover with filter tables),
 * optionally narrowed to a name prefix. The helper stays open for `--verify`.
 */
import { Option, type Command } from 'commander';
import type { Net } from '../../shared/reach/net';
import type { HelperClient } from '../../helper/client';
import { formatReadError, readTopologyFile } from './read-topology';
import { prefixArg } from './discover';

export interface SourceOpts {
  live?: boolean;
  onlyPrefix?: string;
  stripPrefix?: boolean;
}

export interface Source {
  net: Net;
  /** the helper (live, or asked for by --verify) */
  helper?: HelperClient;
  /** scenario name → the kernel's namespace name (prefix put back) */
  realName(ns: string): string;
  close(): Promise<void>;
}

/**
 * The options `why` and `reach` share: where the network comes from (FILE is their
 * argument; --live this host, narrowed to a prefix) and the output format.
 */
export function sourceOptions(cmd: Command, formatHelp: string): Command {
  return cmd
    .option('--live', 'this host as it is now (needs root; reads routes, rules, NAT and filter tables)')
    .addOption(new Option('--only-prefix <prefix>', 'with --live: only named namespaces whose name starts with this').argParser(prefixArg))
    .option('--strip-prefix', 'with --only-prefix: use names without the prefix')
    .addOption(new Option('-f, --format <format>', formatHelp).choices(['text', 'json']).default('text'));
}

export async function openSource(command: string, file: string | undefined, opts: SourceOpts, needHelper: boolean): Promise<Source | undefined> {
  if (!!file === !!opts.live) {
    console.error(`netns-studio ${command}: give a topology FILE or --live (not both)`);
    return undefined;
  }
  if (opts.stripPrefix && !opts.onlyPrefix) throw new Error('--strip-prefix needs --only-prefix');
  if ((opts.live || needHelper) && process.getuid?.() !== 0) {
    console.error(`netns-studio ${command}: ${opts.live ? 'reading every network namespace' : 'pinging from namespaces'} needs root; run it with sudo`);
    return undefined;
  }
  const realName = (ns: string) => (opts.stripPrefix && opts.onlyPrefix && ns !== 'host' ? `${opts.onlyPrefix}${ns}` : ns);
  let net: Net;
  let helper: HelperClient | undefined;
  if (file) {
    const r = await readTopologyFile(file);
    for (const e of r.errors) if (!r.ok) console.error(formatReadError(e));
    if (!r.ok || !r.doc) {
      console.error(`netns-studio ${command}: ${file} is not a valid topology`);
      return undefined;
    }
    const { netOfDocument } = await import('../../shared/reach/from-document');
    net = netOfDocument(r.doc);
  }
  if (opts.live || needHelper) {
    const { startStdioHelper } = await import('../../helper/client');
    helper = await startStdioHelper({ confirm: 'client' });
  }
  if (opts.live) {
    const d = await helper!.request<'discover'>('discover', {
      filter: true,
      nat: true,
      ...(opts.onlyPrefix ? { onlyPrefix: opts.onlyPrefix } : {}),
      ...(opts.stripPrefix ? { stripPrefix: true } : {}),
    });
    const { netOfObserved } = await import('../../shared/reach/from-observed');
    const { stripHost } = await import('../../helper/discover/index');
    net = netOfObserved(opts.stripPrefix && opts.onlyPrefix ? stripHost(d.observed, opts.onlyPrefix) : d.observed);
  }
  return { net: net!, helper, realName, close: async () => void (await helper?.close()) };
}
