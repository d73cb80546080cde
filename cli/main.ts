/**
 * netns-studio: the command line. Each command lives in ./commands/ and registers
 * itself; heavy modules are imported inside actions so `--help` stays fast.
 */
import { Command } from 'commander';
import { registerCommands } from './commands';

const program = new Command('netns-studio')
  .description('Draw, inspect and apply Linux network namespace topologies')
  .version('0.1.0')
  .showHelpAfterError();

registerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`netns-studio: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
