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
  /** commander's `--no-wait`: false skips the readiness wait after apply */
  wait?: boolean;
  /** `--wait-timeout SECONDS` (as typed) */
  waitTimeout?: string;
}

export function hostOptions(cmd: Command): Command {
  return cmd
    .option('--state-dir <dir>', 'where the journal and the ownership record live (default $NETNS_STUDIO_STATE_DIR or /var/lib/netns-studio)')
    .option('--json', 'print machine-readable JSON instead of text')
    .option('--finish-interrupted', 'if a previous apply was interrupted, finish it instead of rolling it back');
}
