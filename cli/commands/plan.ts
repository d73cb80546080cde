import type { Command } from 'commander';

/** Options shared by plan, apply and destroy. */
export interface HostCommandOptions {
  stateDir?: string;
  json?: boolean;
  allow?: string[];
  /** --allow-host: steps that touch the host may run */
  allowHost?: boolean;
  yes?: boolean;
  finishInterrupted?: boolean;
  sequential?: boolean;
}

export function hostOptions(cmd: Command): Command {
  return cmd
    .option('--state-dir <dir>', 'where the journal and the ownership record live (default $NETNS_STUDIO_STATE_DIR or /var/lib/netns-studio)')
    .option('--json', 'print machine-readable JSON instead of text')
    .option('--finish-interrupted', 'if a previous apply was interrupted, finish it instead of rolling it back');
}

/** `netns-studio plan FILE`: the steps that would make the host match FILE. Exit 0 = nothing to do, 2 = changes pending, 1 = error. */
export function registerPlan(program: Command): void {
  hostOptions(program.command('plan').argument('<file>', 'topology file (YAML); - reads standard input'))
    .description('show the exact commands that would make this host match FILE (needs root; exit 0: nothing to do, 2: changes pending, 1: error)')
    .option('--destroy', 'plan the destroy of FILE instead')
    .action(async (file: string, opts: HostCommandOptions & { destroy?: boolean }) => {
      const { runPlan } = await import('./host-actions');
      process.exitCode = await runPlan(file, opts);
    });
}
