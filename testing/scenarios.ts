/**
 * The seed scenarios kept in fixtures/scenarios/NN-name/: the topology file, the
 * hand-written reference script (namespaces as ${P}name, run inside a sandbox
 * host with sb.bash), the pings that must hold once it is built and, where the
 * scenario has them, the routes the kernel must pick (route-gets).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from '../shared/yaml/load';
import type { Topology } from '../shared/model/schema';
import { parsePings, type PingCheck } from './pings';
import { parseRouteGets, type RouteGetCheck } from './route-gets';

export const SCENARIO_DIR = join(import.meta.dirname, '..', 'fixtures', 'scenarios');

export interface Scenario {
  name: string;
  dir: string;
  doc: Topology;
  referenceUp: string;
  pings: PingCheck[];
  /** the routes the kernel must pick once it is built (optional `route-gets` file) */
  routeGets: RouteGetCheck[];
  /** the topology has VRFs, so the kernel must support them */
  needsVrf: boolean;
}

export function scenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((d) => /^\d\d-/.test(d) && existsSync(join(SCENARIO_DIR, d, 'topology.yaml')))
    .sort();
}

export function loadScenario(name: string): Scenario {
  const dir = join(SCENARIO_DIR, name);
  const loaded = loadTopology(readFileSync(join(dir, 'topology.yaml'), 'utf8'), join(dir, 'topology.yaml'));
  if (!loaded.ok) throw new Error(`${name}/topology.yaml: ${loaded.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('; ')}`);
  const doc = loaded.doc;
  return {
    name,
    dir,
    doc,
    referenceUp: readFileSync(join(dir, 'reference-up.sh'), 'utf8'),
    pings: parsePings(readFileSync(join(dir, 'pings'), 'utf8')),
    routeGets: existsSync(join(dir, 'route-gets')) ? parseRouteGets(readFileSync(join(dir, 'route-gets'), 'utf8')) : [],
    needsVrf: doc.namespaces.some((n) => n.vrfs.length > 0),
  };
}

export function loadScenarios(): Scenario[] {
  return scenarioNames().map(loadScenario);
}
