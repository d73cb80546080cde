/**
 * The helper itself refuses what a person must confirm (issue 15), whoever
 * drives its pipes: here the test is the hostile web server of `sudo serve`,
 * writing requests straight down a real helper's stdin in a sandbox, and also
 * the root supervisor, answering on the helper's fd 3 with the supervisor's own
 * code (./supervisor-answers.ts). A forwarder listening on every address of the
 * host (touches the host), planned and sent with `allowHost` and its plan hash:
 * refused while the supervisor says no, and nothing listens; a forged "yes" in
 * the request is no answer; a terminal is refused the same way; once the
 * supervisor says yes it is applied and listens, and destroy waits for its yes
 * too; once the supervisor is gone, nothing is let through. A helper started
 * with no supervisor at all refuses the same apply and the terminal outright.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { HelperClient, HelperRequestError, greet, startStdioHelper, type ExitInfo } from '../helper/client';
import { stdioHelperArgv } from '../helper/launch';
import { NEEDS_CONFIRMATION, NOT_CONFIRMED, type ChangeToConfirm, type Confirmation } from '../shared/protocol/confirmation';
import { sandboxWrap, withStateDir } from '../testing/apply-support';
import { kernelSkipReason, withSandbox, type Sandbox } from '../testing/sandbox';
import { answerHelperAsks } from './supervisor-answers';
import { CONFIRM_FD } from './root-supervisor';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping the helper-side confirmation test: ${skip}`);

/** A helper as the root supervisor starts it: its pipes for the client, fd 3 kept for `confirm`. */
async function supervisedHelper(
  sb: Sandbox,
  env: NodeJS.ProcessEnv,
  confirm: (c: ChangeToConfirm) => Promise<Confirmation>,
): Promise<HelperClient & { supervisorGone(): void }> {
  const argv = stdioHelperArgv({ wrap: sandboxWrap(sb), confirm: CONFIRM_FD });
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  answerHelperAsks(child.stdio[CONFIRM_FD] as Duplex, confirm);
  const exited = new Promise<Omit<ExitInfo, 'reason'>>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  const client = await greet(new HelperClient(child.stdout!, child.stdin!, { kill: () => child.kill('SIGKILL'), exited }), 30_000);
  return Object.assign(client, { supervisorGone: () => (child.stdio[CONFIRM_FD] as Duplex).destroy() });
}

const refusedWith = (code: string) => (e: unknown) => e instanceof HelperRequestError && e.code === code;

test(
  "driving the helper's pipes directly: a host-exposing apply and a terminal wait for the supervisor; refused without its yes, applied with it",
  { skip, timeout: 120_000 },
  async () => {
    await withSandbox('supconf', async (sb) => {
      await withStateDir(async (state) => {
        const fwDir = mkdtempSync(join(tmpdir(), 'nst-supconf-fw-'));
        const env = { ...process.env, NETNS_STUDIO_STATE_DIR: state, NETNS_STUDIO_FORWARDERS_DIR: fwDir };
        const port = 20_000 + Math.floor(Math.random() * 20_000);
        const document = {
          apiVersion: 'netns-studio/v1',
          kind: 'Topology',
          name: `${sb.prefix}open`,
          forwarders: [
            {
              name: `${sb.prefix}open`,
              protocol: 'tcp',
              listen: { namespace: 'host', address: '0.0.0.0', port },
              target: { namespace: 'host', address: '127.0.0.1', port: 9 },
            },
          ],
        };
        const listening = async () => (await sb.inHost(['ss', '-Hltn', `sport = :${port}`])).stdout.trim();
        const asks: ChangeToConfirm[] = [];
        let answer: Confirmation = { confirmed: false, why: 'the person typed no code' };
        const h = await supervisedHelper(sb, env, async (c) => (asks.push(c), answer));
        let applied = false;
        try {
          const plan = await h.request('plan', { document });
          assert.equal(plan.steps.filter((s) => s.touchesHost).length, 1, 'the listener on 0.0.0.0 touches the host');

          // the client holds the plan, its hash, and says allowHost itself: not enough
          await assert.rejects(h.request('apply', { document, planHash: plan.planHash, allowHost: true }), refusedWith(NOT_CONFIRMED));
          assert.equal(asks.length, 1, 'the helper asked its supervisor once');
          const asked = asks[0]!;
          assert.equal(asked.action, 'apply');
          assert.ok(
            asked.action === 'apply' && asked.allowHost && asked.plan.planHash === plan.planHash && asked.plan.steps.some((s) => s.touchesHost),
            "the ask carries the helper's own plan with its host step",
          );
          assert.equal(await listening(), '', 'nothing listens after a refused apply');
          // a "yes" of the client's own making is no field the helper reads
          await assert.rejects(h.request('apply', { document, planHash: plan.planHash, allowHost: true, confirmed: true } as never), refusedWith('bad-params'));
          assert.equal(asks.length, 1);

          // a terminal: a root shell, asked for too
          await assert.rejects(h.request('terminal.open', { namespace: 'host', cols: 80, rows: 24 }), refusedWith(NOT_CONFIRMED));
          assert.deepEqual(asks[1], { action: 'terminal', namespace: 'host' });

          // the supervisor's yes: applied, and the port listens
          answer = { confirmed: true };
          const r = await h.request('apply', { document, planHash: plan.planHash, allowHost: true });
          applied = true;
          assert.equal(r.applied, 1);
          assert.equal(asks.at(-1)?.action, 'apply');
          assert.match(await listening(), new RegExp(`:${port}\\b`));

          // destroy waits for a yes as well
          answer = { confirmed: false, why: 'not now' };
          await assert.rejects(h.request('destroy', { document }), refusedWith(NOT_CONFIRMED));
          assert.equal(asks.at(-1)?.action, 'destroy');
          assert.match(await listening(), new RegExp(`:${port}\\b`), 'a refused destroy leaves it');
          answer = { confirmed: true };
          await h.request('destroy', { document });
          applied = false;
          assert.equal(await listening(), '');

          // the supervisor gone (its end of fd 3 closed): everything it would answer is refused, even with "yes" set
          const before = asks.length;
          h.supervisorGone();
          await assert.rejects(
            h.request('terminal.open', { namespace: 'host', cols: 80, rows: 24 }),
            (e: unknown) => refusedWith(NOT_CONFIRMED)(e) && /supervisor .* gone/.test((e as Error).message),
          );
          assert.equal(asks.length, before);
        } finally {
          if (applied) {
            answer = { confirmed: true };
            await h.request('destroy', { document }).catch(() => {});
          }
          await h.close();
        }

        // a helper with nobody to ask (no --confirm-fd, no --client-confirms) refuses both outright
        const alone = await startStdioHelper({ wrap: sandboxWrap(sb), env });
        try {
          const plan = await alone.request('plan', { document });
          await assert.rejects(alone.request('apply', { document, planHash: plan.planHash, allowHost: true }), refusedWith(NEEDS_CONFIRMATION));
          await assert.rejects(alone.request('terminal.open', { namespace: 'host', cols: 80, rows: 24 }), refusedWith(NEEDS_CONFIRMATION));
          assert.equal(await listening(), '');
        } finally {
          await alone.close();
          rmSync(fwDir, { recursive: true, force: true });
        }
      });
    });
  },
);
