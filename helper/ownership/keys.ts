/**
 * Reading object keys (shared/model/ids.ts): which namespace an object lives in,
 * and which other keys one step creates (a veth pair is one step, two links).
 */
import type { Step } from '../../shared/model/step';
import { objectKey } from '../../shared/model/ids';

/** The namespace an object key lives in (`netns:NS` lives in itself); undefined for forwarders. */
export function keyNamespace(key: string): string | undefined {
  const colon = key.indexOf(':');
  if (colon < 0) return undefined;
  const kind = key.slice(0, colon);
  const rest = key.slice(colon + 1);
  if (kind === 'forwarder') return undefined;
  if (kind === 'netns' || kind === 'loopback' || kind === 'dns' || kind === 'attach') return rest;
  const slash = rest.indexOf('/');
  return slash < 0 ? rest : rest.slice(0, slash);
}

/** Keys a create step brings into being: its object, plus the peer end of a veth pair. */
export function createdKeys(step: Step): string[] {
  return step.op.op === 'link.veth' ? [step.object, objectKey.link(step.op.peer.ns, step.op.peer.name)] : [step.object];
}
