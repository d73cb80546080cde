/**
 * Every method the helper serves. To add one: `defineMethod` in its own file
 * (./registry.ts), append it here, and declare its types in the protocol's
 * `Methods` interface by declaration merging (shared/protocol/messages.ts).
 */
import type { MethodDef } from './registry';
import { helloMethod } from './hello';
import { discoverMethod } from './discover';
import { watchSubscribeMethod, watchUnsubscribeMethod } from './watch';
import { planHelperMethod } from './plan';
import { applyHelperMethod } from './apply';
import { destroyHelperMethod } from './destroy';
import { pingMethod } from './ping';
import { topologiesListMethod, topologyStatusMethod } from './topologies';
import { forwardersListMethod, forwardersSubscribeMethod, forwardersUnsubscribeMethod } from './forwarders';

export const METHODS: MethodDef<any, any>[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
  helloMethod,
  discoverMethod,
  watchSubscribeMethod,
  watchUnsubscribeMethod,
  planHelperMethod,
  applyHelperMethod,
  destroyHelperMethod,
  forwardersListMethod,
  forwardersSubscribeMethod,
  forwardersUnsubscribeMethod,
  pingMethod,
  topologiesListMethod,
  topologyStatusMethod,
];
