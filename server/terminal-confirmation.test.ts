/**
 * Browser mode: a session's apply waits for the person at serve's terminal (issue
 * 15). A client holding the session plans and applies over the real WebSocket of
 * a real server; serve's terminal (here a stream) shows the helper's plan and a
 * code the client never receives. A wrong answer refuses with nothing sent to the
 * helper; the right code lets exactly one apply through; with no terminal (input
 * closed) every change is refused at once. The helper is scripted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { emptyTopology } from '../shared/model/schema';
import { scriptedHelper, scriptedHelperLink } from '../testing/scripted-helper';
import { waitUntil } from '../testing/until';
import { NOT_CONFIRMED } from '../shell-core/change-confirmation';
import { startServer } from './http-server';
import { command } from '../shared/plan/render';
import { CONFIRM_PROMPT_RE, terminalConfirmer } from './terminal-confirmation';

const HASH = 'd'.repeat(64);
const PLAN = {
  planHash: HASH,
  steps: [
    {
      ...command({ op: 'link.state', ns: 'host', name: 'lab0', up: true }),
      undo: [],
      reason: 'lab0 up',
      object: 'link:host:lab0',
      action: 'create',
      touchesHost: 'changes a link of the host namespace',
    },
  ],
  summary: { create: 1, change: 0, delete: 0, unmanaged: 0, total: 1 },
  topology: { name: 'lab', from: 'document' },
  notes: [],
};

async function rig(input: PassThrough) {
  const dir = mkdtempSync(join(tmpdir(), 'nst-confirm-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  const h = scriptedHelper((method, _params, send, id) => {
    if (method === 'plan') send({ id, result: PLAN });
    else if (method === 'apply') send({ id, result: { applied: 1, durationMs: 3, matches: true, topology: 'lab' } });
    else send({ id, result: {} });
  });
  let terminal = '';
  const srv = await startServer({ rendererDir: dir, link: scriptedHelperLink(h), confirm: terminalConfirmer({ input, print: (t) => (terminal += `${t}\n`) }) });
  const origin = `http://127.0.0.1:${srv.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws`, { origin, headers: { Authorization: `Bearer ${srv.token}` } });
  const got: any[] = [];
  ws.on('message', (d) => got.push(JSON.parse(String(d))));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  let id = 0;
  const request = async (method: string, params: unknown) => {
    const my = ++id;
    ws.send(JSON.stringify({ type: 'request', id: my, method, params }));
    await waitUntil(`the answer to ${method}`, () => got.some((f) => f.type === 'response' && f.id === my), 10_000);
    return got.find((f) => f.type === 'response' && f.id === my).result;
  };
  return {
    h,
    request,
    terminal: () => terminal,
    frames: got,
    async close() {
      ws.close();
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const document = { ...emptyTopology(), name: 'lab' };

describe('serve: changes confirmed at the terminal', () => {
  it('a session alone cannot apply: a wrong answer refuses, the code shown in the terminal lets one apply through', async () => {
    const input = new PassThrough();
    const r = await rig(input);
    try {
      assert.equal((await r.request('plan', { document })).ok, true);
      const first = r.request('apply', { document, planHash: HASH, allowHost: true, opId: 'a1' });
      await waitUntil('the question in the terminal', () => CONFIRM_PROMPT_RE.test(r.terminal()));
      assert.match(r.terminal(), /Apply "lab": 1 step \(1 create\)/);
      assert.match(r.terminal(), /ip link set dev lab0 up .*touches the host/);
      const code = CONFIRM_PROMPT_RE.exec(r.terminal())![1]!;
      assert.ok(!JSON.stringify(r.frames).includes(code), 'the client never sees the code');
      input.write('no\n');
      const refused = await first;
      assert.equal(refused.ok, false);
      assert.equal(refused.error.code, NOT_CONFIRMED);
      assert.equal(r.h.requests.filter((x) => x.method === 'apply').length, 0, 'nothing reached the helper');
      // the spent code does not carry over to the next request; that one's own code does
      const second = r.request('apply', { document, planHash: HASH, allowHost: true, opId: 'a2' });
      await waitUntil('a second question', () => [...r.terminal().matchAll(new RegExp(CONFIRM_PROMPT_RE, 'g'))].length === 2);
      const code2 = [...r.terminal().matchAll(new RegExp(CONFIRM_PROMPT_RE, 'g'))][1]![1]!;
      assert.notEqual(code2, code);
      input.write(`${code2.toLowerCase()}\n`);
      const applied = await second;
      assert.equal(applied.ok, true, JSON.stringify(applied));
      const sent = r.h.requests.filter((x) => x.method === 'apply');
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.params.planHash, HASH);
      assert.equal(sent[0]!.params.allowHost, true);
    } finally {
      await r.close();
    }
  });

  it('with no terminal (input closed) every change is refused at once', async () => {
    const input = new PassThrough();
    input.end();
    const r = await rig(input);
    try {
      const a = await r.request('apply', { document, planHash: HASH, opId: 'b1' });
      // the first question may be printed before the close is seen; its answer is still no
      assert.equal(a.error?.code, NOT_CONFIRMED);
      assert.match(a.error.message, /no terminal/);
      assert.equal(r.h.requests.filter((x) => x.method === 'apply').length, 0);
    } finally {
      await r.close();
    }
  });
});
