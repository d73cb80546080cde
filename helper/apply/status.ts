/**
 * How each applied topology stands on the host now, for `netns-studio list`,
 * `status NAME` and the app's list: its record compared with what discover sees
 * (objects gone) and, when the record keeps the document last applied, a fresh
 * plan of it (steps = drift). Read-only on the host.
 */
import { API_VERSION, KIND, Topology } from '../../shared/model/schema';
import type { Step } from '../../shared/model/step';
import { namespacesOfRecord, presenceIn, reconcile } from '../ownership/scope';
import { isApplied, listRecords, readHistory, readRecord, type HistoryEntry, type TopologyRecord } from '../ownership/topologies';
import type { ApplyContext } from './context';
import { ApplyFailure, fail } from './failure';
import { stateDirOf } from './journal';
import { planForHost } from './pipeline';
import { checkTopologyName } from '../../shared/model/topology-name';

export type TopologyState = 'in-sync' | 'drifted' | 'partly-gone' | 'gone' | 'unknown';

export interface ObjectCounts {
  namespaces: number;
  links: number;
  addresses: number;
  routes: number;
  other: number;
  total: number;
}

export interface TopologyStatus {
  name: string;
  file?: string;
  appliedAt?: string;
  firstAppliedAt?: string;
  state: TopologyState;
  /** steps a fresh plan of the document last applied has (undefined: no document recorded) */
  drift?: number;
  /** recorded objects no longer on the host */
  gone: string[];
  counts: ObjectCounts;
  /** made from the previous version's record (no document: only presence is checked) */
  migratedFrom?: string;
  /** record files that could not be read, kept aside; why the state is unknown */
  problems: string[];
}

export interface TopologyDetail extends TopologyStatus {
  /** the fresh plan's steps (what drifted) */
  steps: Step[];
  document?: unknown;
  history: HistoryEntry[];
}

export function countObjects(owned: string[]): ObjectCounts {
  const c: ObjectCounts = { namespaces: 0, links: 0, addresses: 0, routes: 0, other: 0, total: owned.length };
  for (const k of owned) {
    const kind = k.slice(0, k.indexOf(':'));
    if (kind === 'netns') c.namespaces++;
    else if (kind === 'link') c.links++;
    else if (kind === 'addr') c.addresses++;
    else if (kind === 'route') c.routes++;
    else c.other++;
  }
  return c;
}

/** One line of `list`: `in sync`, `drifted 3`, `partly gone (2 of 9)`. */
export function describeState(s: TopologyStatus): string {
  if (s.state === 'partly-gone') return `partly gone (${s.gone.length} of ${s.counts.total})`;
  if (s.state === 'drifted') return `drifted ${s.drift}`;
  if (s.state === 'in-sync') return 'in sync';
  return s.state;
}

async function statusOf(r: TopologyRecord, ctx: ApplyContext): Promise<TopologyDetail> {
  const base = {
    name: r.name,
    ...(r.meta.file ? { file: r.meta.file } : {}),
    ...(r.meta.appliedAt ? { appliedAt: r.meta.appliedAt } : {}),
    ...(r.meta.firstAppliedAt ? { firstAppliedAt: r.meta.firstAppliedAt } : {}),
    ...(r.meta.migratedFrom ? { migratedFrom: r.meta.migratedFrom } : {}),
    counts: countObjects(r.ownership.owned),
    problems: [...r.problems.map((p) => `${p.path}: ${p.error} (kept at ${p.keptAt})`), ...r.keptAside.map((p) => `unreadable record file kept at ${p}`)],
    history: readHistory(r.dir),
    ...(r.document !== undefined ? { document: r.document } : {}),
  };
  const owned = new Set(r.ownership.owned);
  // what counts: objects the topology created (a change it made on something else is not an object of its own)
  const goneOwned = (gone: string[]) => gone.filter((k) => owned.has(k));
  const stateOf = (gone: string[], drift: number | undefined): TopologyState => {
    if (owned.size > 0 && gone.length >= owned.size) return 'gone';
    if (gone.length) return 'partly-gone';
    return drift ? 'drifted' : 'in-sync';
  };
  try {
    if (r.document !== undefined) {
      const plan = await planForHost(r.document, ctx, { file: r.meta.file, name: r.name });
      const gone = goneOwned(plan.gone);
      return { ...base, state: stateOf(gone, plan.steps.length), drift: plan.steps.length, gone, steps: plan.steps };
    }
    // no document (migrated from the previous version): only whether the recorded objects are still there
    const namespaces = namespacesOfRecord(r.ownership);
    const probe = Topology.parse({ apiVersion: API_VERSION, kind: KIND, namespaces: namespaces.map((name) => ({ name })) });
    const { observed } = await ctx.engine.discover(ctx, probe);
    const gone = goneOwned(reconcile(r.ownership, presenceIn(ctx.engine.observedKeys(observed))).gone);
    return { ...base, state: stateOf(gone, undefined), gone, steps: [] };
  } catch (e) {
    const why = e instanceof ApplyFailure ? e.failure.message : e instanceof Error ? e.message : String(e);
    return { ...base, state: 'unknown', gone: [], steps: [], problems: [...base.problems, why] };
  }
}

const summaryOf = ({ steps: _s, document: _d, history: _h, ...s }: TopologyDetail): TopologyStatus => s;

/** Every applied topology under the state dir, with how it stands. */
export async function listTopologies(ctx: ApplyContext): Promise<TopologyStatus[]> {
  const records = listRecords(stateDirOf(ctx.stateDir)).filter(isApplied);
  const out: TopologyStatus[] = [];
  for (const r of records) out.push(summaryOf(await statusOf(r, ctx)));
  return out;
}

/** One topology, with the steps that drifted, its document and its history. */
export async function topologyStatus(name: string, ctx: ApplyContext): Promise<TopologyDetail> {
  const bad = checkTopologyName(name);
  if (bad) fail('invalid-name', bad);
  const stateDir = stateDirOf(ctx.stateDir);
  const all = listRecords(stateDir);
  const r = all.find((x) => x.name === name) ?? readRecord(stateDir, name);
  if (!isApplied(r)) fail('unknown-topology', `no topology "${name}" is applied in ${stateDir} (netns-studio list shows the applied ones)`, { name, known: all.filter(isApplied).map((x) => x.name) });
  return statusOf(r, ctx);
}
