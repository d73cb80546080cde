/**
 * Drives the live view: discover once, then follow watch events. A `resync` (or any
 * event carrying a whole snapshot) replaces the host picture; an event naming one
 * link's state updates just that link at once; every other event is a trigger to
 * re-discover (debounced), since the kernel monitor says *that* something changed
 * more reliably than *what*.
 */
import type { Backend, HostSnapshot, WatchEvent } from '../shared/backend';
import { objectKey } from '../shared/model/ids';
import { linkOperOf, mergeLive } from './model/live-merge';
import { asObservedHost, withUnnamed } from './model/live-unnamed';
import { layoutGraph } from './model/layout';
import { movePositions } from './model/edits';
import { editorStore } from './store/editor-store';
import { liveStore, setLinkUp } from './store/live-store';
import { uiStore } from './store/ui-store';

const REDISCOVER_MS = 60;

let stop: (() => void) | undefined;

function setHost(snapshot: HostSnapshot): void {
  // the first picture of the host is fitted into view (not left at the editor's zoom and place)
  const first = !liveStore.getState().host;
  const { host, labels } = shownHost(snapshot.document, snapshot.observed);
  const m = mergeLive(editorStore.getState().doc, host);
  liveStore.setState({
    host,
    hostNamed: snapshot.document,
    labels,
    observed: snapshot.observed,
    status: m.status,
    drift: m.drift,
    linkUp: m.linkUp,
    linkOper: linkOperOf(snapshot.observed, liveStore.getState().linkOper),
    loading: false,
    error: undefined,
  });
  if (first) {
    uiStore.getState().requestFit();
    void placeDiscovered(host);
  }
}

/** The host as the toggle wants it: every namespace, or the named ones only. */
function shownHost(document: HostSnapshot['document'], observed: unknown) {
  return liveStore.getState().allNamespaces ? withUnnamed(document, asObservedHost(observed)) : { host: document, labels: withUnnamed(document, undefined).labels };
}

/** Toolbar: every namespace (unnamed ones too) or the named ones only. */
export function setAllNamespaces(all: boolean): void {
  liveStore.setState({ allNamespaces: all });
  const s = liveStore.getState();
  if (s.hostNamed) setHost({ document: s.hostNamed, observed: s.observed });
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
  const { positions, routes } = await layoutGraph(mergeLive(doc, host).merged);
  const s = editorStore.getState();
  if (s.doc !== doc || !liveStore.getState().enabled) return;
  uiStore.setState({ routes });
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

/**
 * Link states of the one namespace a watch event is about (`namespaceObserved`, as
 * the shell maps the helper's per-namespace events; `observed` when it is one
 * namespace): only ports already drawn, so nothing new appears before the merge.
 */
export function namespaceLinkFacts(ev: WatchEvent): { key: string; up: boolean }[] {
  const one = (ev.namespaceObserved ?? (ev.type !== 'resync' ? ev.observed : undefined)) as { name?: unknown; links?: unknown } | undefined;
  if (!one || typeof one.name !== 'string' || !Array.isArray(one.links)) return [];
  const drawn = liveStore.getState().linkUp;
  const out: { key: string; up: boolean }[] = [];
  for (const l of one.links as { name?: unknown; up?: unknown }[]) {
    if (typeof l?.name !== 'string' || typeof l.up !== 'boolean') continue;
    const key = objectKey.link(one.name, l.name);
    if (key in drawn && drawn[key] !== l.up) out.push({ key, up: l.up });
  }
  return out;
}

export function startLive(backend: Backend): void {
  stopLive();
  liveStore.setState({ enabled: true, loading: true, error: undefined });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let alive = true;
  const discover = async () => {
    // every namespace is read; the toggle only hides the unnamed ones
    const r = await backend.discover({ unnamed: true });
    if (!alive) return;
    if (r.ok) setHost(r.value);
    else liveStore.setState({ error: r.error.message, loading: false });
  };
  let pending: HostSnapshot | undefined;
  let hostTimer: ReturnType<typeof setTimeout> | undefined;
  const setHostSoon = (snap: HostSnapshot) => {
    pending = snap;
    hostTimer ??= setTimeout(() => {
      hostTimer = undefined;
      if (alive && pending) setHost(pending);
      pending = undefined;
    }, 0);
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
      if (snap && typeof snap === 'object' && 'document' in snap) {
        // the changed namespace's link states go to their ports at once; the whole picture
        // (merge with the document, overlay, statuses) follows once the burst is over
        for (const f of namespaceLinkFacts(ev)) setLinkUp(f.key, f.up);
        return setHostSoon(snap);
      }
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
      liveStore.setState({ status: m.status, drift: m.drift });
    }
  });
  stop = () => {
    alive = false;
    if (timer) clearTimeout(timer);
    if (hostTimer) clearTimeout(hostTimer);
    unwatch();
    unsub();
  };
}

export function stopLive(): void {
  stop?.();
  stop = undefined;
  liveStore.setState({ enabled: false, loading: false, host: undefined, hostNamed: undefined, labels: {}, status: {}, drift: {}, linkUp: {}, linkOper: {} });
}
