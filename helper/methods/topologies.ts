/**
 * Helper methods `topologies.list` (every applied topology and how it stands)
 * and `topologies.status(name)` (one, with the steps that drifted, the document
 * last applied and its history): the app's list of applied topologies. Shapes:
 * shared/model/topology-status.ts.
 */
import { TopologiesListParams, TopologyStatusParams } from '../../shared/protocol/methods';
import { listTopologies, topologyStatus } from '../apply/status';
import { applyContextOf } from './apply-context';
import { defineMethod } from './registry';

export const topologiesListMethod = defineMethod({
  name: 'topologies.list',
  params: TopologiesListParams,
  handler: async (_params, ctx) => ({ topologies: await listTopologies(await applyContextOf(ctx)) }),
});

export const topologyStatusMethod = defineMethod({
  name: 'topologies.status',
  params: TopologyStatusParams,
  handler: async (params, ctx) => topologyStatus(params.name, await applyContextOf(ctx)),
});
