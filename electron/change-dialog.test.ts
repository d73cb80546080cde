/**
 * The desktop app asks the person before a change reaches the helper (issue 15):
 * the renderer's apply, with the plan hash it was given, shows a native dialog
 * from the main process naming the helper's own plan (host steps first); Cancel
 * sends the helper nothing, Apply sends the apply once. A hash this session never
 * handed out is planned again and refused when it is not the helper's. Destroy by
 * name asks too; so do a terminal (a root shell) and netem or a capture on the
 * host's own interfaces, while a capture inside a namespace is not asked. Electron is mocked (testing/fake-electron.ts); the helper is
 * scripted (testing/scripted-helper.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestChannel } from '../shared/ipc-contract';
import { emptyTopology } from '../shared/model/schema';
import { FakeBrowserWindow, fakeElectron } from '../testing/fake-electron';
import { scriptedHelper, scriptedHelperLink } from '../testing/scripted-helper';
import { startApp } from './app';
import { APP_ORIGIN } from './security';
import { NOT_CONFIRMED } from '../shell-core/change-confirmation';
import { command } from '../shared/plan/render';

const HASH = 'a'.repeat(64);
const HOST_STEP = {
  ...command({ op: 'link.state', ns: 'host', name: 'lab0', up: true }),
  undo: [],
  reason: 'lab0 up',
  object: 'link:host:lab0',
  action: 'create',
  touchesHost: 'changes a link of the host namespace',
};
const NS_STEP = { ...command({ op: 'link.state', ns: 'lab-a', name: 'lo', up: true }), undo: [], reason: 'lo up', object: 'link:lab-a:lo', action: 'change' };
const DEL_STEP = { ...command({ op: 'netns.del', name: 'lab-a' }), undo: [], reason: "lab-a is the topology's", object: 'netns:lab-a', action: 'delete' };
const PLAN = {
  planHash: HASH,
  steps: [NS_STEP, HOST_STEP],
  summary: { create: 1, change: 1, delete: 0, unmanaged: 0, total: 2 },
  topology: { name: 'lab', from: 'document' },
  notes: [],
};
const APPLIED = { applied: 2, durationMs: 5, matches: true, topology: 'lab' };

describe('desktop: a change waits for the person in a native dialog (Electron mocked)', () => {
  let dir: string;
  let f: ReturnType<typeof fakeElectron>;
  let win: FakeBrowserWindow;
  const h = scriptedHelper((method, params, send, id) => {
    if (method === 'plan') send({ id, result: PLAN });
    else if (method === 'apply' || (method === 'destroy' && !params.dryRun)) send({ id, result: APPLIED });
    else if (method === 'destroy') send({ id, result: { ...PLAN, planHash: 'b'.repeat(64), steps: [DEL_STEP] } });
    else if (method === 'terminal.open' || method === 'capture.start') send({ id, result: { subscription: id } });
    else if (method === 'link.impair') send({ id, result: { ok: true, qdisc: 'netem delay 5ms' } });
    else send({ id, result: {} });
  });
  const sent = (method: string) => h.requests.filter((r) => r.method === method && !r.params?.dryRun);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nst-electron-confirm-'));
    mkdirSync(join(dir, 'renderer'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>app</title>');
    f = fakeElectron();
    await startApp(f.electron, {
      preload: '/app/preload.cjs',
      rendererDir: join(dir, 'renderer'),
      createHelperLink: () => scriptedHelperLink(h),
      log: () => {},
    }).ready;
    win = FakeBrowserWindow.created[0]!;
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(f.userData, { recursive: true, force: true });
  });
  const call = (name: Parameters<typeof requestChannel>[0], params: unknown) =>
    f.rec.handlers.get(requestChannel(name))!({ senderFrame: { url: `${APP_ORIGIN}/index.html` }, sender: { id: win.webContents.id } }, params);
  const document = { ...emptyTopology(), name: 'lab' };

  it('Cancel: the helper gets no apply; Apply: exactly one, with the shown plan', async () => {
    const plan = await call('plan', { document });
    assert.equal(plan.ok, true, JSON.stringify(plan));
    f.rec.messageBoxResponses.push(0); // Cancel
    const refused = await call('apply', { document, planHash: HASH, allowHost: true, opId: 'op1' });
    assert.equal(refused.ok, false);
    assert.equal(refused.error.code, NOT_CONFIRMED);
    assert.equal(sent('apply').length, 0, 'nothing reached the helper');
    const box = f.rec.messageBoxes.at(-1);
    assert.match(box.message, /^Apply "lab": 2 steps \(1 create, 1 change\)/);
    assert.deepEqual(box.buttons, ['Cancel', 'Apply']);
    assert.equal(box.cancelId, 0);
    assert.equal(box.defaultId, 0, 'Enter does not apply');
    const detail: string[] = box.detail.split('\n');
    assert.match(detail[0]!, /1 step touches the host \(allowed/);
    assert.match(detail[1]!, /^ip link set dev lab0 up .*touches the host/, 'host steps listed first');

    // the person says yes: the dialog shows the plan again (this session's, or the helper's anew), then one apply
    await call('plan', { document });
    f.rec.messageBoxResponses.push(1);
    const applied = await call('apply', { document, planHash: HASH, allowHost: true, opId: 'op2' });
    assert.equal(applied.ok, true, JSON.stringify(applied));
    assert.equal(sent('apply').length, 1);
    assert.equal(sent('apply')[0]!.params.planHash, HASH);
  });

  it('a hash the helper did not plan is refused without asking; destroy by name asks too', async () => {
    const boxes = f.rec.messageBoxes.length;
    const forged = await call('apply', { document, planHash: 'c'.repeat(64), opId: 'op3' });
    assert.equal(forged.ok, false);
    assert.equal(forged.error.code, 'plan-stale');
    assert.equal(f.rec.messageBoxes.length, boxes, 'no dialog for a plan the helper never made');
    assert.equal(sent('apply').length, 1);

    f.rec.messageBoxResponses.push(0);
    const d = await call('destroyTopology', { name: 'lab', opId: 'op4' });
    assert.equal(d.error?.code, NOT_CONFIRMED);
    assert.match(f.rec.messageBoxes.at(-1).message, /^Destroy "lab"/);
    assert.equal(sent('destroy').length, 0);
    f.rec.messageBoxResponses.push(1);
    assert.equal((await call('destroyTopology', { name: 'lab', opId: 'op5' })).ok, true);
    assert.equal(sent('destroy').length, 1);
    assert.equal(sent('destroy')[0]!.params.planHash, 'b'.repeat(64), 'the helper checks it removes what was shown');
  });

  it('a terminal, and netem on the host, wait for the dialog; a capture inside a namespace does not', async () => {
    f.rec.messageBoxResponses.push(0);
    const no = await call('terminalOpen', { subId: 't1', namespace: 'lab-a', cols: 80, rows: 24 });
    assert.equal(no.error?.code, NOT_CONFIRMED);
    assert.match(f.rec.messageBoxes.at(-1).message, /root shell in namespace "lab-a"/);
    assert.deepEqual(f.rec.messageBoxes.at(-1).buttons, ['Cancel', 'Open the terminal']);
    assert.equal(sent('terminal.open').length, 0, 'no shell without a yes');
    f.rec.messageBoxResponses.push(1);
    assert.equal((await call('terminalOpen', { subId: 't2', namespace: 'lab-a', cols: 80, rows: 24 })).ok, true);
    assert.equal(sent('terminal.open').length, 1);

    f.rec.messageBoxResponses.push(0);
    const impair = await call('impairLink', { namespace: 'host', interface: 'eth0', delayMs: 500 });
    assert.equal(impair.error?.code, NOT_CONFIRMED);
    assert.match(f.rec.messageBoxes.at(-1).message, /host's own interface eth0: delay 500 ms/);
    assert.equal(sent('link.impair').length, 0);

    const boxes = f.rec.messageBoxes.length;
    assert.equal((await call('captureStart', { subId: 'c1', namespace: 'lab-a', interface: 'lo' })).ok, true);
    assert.equal(f.rec.messageBoxes.length, boxes, 'a capture inside a namespace is not asked');
    assert.equal(sent('capture.start').length, 1);
  });
});
