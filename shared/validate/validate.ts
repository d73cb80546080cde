/**
 * Semantic validation: what the schema cannot say because it needs the whole
 * document (names the kernel refuses, references, duplicates, overlaps,
 * unreachable gateways). Pure: a document in, a list of issues out, each with a
 * code, a message and the field path (which ../yaml/positions.ts turns into a
 * line and column).
 */
import type { Topology } from '../model/schema';
import type { ValidationIssue } from './issue';
import { indexTopology, type TopologyIndex } from './topology-index';
import { nameRules, textRules } from './rules/names';
import { namespaceRules } from './rules/namespaces';
import { interfaceRules } from './rules/interfaces';
import { addressRules } from './rules/addresses';
import { routeRules } from './rules/routes';
import { natRules } from './rules/nat';
import { forwarderRules } from './rules/forwarders';
import { namespaceSettingRules } from './rules/namespace-settings';
import { vethRules } from './rules/veths';
import { policyRules } from './rules/policy';
import { externalRules } from './rules/external';

export type Rule = (t: Topology, ix: TopologyIndex) => ValidationIssue[];

/** Every rule, with the codes it can report (the fixtures test holds each code to a broken file). */
export const RULES: readonly { name: string; codes: readonly string[]; check: Rule }[] = [
  {
    name: 'names',
    codes: [
      'ifname-invalid',
      'ifname-too-long',
      'ifname-unsafe',
      'netns-name-invalid',
      'netns-name-too-long',
      'netns-name-unsafe',
      'forwarder-name-invalid',
      'topology-name-invalid',
    ],
    check: nameRules,
  },
  { name: 'text', codes: ['metadata-control-chars'], check: textRules },
  { name: 'namespaces', codes: ['duplicate-namespace', 'host-dns', 'host-loopback-down', 'host-reserved', 'unknown-namespace'], check: namespaceRules },
  { name: 'interfaces', codes: ['duplicate-interface', 'unknown-master', 'master-kind'], check: interfaceRules },
  { name: 'addresses', codes: ['invalid-address', 'duplicate-address', 'subnet-overlap'], check: addressRules },
  { name: 'veths', codes: ['veth-same-address'], check: (t) => vethRules(t) },
  { name: 'external', codes: ['external-settings'], check: (t) => externalRules(t) },
  {
    name: 'routes',
    codes: [
      'invalid-prefix',
      'route-prefix-host-bits',
      'invalid-ip',
      'route-family-mismatch',
      'route-type-nexthop',
      'route-no-nexthop',
      'unknown-interface',
      'gateway-unreachable',
      'route-src-not-local',
      'duplicate-route',
      'route-multipath',
    ],
    check: routeRules,
  },
  {
    name: 'policy',
    codes: [
      'table-name-invalid',
      'unknown-table',
      'invalid-prefix',
      'rule-family-mismatch',
      'rule-table',
      'duplicate-rule-priority',
      'rule-table-empty',
      'table-unused',
    ],
    check: (t) => policyRules(t),
  },
  { name: 'nat', codes: ['nat-rule', 'invalid-prefix', 'invalid-ip', 'unknown-interface'], check: natRules },
  { name: 'forwarders', codes: ['duplicate-forwarder', 'invalid-ip', 'forwarder-listen-address', 'duplicate-listen'], check: forwarderRules },
  { name: 'namespace-settings', codes: ['sysctl-value', 'vrf-table-clash', 'invalid-ip', 'dns-search-invalid'], check: (t) => namespaceSettingRules(t) },
];

export function validateTopology(doc: Topology): ValidationIssue[] {
  const ix = indexTopology(doc);
  return RULES.flatMap((r) => r.check(doc, ix));
}
