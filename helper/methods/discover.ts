/** `discover`: the whole host as a document plus observed facts, and which objects we own. */
import { DiscoverParams, PROTOCOL_ERROR, type DiscoverResult } from '../../shared/protocol/messages';
import { discover } from '../discover/index';
import { ownedKeys } from '../discover/owned';
import { HelperError, defineMethod } from './registry';

export const discoverMethod = defineMethod({
  name: 'discover',
  params: DiscoverParams,
  handler: async (params): Promise<DiscoverResult> => {
    // without root, namespaces cannot be entered: a silently partial host would mislead
    if (process.getuid?.() !== 0) throw new HelperError(PROTOCOL_ERROR.notRoot, 'discover needs root: the helper runs as uid ' + process.getuid?.());
    const d = await discover(params ?? {});
    return { ...d, owned: ownedKeys() };
  },
});
