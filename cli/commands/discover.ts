import { Option, InvalidArgumentError, type Command } from 'commander';
import type { DiscoverParams } from '../../shared/protocol/messages';

const FORMATS = ['yaml', 'json'] as const;

/** The options that choose what is read, shared with `watch`. */
export interface ScopeOpts {
  unnamed?: boolean;
  namedOnly?: boolean;
  onlyPrefix?: string;
  stripPrefix?: boolean;
  nat: boolean;
}

interface DiscoverOpts extends ScopeOpts {
  format: (typeof FORMATS)[number];
  observed?: boolean;
}

export function prefixArg(v: string): string {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(v) || v === '.' || v === '..')
    throw new InvalidArgumentError('a namespace name prefix (letters, digits, "_", "." and "-")');
  return v;
}

/**
 * The `discover` / `watch.subscribe` request parameters of these options. Every
 * namespace by default (unnamed ones too: containers, Mininet hosts, `unshare -n`);
 * `--named-only` keeps the named ones, and so does `--only-prefix` (a prefix
 * selects names) unless `--unnamed` asks for them too.
 */
export function scopeParams(opts: ScopeOpts) {
  if (opts.namedOnly && opts.unnamed) throw new Error('--named-only and --unnamed contradict each other');
  const unnamed = opts.unnamed || (!opts.namedOnly && !opts.onlyPrefix);
  return {
    ...(unnamed ? { unnamed: true } : {}),
    ...(opts.onlyPrefix ? { onlyPrefix: opts.onlyPrefix } : {}),
    ...(opts.stripPrefix ? { stripPrefix: true } : {}),
    nat: opts.nat,
  };
}

/**
 * `netns-studio discover`: prints this host's namespaces, veths, bridges,
 * addresses, routes, sysctls, NAT rules and resolv.conf as a topology file that
 * `validate`, `export`, `plan` and the app accept. It runs the helper's discover
 * method in this process (as plan and apply run the helper's pipeline): the same
 * code and parameter checks as the app's path without a second Node process, its
 * hello and the copy of the result over a pipe. It needs root.
 */
export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description("print this host's network namespaces as a topology file (needs root)")
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('yaml'))
    .option(
      '--unnamed',
      'read unnamed namespaces (containers, Mininet hosts, `unshare -n`, bind mounts such as /run/docker/netns/*) also with --only-prefix; the default without it. They appear under --observed, named inode:N with holders and a label; a topology names namespaces',
    )
    .option('--named-only', 'read only the named namespaces (/run/netns) and host')
    .addOption(new Option('--only-prefix <prefix>', 'only named namespaces whose name starts with this').argParser(prefixArg))
    .option('--strip-prefix', 'report names with --only-prefix removed')
    .option('--no-nat', 'do not read iptables NAT tables (one process less per namespace)')
    .option('--observed', 'with --format json: print {document, observed, owned}, the runtime facts too (ifindex, MAC, state, counters, unnamed namespaces)')
    .addHelpText(
      'after',
      "\nThe root namespace is `host`; the host's own uplinks, default route, sysctls and firewall are left out.\nExamples:\n  sudo netns-studio discover > host.yaml && netns-studio validate host.yaml\n  sudo netns-studio discover --format json --observed --unnamed | jq .observed.namespaces[].name\n",
    )
    .action(async (opts: DiscoverOpts) => {
      if (opts.stripPrefix && !opts.onlyPrefix) throw new Error('--strip-prefix needs --only-prefix');
      if (opts.observed && opts.format !== 'json') throw new Error('--observed needs --format json');
      const params = scopeParams(opts);
      if (process.getuid?.() !== 0) {
        console.error('netns-studio discover: reading every network namespace needs root; run it with sudo');
        process.exitCode = 1;
        return;
      }
      // What helper/methods/discover.ts does (its root check is above). Its zod check of
      // the params guards requests from other processes; these are built above from
      // options commander has checked (prefixArg), so the type says enough and discover
      // does not load zod (a 390 KB chunk to compile on every run). The record of what
      // we own is read only where it is printed (--observed).
      const { discover } = await import('../../helper/discover/index');
      const r = await discover(params satisfies DiscoverParams);
      for (const w of r.observed.warnings) console.error(`netns-studio discover: warning: ${w}`);
      if (opts.format === 'json') {
        const owned = opts.observed ? (await import('../../helper/discover/owned')).ownedKeys() : undefined;
        process.stdout.write(JSON.stringify(owned ? { ...r, owned } : r.document, null, 2) + '\n');
      } else {
        const { exportYaml } = await import('../../shared/export/yaml');
        const when = new Date(r.observed.readAt).toISOString();
        process.stdout.write(`# discovered by netns-studio at ${when} in ${r.observed.durationMs} ms\n${exportYaml(r.document)}`);
      }
    });
}
