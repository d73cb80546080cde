/**
 * The helper elevated through a graphical prompt (@vscode/sudo-prompt: pkexec or
 * kdesudo on Linux), connecting back over a private Unix socket.
 *
 * sudo-prompt runs one shell string and answers only when it exits, so it cannot
 * carry the live stream: helper/client.ts's startConnectBackHelper makes a 0700
 * directory with the socket and a 0600 one-time secret file, the elevated helper
 * connects back and proves itself with the secret (never on a command line).
 *
 * A helper that dies is not restarted on our own (that would pop up a password
 * prompt out of the blue): the status says `failed` and the UI's Retry asks again.
 * A cancelled prompt is `elevation-cancelled`, retryable.
 */
import * as sudoPrompt from '@vscode/sudo-prompt';
import { HelperRequestError, startConnectBackHelper, type HelperSpawner, type SpawnedHelper } from '../helper/client';
import type { LaunchOptions } from '../helper/launch';
import { createClientHelperLink } from '../shell-core/client-helper-link';
import type { HelperLink } from '../shell-core/helper-link';
import { elevationCommand } from './elevation-command';
import { helperEntry } from './helper-entry';
import { helperProgram } from '../helper/code-location';
import { NOT_INSTALLED, elevatedEntry, refusalMessage } from './root-owned-install';

/** sudo-prompt's `exec` (tests pass a stand-in that runs the command as sudo-prompt would, minus the dialog). */
export type SudoExec = (cmd: string, options: { name: string }, callback: (error?: Error, stdout?: string | Buffer, stderr?: string | Buffer) => void) => void;

export const ELEVATION_CANCELLED = 'elevation-cancelled';

export interface ElevatedHelperOptions {
  /** directory of the bundled main process (.vite/build) */
  appDir: string;
  /** how to run the helper (node binary, entry, argv prefix) */
  launch?: LaunchOptions;
  /** default: @vscode/sudo-prompt's exec */
  exec?: SudoExec;
  /** default 5 min: a person is typing a password */
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}

/** sudo-prompt says this (or similar) when the person cancels or fails the prompt */
const CANCELLED = /did not grant permission|dismissed|cancel/i;

/**
 * A HelperSpawner over sudo-prompt: the argv becomes the one checked, quoted shell
 * string sudo-prompt accepts; the "process" ends when sudo-prompt calls back.
 */
export function sudoPromptSpawner(exec: SudoExec, name = 'Netns Studio'): HelperSpawner {
  return (argv): SpawnedHelper => {
    const cmd = elevationCommand(argv);
    return {
      exited: new Promise((resolve) => {
        exec(cmd, { name }, (error, _stdout, stderr) => {
          const err = String(stderr ?? '');
          if (!error) return resolve({ code: 0, stderr: err });
          resolve({ code: CANCELLED.test(error.message) ? 126 : 1, stderr: `${err}${err ? '\n' : ''}${error.message}` });
        });
      }),
      // sudo-prompt cannot stop its child; the client then closes the socket, which ends the helper
    };
  };
}

/**
 * The elevated helper runs this app's own binary as Node (Electron honours
 * ELECTRON_RUN_AS_NODE; with plain Node it is ignored). `env` comes first so the
 * variable survives pkexec, which clears the environment.
 */
export function elevatedLaunch(opts: LaunchOptions = {}): LaunchOptions {
  const isElectron = Boolean(process.versions.electron);
  return { ...opts, wrap: [...(isElectron ? ['/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1'] : []), ...(opts.wrap ?? [])] };
}

/** The helper's entry for the app in `appDir` (.vite/build): see ./helper-entry.ts. */
export const bundledHelper = helperEntry;

export function createElevatedHelperLink(opts: ElevatedHelperOptions): HelperLink {
  const exec = opts.exec ?? (sudoPrompt.exec as unknown as SudoExec);
  return createClientHelperLink({
    transport: 'socket',
    maxRestarts: 0,
    // a checkout stays a checkout: asking again changes nothing
    canRetry: (e) => e.code !== NOT_INSTALLED,
    log: opts.log,
    start: async () => {
      try {
        const asked = elevatedLaunch({ entry: bundledHelper(opts.appDir), ...opts.launch });
        // before any prompt: root runs these files (./root-owned-install.ts)
        const checked = elevatedEntry([...(asked.wrap ?? []).slice(0, 1), asked.node ?? process.execPath], asked.entry ?? helperProgram());
        if ('refused' in checked) throw new HelperRequestError({ code: NOT_INSTALLED, message: refusalMessage(checked.refused) });
        // main asks its person (./change-dialog.ts) before it sends what exposes the host: the renderer never holds these pipes
        const launch = { ...asked, entry: checked.entry, confirm: 'client' as const };
        return await startConnectBackHelper(sudoPromptSpawner(exec), { ...launch, connectTimeoutMs: opts.connectTimeoutMs ?? 300_000 });
      } catch (e) {
        const detail = (e as { detail?: { code?: number } }).detail;
        if (detail?.code === 126) {
          throw new HelperRequestError({
            code: ELEVATION_CANCELLED,
            message: 'the password prompt was cancelled: live features need the helper (Retry asks again)',
          });
        }
        throw e;
      }
    },
  });
}
