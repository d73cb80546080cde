import type { Command } from 'commander';
import { hostOptions, type HostCommandOptions } from './plan';

/** `netns-studio apply FILE [--yes]`: show the plan, ask, apply. Exit 0 only when the host then matches FILE. */
export function registerApply(program: Command): void {
  hostOptions(program.command('apply').argument('<file>', 'topology file (YAML); - reads standard input'))
    .description('show the plan, ask, then apply it transactionally (needs root; exit 0 only when the host matches FILE)')
    .option('-y, --yes', 'apply without asking (needed when stdin is not a terminal)')
    .option('--allow <key...>', 'object keys of unmanaged objects the plan may change (e.g. sysctl:host/net.ipv4.ip_forward)')
    .option('--allow-host', "allow the steps marked [touches the host]: the host's routes or NAT, forwarders listening on the host's network addresses or ports below 1024, or relaying outside this host")
    .option('--sequential', 'run namespaces one after another instead of side by side')
    .action(async (file: string, opts: HostCommandOptions) => {
      const { runApply } = await import('./host-actions');
      process.exitCode = await runApply(file, opts);
    });
}
