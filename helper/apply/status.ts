/**
 * How each applied topology stands on the host now, for `netns-studio list`,
 * `status NAME` and the app's list: its record compared with what discover sees
 * (objects gone) and, when the record keeps the document last applied, a fresh
 * plan of it (steps = drift). Read-only on the host. The shapes are
 * shared/model/topology-status.ts.
 */
import { API_VERSION, KIND, Topology } from '../../shared/model/schema';
import { countObjects, type TopologyDetail, type TopologyState, type TopologyStatus } from '../../shared/model/topology-status';
import { namespacesOfRecord, presenceIn, reconcile } from '../ownership/scope';
import { isApplied, listRecords, readHistory, readRecord, type TopologyRecord } from '../ownership/topologies';
import type { ApplyContext } from './context';
import { ApplyFailure, fail } from './failure';
import { stateDirOf } from './journal';
import { planForHost } from './pipeline';
import { checkTopologyName } from '../../shared/model/topology-name';

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
  if (!isApplied(r))
    fail('unknown-topology', `no topology "${name}" is applied in ${stateDir} (netns-studio list shows the applied ones)`, {
      name,
      known: all.filter(isApplied).map((x) => x.name),
    });
  return statusOf(r, ctx);
}
