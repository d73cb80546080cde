/**
 * Reading object keys (shared/model/ids.ts): which namespace an object lives in,
 * and which other keys one step creates (a veth pair is one step, two links).
 */
import type { Step } from '../../shared/model/step';

/** The namespace an object key lives in (`netns:NS` lives in itself); undefined for forwarders. */
export function keyNamespace(key: string): string | undefined {
  const colon = key.indexOf(':');
  if (colon < 0) return undefined;
  const kind = key.slice(0, colon);
  const rest = key.slice(colon + 1);
  if (kind === 'forwarder') return undefined;
  if (kind === 'netns' || kind === 'loopback' || kind === 'dns') return rest;
  const slash = rest.indexOf('/');
  return slash < 0 ? rest : rest.slice(0, slash);
}

/**
 * Keys a create step brings into being: its object, plus the peer end of a veth
 * (`ip link add [name] A … type veth peer [name] B [netns N]`).
 */
export function createdKeys(step: Step): string[] {
  const keys = [step.object];
  const a = step.argv;
  if (a[0] === 'ip' && a[1] === 'link' && a[2] === 'add') {
    const peer = a.indexOf('peer');
    if (peer > 0) {
      let i = peer + 1;
      if (a[i] === 'name') i++;
      const name = a[i];
      let ns = step.namespace;
      for (let j = i + 1; j < a.length - 1; j++) if (a[j] === 'netns') ns = a[j + 1];
      if (name) keys.push(`link:${ns}/${name}`);
    }
  }
  return keys;
}
