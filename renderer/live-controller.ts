/**
 * Drives the live view: discover once, then follow watch events. A `resync` (or any
 * event carrying a whole snapshot) replaces the host picture; an event naming one
 * link's state updates just that link at once; every other event is a trigger to
 * re-discover (debounced), since the kernel monitor says *that* something changed
 * more reliably than *what*.
 */
import type { Backend, HostSnapshot, WatchEvent } from '../shared/backend';
import { objectKey } from '../shared/model/ids';
import { mergeLive } from './model/live-merge';
import { autoLayout } from './model/layout';
import { movePositions } from './model/edits';
import { editorStore } from './store/editor-store';
import { liveStore, setLinkUp } from './store/live-store';
import { uiStore } from './store/ui-store';

const REDISCOVER_MS = 60;

let stop: (() => void) | undefined;

function setHost(snapshot: HostSnapshot): void {
  // the first picture of the host is fitted into view (not left at the editor's zoom and place)
  const first = !liveStore.getState().host;
  const m = mergeLive(editorStore.getState().doc, snapshot.document);
  liveStore.setState({ host: snapshot.document, observed: snapshot.observed, status: m.status, linkUp: m.linkUp, loading: false, error: undefined });
  if (first) {
    uiStore.getState().requestFit();
    void placeDiscovered(snapshot.document);
  }
}

/** above this the live picture keeps the plain grid (ELK would take seconds) */
const LAYOUT_LIVE_LIMIT = 1500;

/**
 * The first live picture of a document that has no positions yet (the first run's
 * "Inspect this host"): the host's objects are laid out with ELK, so discovered
 * boxes do not overlap; the positions join the document as its layout, not as an
 * unsaved change.
 */
async function placeDiscovered(host: HostSnapshot['document']): Promise<void> {
  const doc = editorStore.getState().doc;
  if (Object.keys(doc.layout?.positions ?? {}).length || host.namespaces.length > LAYOUT_LIVE_LIMIT) return;
  const positions = await autoLayout(mergeLive(doc, host).merged);
  const s = editorStore.getState();
  if (s.doc !== doc || !liveStore.getState().enabled) return;
  const laid = movePositions(doc, positions);
  editorStore.setState(s.savedDoc === doc ? { doc: laid, savedDoc: laid } : { doc: laid });
  uiStore.getState().requestFit();
}

/** A link fact in an event, in whatever shape the helper sends it. */
export function linkFact(ev: WatchEvent): { key: string; up: boolean } | undefined {
  const ns = typeof ev.namespace === 'string' ? ev.namespace : typeof ev.ns === 'string' ? ev.ns : undefined;
  const name = typeof ev.ifname === 'string' ? ev.ifname : typeof ev.name === 'string' ? ev.name : undefined;
  const up = typeof ev.up === 'boolean' ? ev.up : typeof ev.operstate === 'string' ? ev.operstate.toUpperCase() !== 'DOWN' : undefined;
  if (typeof ev.key === 'string' && up !== undefined) return { key: ev.key, up };
  if (ns && name && up !== undefined) return { key: objectKey.link(ns, name), up };
  return undefined;
}

export function startLive(backend: Backend): void {
  stopLive();
  liveStore.setState({ enabled: true, loading: true, error: undefined });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let alive = true;
  const discover = async () => {
    const r = await backend.discover();
    if (!alive) return;
    if (r.ok) setHost(r.value);
    else liveStore.setState({ error: r.error.message, loading: false });
  };
  const later = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void discover();
    }, REDISCOVER_MS);
  };
  void discover();
  const unwatch = backend.watch(
    (ev) => {
      liveStore.setState({ events: liveStore.getState().events + 1 });
      const snap = (ev.snapshot ?? (ev.document ? { document: ev.document, observed: ev.observed } : undefined)) as HostSnapshot | undefined;
      if (snap && typeof snap === 'object' && 'document' in snap) return setHost(snap);
      const fact = linkFact(ev);
      if (fact) setLinkUp(fact.key, fact.up);
      later();
    },
    (error) => liveStore.setState({ error: error.message }),
  );
  // the document changes too: statuses follow both sides
  const unsub = editorStore.subscribe((s, prev) => {
    const host = liveStore.getState().host;
    if (s.doc !== prev.doc && host) {
      const m = mergeLive(s.doc, host);
      liveStore.setState({ status: m.status });
    }
  });
  stop = () => {
    alive = false;
    if (timer) clearTimeout(timer);
    unwatch();
    unsub();
  };
}

export function stopLive(): void {
  stop?.();
  stop = undefined;
  liveStore.setState({ enabled: false, loading: false, host: undefined, status: {}, linkUp: {} });
}
