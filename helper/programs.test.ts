/**
 * Root runs programs by absolute path (issue 15): `programPath` resolves from the
 * system directories only, and a `$PATH` led by a directory of look-alike
 * programs changes nothing. The hostile part runs the real CLI `discover` (root
 * code: nsenter, ip, iptables-save, perl readers) in a sandbox with such a PATH;
 * each look-alike leaves a mark if run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cliPath } from '../testing/cli-runner';
import { run } from '../testing/run';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { hasProgram, programPath, SYSTEM_DIRS } from './programs';

test('programPath: root-owned copies in the system directories, whatever $PATH says', () => {
  for (const name of ['ip', 'nsenter', 'iptables-save', 'perl']) {
    const p = programPath(name);
    assert.ok((SYSTEM_DIRS as readonly string[]).includes(dirname(p)), `${name}: ${p}`);
    const st = statSync(p);
    assert.equal(st.uid, 0);
    assert.equal(st.mode & 0o022, 0);
  }
  assert.equal(programPath('no-such-program-netns-studio'), '/usr/bin/no-such-program-netns-studio');
  assert.equal(hasProgram('no-such-program-netns-studio'), false);
  assert.equal(programPath('/usr/bin/env'), '/usr/bin/env');
});

const skip = kernelSkipReason();
if (skip) console.log(`# skipping the hostile-PATH discover test: ${skip}`);

test('discover as root with a hostile $PATH runs none of its programs', { skip }, async () => {
  await withSandbox('path', async (sb) => {
    const evil = mkdtempSync(join(tmpdir(), 'nss-evil-path-'));
    try {
      for (const name of ['ip', 'nsenter', 'iptables-save', 'iptables', 'perl', 'cat', 'sysctl', 'xargs', 'unshare']) {
        writeFileSync(join(evil, name), `#!/bin/sh\ntouch ${evil}/ran-${name}\nexit 1\n`, { mode: 0o755 });
      }
      assert.equal(
        (await sb.bash('ip netns add ${P}a && ip -n ${P}a link set lo up && ip netns exec ${P}a iptables -t nat -A POSTROUTING -j MASQUERADE')).code,
        0,
      );
      const r = await run([
        'nsenter',
        `--net=/run/netns/${sb.hostNs}`,
        '/usr/bin/env',
        `PATH=${evil}:${process.env.PATH}`,
        process.execPath,
        cliPath,
        'discover',
        '--only-prefix',
        sb.prefix,
        '--format',
        'json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        JSON.parse(r.stdout).namespaces.some((n: { name: string }) => n.name === sb.ns('a')),
        r.stdout.slice(0, 500),
      );
      assert.deepEqual(
        readdirSync(evil).filter((f) => f.startsWith('ran-')),
        [],
        'a program from $PATH ran',
      );
      assert.equal(existsSync(join(evil, 'ran-nsenter')), false);
    } finally {
      rmSync(evil, { recursive: true, force: true });
    }
  });
});
