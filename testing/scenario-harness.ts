/**
 * The round trip every seed scenario must survive on the real kernel, inside
 * sandboxes (see ./sandbox.ts):
 *
 *   reference-up.sh in sandbox 1 → dump A, pings hold;
 *   in sandbox 2: dump F (empty) → exported script `up` → dump B == A, pings hold →
 *   `up` again (succeeds, B unchanged) → `down` → dump == F → `down` again succeeds.
 *
 * A scenario with VRFs on a kernel without VRF: the script must exit non-zero with
 * a clear message and leave the sandbox exactly as it was.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderShellScript } from '../shared/export/shell';
import { hostDump, type HostDump } from './host-dump';
import { checkPings, type PingResult } from './pings';
import { checkRouteGets, describeRouteGets } from './route-gets';
import { waitSettled } from './settle';
import { prefixTopology } from './prefix';
import { run, type RunResult } from './run';
import { withSandbox, type Sandbox } from './sandbox';
import type { Scenario } from './scenarios';

/** Whether this kernel can make a VRF (tried in a namespace that vanishes with the command). */
export async function kernelHasVrf(): Promise<boolean> {
  const r = await run(['unshare', '--net', 'ip', 'link', 'add', 'name', 'vrf-probe', 'type', 'vrf', 'table', '1']);
  return r.code === 0;
}

/** Writes the exported script (namespaces renamed for the sandbox) to a temporary file. */
export function writeScript(sc: Pick<Scenario, 'name' | 'doc'>, sb: Sandbox): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nss-script-'));
  const path = join(dir, `${sc.name}.sh`);
  writeFileSync(path, renderShellScript(prefixTopology(sc.doc, sb)), { mode: 0o755 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the script with one argument inside the sandbox host namespace. */
export const runScript = (sb: Sandbox, path: string, arg: 'up' | 'down' | '--teardown') => sb.inHost(['bash', path, arg]);

export interface ReferenceResult {
  dump: HostDump;
  pingFailures: PingResult[];
  /** route-gets lines the kernel answered otherwise */
  routeGetFailures: string[];
}

export async function runReference(sc: Scenario): Promise<ReferenceResult> {
  return withSandbox(`ref${sc.name.slice(0, 2)}`, async (sb) => {
    const r = await sb.bash(sc.referenceUp);
    if (r.code !== 0) throw new Error(`${sc.name}/reference-up.sh failed (${r.code}): ${r.stderr.trim()}`);
    const dump = await hostDump(sb);
    await waitSettled(sb); // carrier comes a moment after `up` (linkwatch): ping once it is there
    return { dump, pingFailures: await checkPings(sb, sc.pings), routeGetFailures: describeRouteGets(await checkRouteGets(sb, sc.routeGets)) };
  });
}

export interface ExportResult {
  fresh: HostDump;
  up: RunResult;
  dump: HostDump;
  pingFailures: PingResult[];
  routeGetFailures: string[];
  upAgain: RunResult;
  dumpAgain: HostDump;
  down: RunResult;
  dumpDown: HostDump;
  downAgain: RunResult;
  /** milliseconds the first `up` took */
  upMs: number;
}

export async function runExported(sc: Scenario): Promise<ExportResult> {
  return withSandbox(`exp${sc.name.slice(0, 2)}`, async (sb) => {
    const script = writeScript(sc, sb);
    try {
      const fresh = await hostDump(sb);
      const t0 = performance.now();
      const up = await runScript(sb, script.path, 'up');
      const upMs = performance.now() - t0;
      const dump = await hostDump(sb);
      if (up.code === 0) await waitSettled(sb);
      const pingFailures = up.code === 0 ? await checkPings(sb, sc.pings) : [];
      const routeGetFailures = up.code === 0 ? describeRouteGets(await checkRouteGets(sb, sc.routeGets)) : [];
      const upAgain = await runScript(sb, script.path, 'up');
      const dumpAgain = await hostDump(sb);
      const down = await runScript(sb, script.path, 'down');
      const dumpDown = await hostDump(sb);
      const downAgain = await runScript(sb, script.path, '--teardown');
      return { fresh, up, dump, pingFailures, routeGetFailures, upAgain, dumpAgain, down, dumpDown, downAgain, upMs };
    } finally {
      script.remove();
    }
  });
}
