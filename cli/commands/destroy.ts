import type { Command } from 'commander';
import { hostOptions, type HostCommandOptions } from './host-options';

/** `netns-studio destroy FILE [--yes]`: remove what applying FILE created, and nothing else. */
export function registerDestroy(program: Command): void {
  hostOptions(program.command('destroy').argument('<file>', 'topology file (YAML); - reads standard input'))
    .description('remove what applying FILE created (recorded in the state dir), and nothing else (needs root)')
    .option('-y, --yes', 'destroy without asking (needed when stdin is not a terminal)')
    .action(async (file: string, opts: HostCommandOptions) => {
      const { runDestroy } = await import('./host-actions');
      process.exitCode = await runDestroy(file, opts);
    });
}
