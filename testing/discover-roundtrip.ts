/**
 * The round trip a discovered document must survive: its exported shell script's
 * `down` removes what was there completely (so discover missed nothing the
 * script would have to build), and its `up` builds it again, equal in our
 * canonical host dump, with the pings holding.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../shared/model/schema';
import { renderShellScript } from '../shared/export/shell';
import { hostDump, type HostDump } from './host-dump';
import { checkPings, type PingCheck } from './pings';
import { prefixTopology } from './prefix';
import type { Sandbox } from './sandbox';
import { runScript } from './scenario-harness';

export interface RoundTrip {
  /** the sandbox before anything was built */
  empty: HostDump;
  /** the sandbox as built by the reference */
  built: HostDump;
  pings?: PingCheck[];
}

/** `document` uses scenario names (discovered with stripPrefix). */
export async function assertRoundTrip(sb: Sandbox, document: Topology, rt: RoundTrip): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nss-discover-'));
  try {
    const script = join(dir, 'discovered.sh');
    writeFileSync(script, renderShellScript(prefixTopology(document, sb)), { mode: 0o755 });
    const down = await runScript(sb, script, 'down');
    assert.equal(down.code, 0, `down failed: ${down.stderr}`);
    assert.deepEqual(await hostDump(sb), rt.empty, 'the discovered document must hold everything that was built');
    const up = await runScript(sb, script, 'up');
    assert.equal(up.code, 0, `up failed: ${up.stderr}`);
    assert.deepEqual(await hostDump(sb), rt.built, 'rebuilt from the discovered document == what was built');
    if (rt.pings) assert.deepEqual(await settledPings(sb, rt.pings), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Pings right after links come up can be lost: the kernel turns a new carrier on
 * from its linkwatch work, up to a second later. So a ping expected to pass gets
 * two more tries, a second apart; one expected to fail never does.
 */
async function settledPings(sb: Sandbox, pings: PingCheck[]) {
  let failures = await checkPings(sb, pings);
  for (let i = 0; i < 2 && failures.length && failures.every((f) => f.expect === 'ok'); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    failures = await checkPings(sb, failures);
  }
  return failures;
}
