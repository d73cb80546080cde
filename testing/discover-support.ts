/**
 * Discover inside a kernel-test sandbox, the way the product does it: a real
 * helper process over stdio, started inside the sandbox's host namespace (so
 * `host` is the sandbox, never the machine), reading only the sandbox's prefixed
 * namespaces and reporting them by their scenario names.
 */
import { HelperClient, startStdioHelper } from '../helper/client';
import type { DiscoverParams, DiscoverResult } from '../shared/protocol/messages';
import type { Sandbox } from './sandbox';

export const sandboxHelperWrap = (sb: Sandbox) => ['nsenter', `--net=/run/netns/${sb.hostNs}`];

/** `confirm: 'client'`: the test is the person who says yes to what the helper asks for (helper/confirm/gate.ts) */
export function startSandboxHelper(sb: Sandbox, opts: { confirm?: 'client' } = {}): Promise<HelperClient> {
  return startStdioHelper({ wrap: sandboxHelperWrap(sb), ...opts });
}

export function discoverSandbox(h: HelperClient, sb: Sandbox, extra: NonNullable<DiscoverParams> = {}): Promise<DiscoverResult> {
  return h.request('discover', { onlyPrefix: sb.prefix, stripPrefix: true, ...extra });
}

/** Real namespace name → the name a scenario uses (`host` for the sandbox host). */
export const sandboxLabel = (sb: Sandbox) => (name: string) =>
  name === 'host' || name === sb.hostNs ? 'host' : name.startsWith(sb.prefix) ? name.slice(sb.prefix.length) : name;
