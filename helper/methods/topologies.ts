/**
 * Helper methods `topologies.list` (every applied topology and how it stands)
 * and `topologies.status(name)` (one, with the steps that drifted, the document
 * last applied and its history): the app's list of applied topologies. Shapes:
 * shared/model/topology-status.ts.
 */
import { z } from 'zod';
import type { TopologyDetail, TopologyStatus } from '../../shared/model/topology-status';
import { TOPOLOGY_NAME } from '../../shared/model/topology-name';
import { listTopologies, topologyStatus } from '../apply/status';
import { applyContextOf } from './apply-context';
import { defineMethod } from './registry';

export const TopologyNameParam = z.string().regex(TOPOLOGY_NAME, 'a topology name (letters, digits, "_", ".", "-")');
/** The file a document came from (names a topology without `name`, recorded for `list`): a path, no control characters. */
export const SourceFileParam = z.string().min(1).max(4096).regex(/^[^\x00-\x1f\x7f]+$/, 'a file path without control characters'); // eslint-disable-line no-control-regex

export const TopologiesListParams = z.strictObject({});
export const TopologyStatusParams = z.strictObject({ name: TopologyNameParam });

declare module '../../shared/protocol/messages' {
  interface Methods {
    'topologies.list': { params: z.infer<typeof TopologiesListParams>; result: { topologies: TopologyStatus[] } };
    'topologies.status': { params: z.infer<typeof TopologyStatusParams>; result: TopologyDetail };
  }
}

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
