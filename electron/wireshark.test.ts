/**
 * "Open in Wireshark": offered only where a Wireshark program is at one of its
 * system paths; the capture goes to a private file handed to that program as its
 * one argument (a stand-in script records what it was given).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from '../shared/capture/pcap';
import { waitUntil } from '../testing/until';
import { openInWireshark, wiresharkPath } from './wireshark';

test('wiresharkPath finds an executable at a system path and nothing where none is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nst-wireshark-'));
  try {
    const missing = join(dir, 'none');
    const notExecutable = join(dir, 'plain');
    writeFileSync(notExecutable, '', { mode: 0o644 });
    assert.equal(wiresharkPath([missing, notExecutable]), undefined);
    const program = join(dir, 'wireshark');
    writeFileSync(program, '#!/bin/sh\n', { mode: 0o755 });
    assert.equal(wiresharkPath([missing, notExecutable, program]), program);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openInWireshark hands the program a private pcap file; without a program it says to download instead', async () => {
  assert.match((openInWireshark(new Uint8Array(), undefined) as { error: { message: string } }).error.message, /not installed.*download the pcap/);
  const dir = mkdtempSync(join(tmpdir(), 'nst-wireshark-'));
  const program = join(dir, 'wireshark');
  const record = join(dir, 'given');
  writeFileSync(program, `#!/bin/sh\nprintf '%s\\n' "$#" "$1" > ${record}.tmp && mv ${record}.tmp ${record}\n`);
  chmodSync(program, 0o755);
  const pcap = writePcap(1, [{ time: 1, origLen: 3, data: new Uint8Array([1, 2, 3]) }]);
  let file = '';
  try {
    assert.deepEqual(openInWireshark(pcap, program), { ok: true, value: null });
    await waitUntil('the stand-in Wireshark to run', () => existsSync(record), 10_000);
    const [argc, given] = readFileSync(record, 'utf8').trim().split('\n');
    file = given!;
    assert.equal(argc, '1');
    assert.deepEqual(new Uint8Array(readFileSync(file)), pcap);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the capture file is private');
    assert.equal(statSync(join(file, '..')).mode & 0o777, 0o700, 'in a private directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (file) rmSync(join(file, '..'), { recursive: true, force: true });
  }
});
