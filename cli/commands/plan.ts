import type { Command } from 'commander';
import { hostOptions, type HostCommandOptions } from './host-options';

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
