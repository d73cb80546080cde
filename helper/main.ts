/**
 * The privileged helper process. Speaks the protocol (shared/protocol/messages.ts)
 * as NDJSON on stdio, or, with `--connect PATH`, on a Unix socket it connects
 * back to, first proving itself with the one-time secret the client made
 * (`--secret-file PATH`, read then deleted; or `--secret-fd N`; or the
 * NETNS_STUDIO_HELPER_SECRET environment variable). Diagnostics go to stderr,
 * never onto the protocol stream. Who confirms what exposes the host
 * (./confirm/gate.ts): `--confirm-fd N`, the channel of the root supervisor
 * that started us, or `--client-confirms`; with neither, nobody, and those
 * requests are refused.
 *
 *   node --import tsx helper/main.ts                     # stdio
 *   node --import tsx helper/main.ts --connect /tmp/x/helper.sock --secret-file /tmp/x/secret
 */
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { AUTH_MAGIC } from '../shared/protocol/wire';
import { pendingJournalPath, stateDirOf } from './apply/journal-files';
import { earlyHello } from './hello/early';
import { methodsLoader } from './methods-loader';
import { serve, type Dispatch, type Routed } from './server';
import { TRUST_ENV_FLAG } from './env-overrides';
import { CLIENT_CONFIRMS_FLAG, CONFIRM_FD_FLAG } from '../shared/protocol/confirmation';
import type { ConfirmSetting } from './methods/registry';

interface Args {
  connect?: string;
  secretFile?: string;
  secretFd?: number;
  confirm?: ConfirmSetting;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--connect' && v) ((a.connect = v), i++);
    else if (k === '--secret-file' && v) ((a.secretFile = v), i++);
    else if (k === '--secret-fd' && v && /^\d+$/.test(v)) ((a.secretFd = Number(v)), i++);
    else if (k === CONFIRM_FD_FLAG && v && /^\d+$/.test(v) && Number(v) > 2) ((a.confirm = { by: 'supervisor', fd: Number(v) }), i++);
    else if (k === CLIENT_CONFIRMS_FLAG) a.confirm ??= { by: 'client' };
    else if (k === '--stdio') {
      /* the default */
    } else if (k === TRUST_ENV_FLAG) {
      /* read by ./env-overrides.ts */
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

function readSecret(a: Args): string {
  if (a.secretFile) {
    const s = readFileSync(a.secretFile, 'utf8').trim();
    rmSync(a.secretFile, { force: true }); // one-time: nobody reads it after us
    return s;
  }
  if (a.secretFd !== undefined) return readFileSync(`/dev/fd/${a.secretFd}`, 'utf8').trim();
  const env = process.env.NETNS_STUDIO_HELPER_SECRET;
  delete process.env.NETNS_STUDIO_HELPER_SECRET;
  if (env) return env.trim();
  throw new Error('--connect needs a secret (--secret-file, --secret-fd or NETNS_STUDIO_HELPER_SECRET)');
}

// a stray console.log anywhere must not corrupt the protocol stream
console.log = console.error;
console.info = console.error;

const log = (line: string) => process.stderr.write(`netns-studio-helper: ${line}\n`);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const load = methodsLoader();
  let methods: Promise<Dispatch> | undefined;
  const dispatch = () => (methods ??= load().then((m) => m.startMethods(log)));
  // an interrupted apply is rolled back before any answer, hello included
  if (pendingJournalPath(stateDirOf())) await dispatch();
  const preload = () =>
    void dispatch().catch(() => {
      /* logged when a request needs them */
    });
  /** hello answered before the methods are loaded; once it is, they load while the client reads it */
  const early = (raw: unknown): Routed | undefined => {
    const hello = methods ? undefined : earlyHello(raw);
    if (!hello || !('call' in hello)) return hello;
    return {
      ...hello,
      call: async (ctx) => {
        try {
          return await hello.call(ctx);
        } finally {
          setImmediate(preload);
        }
      },
    };
  };
  if (!args.connect) {
    const s = serve({ input: process.stdin, output: process.stdout, dispatch, early, log, settings: { confirm: args.confirm } });
    await s.done;
    process.exit(0);
  }
  const secret = readSecret(args);
  const sock = connect(args.connect);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  sock.write(JSON.stringify({ auth: AUTH_MAGIC, secret, pid: process.pid }) + '\n');
  const s = serve({ input: sock, output: sock, dispatch, early, log, settings: { confirm: args.confirm } });
  await s.done;
  process.exit(0);
}

// the helper must outlive a client's bad message, never a broken promise of its own
process.on('unhandledRejection', (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? e}`));
main().catch((e) => {
  log((e as Error).message);
  process.exit(2);
});
