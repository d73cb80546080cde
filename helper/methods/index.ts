/**
 * Every method the helper serves, keyed by the protocol's method table
 * (shared/protocol/methods.ts). To add one: a row there, a `defineMethod` in its
 * own file here (./registry.ts), and its key below; the type of HANDLERS refuses
 * a method the table lacks or a table row without a handler.
 */
import type { MethodDef, MethodHandlers } from './registry';
import { helloMethod } from './hello';
import { discoverMethod } from './discover';
import { watchSubscribeMethod, watchUnsubscribeMethod } from './watch';
import { planHelperMethod } from './plan';
import { applyHelperMethod } from './apply';
import { destroyHelperMethod } from './destroy';
import { pingMethod } from './ping';
import { topologiesListMethod, topologyStatusMethod } from './topologies';
import { captureStartMethod, captureStopMethod } from './capture';
import { terminalCloseMethod, terminalInputMethod, terminalOpenMethod, terminalResizeMethod } from './terminal';
import { linkImpairMethod } from './link-impair';
import { forwardersListMethod, forwardersSubscribeMethod, forwardersUnsubscribeMethod } from './forwarders';
import { ratesSubscribeMethod, ratesUnsubscribeMethod } from './rates';

export const HANDLERS: MethodHandlers = {
  hello: helloMethod,
  discover: discoverMethod,
  'watch.subscribe': watchSubscribeMethod,
  'watch.unsubscribe': watchUnsubscribeMethod,
  plan: planHelperMethod,
  apply: applyHelperMethod,
  destroy: destroyHelperMethod,
  'forwarders.list': forwardersListMethod,
  'forwarders.subscribe': forwardersSubscribeMethod,
  'forwarders.unsubscribe': forwardersUnsubscribeMethod,
  'rates.subscribe': ratesSubscribeMethod,
  'rates.unsubscribe': ratesUnsubscribeMethod,
  ping: pingMethod,
  'topologies.list': topologiesListMethod,
  'topologies.status': topologyStatusMethod,
  'capture.start': captureStartMethod,
  'capture.stop': captureStopMethod,
  'terminal.open': terminalOpenMethod,
  'terminal.input': terminalInputMethod,
  'terminal.resize': terminalResizeMethod,
  'terminal.close': terminalCloseMethod,
  'link.impair': linkImpairMethod,
};

export const METHODS: readonly MethodDef[] = Object.values(HANDLERS);
