/** `discover`: the whole host as a document plus observed facts, and which objects we own. */
import { DiscoverParams, type DiscoverResult } from '../../shared/protocol/messages';
import { discover } from '../discover/index';
import { ownedKeys } from '../discover/owned';
import { defineMethod } from './registry';

export const discoverMethod = defineMethod({
  name: 'discover',
  params: DiscoverParams,
  handler: async (params): Promise<DiscoverResult> => {
    const d = await discover(params ?? {});
    return { ...d, owned: ownedKeys() };
  },
});
