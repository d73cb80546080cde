import type { Command } from 'commander';
import { hostOptions, type HostCommandOptions } from './host-options';

/** `netns-studio destroy FILE | --name NAME [--yes]`: remove what the topology created, and nothing else. */
export function registerDestroy(program: Command): void {
  hostOptions(program.command('destroy').argument('[file]', 'topology file (YAML); - reads standard input'))
    .description('remove what a topology created (recorded in the state dir), and nothing else (needs root)')
    .option('--name <name>', 'the applied topology to destroy, without its file (netns-studio list shows the names)')
    .option('-y, --yes', 'destroy without asking (needed when stdin is not a terminal)')
    .action(async (file: string | undefined, opts: HostCommandOptions & { name?: string }) => {
      const { runDestroy } = await import('./host-actions');
      process.exitCode = await runDestroy(file, opts);
    });
}
