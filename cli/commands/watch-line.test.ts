import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedNamespace } from '../../shared/model/observed';
import type { Topology } from '../../shared/model/schema';
import { eventLine } from './watch-line';
import { runCli } from '../../testing/cli-runner';

const ns = (name: string, named: boolean, extra: Partial<ObservedNamespace> = {}): ObservedNamespace => ({
  name,
  inode: 1,
  named,
  nsids: {},
  links: [],
  routes: [],
  rules: [],
  sysctls: {},
  warnings: [],
  ...extra,
});
const doc = {
  apiVersion: 'netns-studio/v1',
  kind: 'Topology',
  metadata: {},
  namespaces: [{ name: 'a' }],
  bridges: [],
  veths: [],
  forwarders: [],
} as unknown as Topology;

test('the compact resync line carries the unnamed namespaces with their labels', () => {
  const observed = {
    readAt: 0,
    durationMs: 0,
    warnings: [],
    namespaces: [ns('host', true), ns('a', true), ns('inode:7', false, { identity: { source: 'docker', label: 'docker web' } }), ns('inode:8', false)],
  };
  const line = JSON.parse(eventLine({ event: 'watch', seq: 1, data: { type: 'resync', observed, document: doc } } as never, false));
  assert.deepEqual(line.namespaces, ['a']);
  assert.deepEqual(line.unnamed, [
    { name: 'inode:7', label: 'docker web' },
    { name: 'inode:8', label: 'inode:8' },
  ]);
});

test('watch --help says unnamed namespaces are streamed, and offers --named-only', () => {
  const h = runCli(['watch', '--help']);
  assert.equal(h.status, 0);
  assert.doesNotMatch(h.stdout, /not streamed/);
  assert.match(h.stdout, /--named-only/);
  assert.match(h.stdout, /namespace-added \/ namespace-changed .* for unnamed namespaces too/s);
  assert.match(runCli(['watch', '--named-only', '--unnamed']).stderr, /contradict/);
});
