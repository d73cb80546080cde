/** One `watch` event as the line `netns-studio watch` prints. */
import type { Event, WatchData } from '../../shared/protocol/messages';

export function eventLine(e: Event, full: boolean): string {
  const d = e.data as WatchData;
  const head = { seq: e.seq, time: new Date().toISOString() };
  if (full) return JSON.stringify({ ...head, ...d });
  switch (d.type) {
    case 'resync': {
      // named namespaces as the document holds them; the unnamed ones (containers, `unshare -n`) by name and label
      const unnamed = d.observed.namespaces.filter((n) => !n.named).map((n) => ({ name: n.name, label: n.identity?.label ?? n.name }));
      return JSON.stringify({ ...head, type: d.type, namespaces: d.document.namespaces.map((n) => n.name), ...(unnamed.length ? { unnamed } : {}) });
    }
    case 'namespace-removed':
      return JSON.stringify({ ...head, type: d.type, namespace: d.namespace });
    default:
      return JSON.stringify({ ...head, type: d.type, namespace: d.namespace, observed: d.observed });
  }
}
