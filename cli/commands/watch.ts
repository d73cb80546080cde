import type { Command } from 'commander';
import { prefixArg, scopeParams, type ScopeOpts } from './discover';

interface WatchOpts extends ScopeOpts {
  full?: boolean;
}

/**
 * `netns-studio watch`: one JSON object per line per change, until stopped
 * (Ctrl-C, SIGTERM, or the reader of stdout going away). Runs the helper over
 * stdio, the path the app uses, so it needs root. Lines are compact by default
 * (which namespace, its observed facts); `--full` prints each event as the
 * protocol carries it, with the whole document.
 */
export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description("print one JSON line per change to this host's network namespaces until stopped (needs root)")
    .option('--unnamed', 'watch unnamed namespaces (containers, Mininet hosts, `unshare -n`, bind mounts) also with --only-prefix; the default without it')
    .option('--named-only', 'watch only the named namespaces (/run/netns) and host')
    .option('--only-prefix <prefix>', 'only named namespaces whose name starts with this', prefixArg)
    .option('--strip-prefix', 'report names with --only-prefix removed')
    .option('--no-nat', 'do not read iptables NAT tables')
    .option('--full', 'print every event whole: with the document after the change (and the observed host on a resync)')
    .addHelpText(
      'after',
      `
Each line: {"seq", "time", "type", …}. The first is a resync ({"namespaces": [...]} with the
named ones and {"unnamed": [{"name", "label"}]}, or the whole picture with --full); then
namespace-added / namespace-changed ({"namespace", "observed"}) and namespace-removed
({"namespace"}), for unnamed namespaces too: they are named inode:N (their namespace file's
inode, whichever process holds it), with their holders and a label (Docker/Podman container,
Kubernetes pod, Mininet host, nspawn machine, else command and PID). Namespaces that appear or
go without any link change (an \`unshare -n\` process, a bind mount) are seen by a scan of /proc
and the mount table every 250 ms while unnamed ones are watched. seq counts up by one; another
resync means the watch lost track (the kernel monitor restarted, or this reader fell behind)
and starts over.
Examples:
  sudo netns-studio watch
  sudo netns-studio watch --only-prefix lab- --strip-prefix | jq -c '[.seq, .type, .namespace]'
  sudo netns-studio watch --named-only
`,
    )
    .action(async (opts: WatchOpts) => {
      if (opts.stripPrefix && !opts.onlyPrefix) throw new Error('--strip-prefix needs --only-prefix');
      scopeParams(opts); // contradictory options fail before anything starts
      if (process.getuid?.() !== 0) {
        console.error('netns-studio watch: watching network namespaces needs root; run it with sudo');
        process.exitCode = 1;
        return;
      }
      process.exitCode = await runWatch(opts);
    });
}

async function runWatch(opts: WatchOpts): Promise<number> {
  const { startStdioHelper } = await import('../../helper/client');
  const { eventLine } = await import('./watch-line');
  const h = await startStdioHelper({ onStderr: (t) => process.stderr.write(t), confirm: 'client' });
  let stopping = false;
  const done = new Promise<number>((resolve) => {
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      void h.close().finally(() => resolve(code));
    };
    process.once('SIGINT', () => stop(0));
    process.once('SIGTERM', () => stop(0));
    process.stdout.on('error', () => stop(0)); // the reader went away (`| head`)
    h.onExit((info) => {
      if (stopping) return;
      console.error(`netns-studio watch: ${info.reason}`);
      stopping = true;
      resolve(1);
    });
  });
  try {
    await h.subscribe('watch.subscribe', scopeParams(opts), (e) => {
      if (!stopping) process.stdout.write(eventLine(e, !!opts.full) + '\n');
    });
  } catch (e) {
    console.error(`netns-studio watch: ${(e as Error).message}`);
    await h.close();
    return 1;
  }
  return done;
}
