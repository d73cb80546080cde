/**
 * netns-studio: the command line. Each command lives in ./commands/ and registers
 * itself; heavy modules are imported inside actions so `--help` stays fast.
 */
import { Command } from 'commander';
import { registerCommands } from './commands';
import { TRUST_ENV_FLAG } from '../helper/env-overrides';

const program = new Command('netns-studio')
  .description('Draw, inspect and apply Linux network namespace topologies')
  .version('0.1.0')
  .showHelpAfterError()
  // read from argv by helper/env-overrides.ts; declared so it is accepted before or after the command
  .option(TRUST_ENV_FLAG, 'as root, honour NETNS_STUDIO_* environment settings (state dirs, test hooks); ignored otherwise');

registerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`netns-studio: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
