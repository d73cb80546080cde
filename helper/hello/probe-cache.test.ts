/**
 * hello's probes remembered across helper starts (./probe-cache.ts), on the real
 * helper bundle: the first helper records what it probed; the next answers from the
 * record (a marker planted in it comes back); a record made for another boot, kernel
 * or set of programs, or one others could have written, is probed again, never used.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startStdioHelper } from '../client';
// the helper gets --trust-env: it must honour NETNS_STUDIO_PROBE_CACHE
import '../../testing/trust-env';

const dir = mkdtempSync(join(tmpdir(), 'nst-probe-cache-'));
const file = join(dir, 'run', 'hello-probes.json');
after(() => rmSync(dir, { recursive: true, force: true }));

async function hello() {
  const h = await startStdioHelper({ env: { ...process.env, NETNS_STUDIO_PROBE_CACHE: file } });
  try {
    return h.hello!;
  } finally {
    await h.close();
  }
}

type Rec = { key: string; value: { iproute2: string; features: Record<string, boolean> } };
const read = () => JSON.parse(readFileSync(file, 'utf8')) as Rec;
const plant = (rec: Rec, mode = 0o600) => {
  writeFileSync(file, JSON.stringify(rec));
  chmodSync(file, mode);
};

test('hello probes once per boot and programs, then answers from a record only it could have written', async (t) => {
  const first = await hello();
  if (!first.features.veth) return t.skip('no veth here (unshare -n ip link add … type veth failed): nothing trustworthy to record');
  const rec = read();
  assert.deepEqual(rec.value, { iproute2: first.iproute2, features: first.features }, 'what hello probed is recorded');

  const marked = { ...rec, value: { iproute2: 'iproute2-from-the-record', features: { ...rec.value.features, vxlan: !rec.value.features.vxlan } } };
  plant(marked);
  const second = await hello();
  assert.equal(second.iproute2, 'iproute2-from-the-record', 'the next helper ran no probe');
  assert.equal(second.features.vxlan, !first.features.vxlan);

  plant({ ...marked, key: rec.key.replace(/^\["[^"]*"/, '["another-boot"') });
  assert.notEqual(read().key, rec.key);
  assert.equal((await hello()).iproute2, first.iproute2, 'another boot: probed again');
  assert.equal(read().key, rec.key, 'and recorded afresh');

  plant(marked, 0o666);
  assert.equal((await hello()).iproute2, first.iproute2, 'a record others can write is ignored');
});
