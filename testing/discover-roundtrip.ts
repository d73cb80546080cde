/**
 * The round trip a discovered document must survive: its exported shell script's
 * `down` removes what was there completely (so discover missed nothing the
 * script would have to build), and its `up` builds it again, equal in our
 * canonical host dump, with the pings holding.
 */
import assert from 'node:assert/strict';
import type { Topology } from '../shared/model/schema';
import { hostDump, type HostDump } from './host-dump';
import { checkPingsSettled, type PingCheck } from './pings';
import { checkRouteGets, describeRouteGets, type RouteGetCheck } from './route-gets';
import type { Sandbox } from './sandbox';
import { runScript, writeScript } from './scenario-harness';

export interface RoundTrip {
  /** the sandbox before anything was built */
  empty: HostDump;
  /** the sandbox as built by the reference */
  built: HostDump;
  pings?: PingCheck[];
  /** routes the kernel must pick once rebuilt */
  routeGets?: RouteGetCheck[];
}

/** `document` uses scenario names (discovered with stripPrefix). */
export async function assertRoundTrip(sb: Sandbox, document: Topology, rt: RoundTrip): Promise<void> {
  const script = writeScript({ name: 'discovered', doc: document }, sb);
  try {
    const down = await runScript(sb, script.path, 'down');
    assert.equal(down.code, 0, `down failed: ${down.stderr}`);
    assert.deepEqual(await hostDump(sb), rt.empty, 'the discovered document must hold everything that was built');
    const up = await runScript(sb, script.path, 'up');
    assert.equal(up.code, 0, `up failed: ${up.stderr}`);
    assert.deepEqual(await hostDump(sb), rt.built, 'rebuilt from the discovered document == what was built');
    if (rt.pings) assert.deepEqual(await checkPingsSettled(sb, rt.pings), []);
    if (rt.routeGets) assert.deepEqual(describeRouteGets(await checkRouteGets(sb, rt.routeGets)), [], 'the rebuilt kernel picks the routes of route-gets');
  } finally {
    script.remove();
  }
}
