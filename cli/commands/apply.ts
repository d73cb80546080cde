import type { Command } from 'commander';
import { hostOptions, type HostCommandOptions } from './host-options';

/**
 * `netns-studio apply FILE [--yes]`: show the plan, ask, apply, then wait (bounded)
 * until what it brought up is usable. Exit 0: the host matches FILE and is usable;
 * 1: error (or the host still differs); 3: applied and matching, but something
 * named on stderr was not usable within the wait.
 */
export function registerApply(program: Command): void {
  hostOptions(program.command('apply').argument('<file>', 'topology file (YAML); - reads standard input'))
    .description('show the plan, ask, then apply it transactionally (needs root; exit 0 only when the host matches FILE)')
    .option('-y, --yes', 'apply without asking (needed when stdin is not a terminal)')
    .option('--allow <key...>', 'object keys of unmanaged objects the plan may change (e.g. sysctl:host/net.ipv4.ip_forward)')
    .option(
      '--allow-host',
      "allow the steps marked [touches the host]: the host's routes or NAT, forwarders listening on the host's network addresses or ports below 1024, or relaying outside this host",
    )
    .option('--sequential', 'run namespaces one after another instead of side by side')
    .option('--no-wait', 'return when the steps are done, without waiting for carrier, IPv6 DAD, bridge ports and forwarders')
    .option('--wait-timeout <seconds>', 'how long to wait for the network to be usable (default 10)')
    .addHelpText(
      'after',
      '\nExit codes: 0 the host matches FILE and is usable; 1 error, nothing or everything rolled back (or the host still differs);\n3 applied and matching, but what stderr names was not usable within the wait.',
    )
    .action(async (file: string, opts: HostCommandOptions) => {
      const { runApply } = await import('./host-actions');
      process.exitCode = await runApply(file, opts);
    });
}
