/**
 * Drives the live view: discover once, then follow watch events (typed, shared/protocol/watch.ts).
 * A `resync` replaces the host picture; every other event is one namespace's diff,
 * applied to what that namespace is part of and nothing else (./model/live-diff.ts):
 * its ports flip through `linkUp` and the canvas re-derives only when the drawn
 * shape changed. A sequence number that skips (an event lost between shell and
 * renderer) makes the view read the whole host again.
 */
import type { Backend, HostSnapshot, WatchEvent } from '../shared/backend';
import { linkOperOf, mergeLive } from './model/live-merge';
import { applyNamespaceEvent } from './model/live-diff';
import { isUnnamedName, withUnnamed } from './model/live-unnamed';
import { adoptLive, externalAliases, externalsKey, renameId, type AdoptHow } from './model/live-external';
import { mergeRates } from './model/rates';
import { layoutGraph } from './model/layout';
import { movePositions } from './model/edits';
import { edit, editorStore } from './store/editor-store';
import { liveStore, NO_RATES } from './store/live-store';
import { uiStore } from './store/ui-store';

const REDISCOVER_MS = 60;

let stop: (() => void) | undefined;

function setHost(snapshot: HostSnapshot): void {
  // the first picture of the host is fitted into view (not left at the editor's zoom and place)
  const first = !liveStore.getState().host;
  const doc = editorStore.getState().doc;
  const aliases = liveStore.getState().allNamespaces ? externalAliases(doc, snapshot.observed) : new Map<string, string>();
  const { host, labels } = shownHost(snapshot.document, snapshot.observed, aliases);
  const m = mergeLive(doc, host);
  liveStore.setState({
    host,
    aliases: Object.fromEntries(aliases),
    externals: externalsKey(doc),
    merged: m.merged,
    hostNamed: snapshot.document,
    labels,
    observed: snapshot.observed,
    status: m.status,
    drift: m.drift,
    linkUp: m.linkUp,
    linkOper: linkOperOf(snapshot.observed),
    loading: false,
    error: undefined,
  });
  if (first) {
    uiStore.getState().requestFit();
    void placeDiscovered(host);
  }
}

/** The host as the toggle wants it: every namespace, or the named ones only. */
function shownHost(document: HostSnapshot['document'], observed: HostSnapshot['observed'], aliases: ReadonlyMap<string, string>) {
  return liveStore.getState().allNamespaces ? withUnnamed(document, observed, aliases) : { host: document, labels: withUnnamed(document, undefined).labels };
}

/** Toolbar: every namespace (unnamed ones too) or the named ones only. */
export function setAllNamespaces(all: boolean): void {
  liveStore.setState({ allNamespaces: all });
  const s = liveStore.getState();
  if (s.hostNamed && s.observed) setHost({ document: s.hostNamed, observed: s.observed });
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

/** One namespace's diff applied to the live picture (nothing else is touched). */
function applyDiff(ev: Exclude<WatchEvent, { type: 'resync' }>): boolean {
  const s = liveStore.getState();
  const observed = s.observed;
  if (!s.host || !s.hostNamed || !s.merged || !observed) return false;
  const next = applyNamespaceEvent(
    {
      hostNamed: s.hostNamed,
      observed,
      host: s.host,
      merged: s.merged,
      labels: s.labels,
      status: s.status,
      drift: s.drift,
      linkUp: s.linkUp,
      linkOper: s.linkOper,
    },
    ev,
    editorStore.getState().doc,
    s.allNamespaces,
    new Map(Object.entries(s.aliases)),
  );
  liveStore.setState(next);
  // a container the document refers to started or went away: which namespace is drawn under its entry's name changed
  const doc = editorStore.getState().doc;
  if (s.allNamespaces && s.externals !== '[]' && isUnnamedName(ev.namespace)) {
    const aliases = externalAliases(doc, next.observed);
    if (JSON.stringify(Object.fromEntries(aliases)) !== JSON.stringify(s.aliases)) setHost({ document: next.hostNamed, observed: next.observed });
  }
  return true;
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
  const later = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void discover();
    }, REDISCOVER_MS);
  };
  let lastSeq: number | undefined;
  // the subscription's first event is a resync with the whole host: that is the first picture
  // (a discover beside it would read every namespace a second time); without a watch, discover
  const unwatch = backend.watch(
    (ev) => {
      liveStore.setState({ events: liveStore.getState().events + 1 });
      // bench:live-path's stage timings (set by the bench page only): when each event reached the renderer, and when it was applied
      const trace = (globalThis as { __watchTrace?: unknown[][] }).__watchTrace;
      const t0 = trace ? Date.now() : 0;
      const gap = lastSeq !== undefined && ev.seq !== lastSeq + 1;
      lastSeq = ev.seq;
      if (ev.type === 'resync') return setHost({ document: ev.document, observed: ev.observed });
      // a diff on a picture we do not hold (an event lost, or none drawn yet): read the whole host
      if (gap || !applyDiff(ev)) later();
      trace?.push([ev.type, ev.namespace, t0, Date.now()]);
    },
    (error) => {
      liveStore.setState({ error: error.message });
      if (!liveStore.getState().host) void discover();
    },
  );
  // the document changes too: statuses follow both sides
  const unsub = editorStore.subscribe((s, prev) => {
    const live = liveStore.getState();
    const host = live.host;
    // an external entry added, changed or removed: which unnamed namespace is drawn under which name changes
    if (s.doc !== prev.doc && live.hostNamed && live.observed && externalsKey(s.doc) !== live.externals)
      return setHost({ document: live.hostNamed, observed: live.observed });
    if (s.doc !== prev.doc && host) {
      const m = mergeLive(s.doc, host);
      liveStore.setState({ merged: m.merged, status: m.status, drift: m.drift });
    }
  });
  // throughput on the edges: its own small subscription, sampled by the helper at an interval fit for the host's size
  const unrates = backend.onLinkRates((e) => liveStore.setState((s) => ({ rates: mergeRates(s.rates, e) })));
  stop = () => {
    alive = false;
    unrates();
    if (timer) clearTimeout(timer);
    unwatch();
    unsub();
  };
}

export function stopLive(): void {
  stop?.();
  stop = undefined;
  liveStore.setState({
    enabled: false,
    loading: false,
    host: undefined,
    merged: undefined,
    hostNamed: undefined,
    labels: {},
    aliases: {},
    externals: '[]',
    status: {},
    drift: {},
    linkUp: {},
    linkOper: {},
    rates: NO_RATES,
  });
}

/**
 * Adopt host objects into the document (inspector, toolbar): containers and other
 * unnamed namespaces come in as external entries (./model/live-external.ts); the
 * selection follows an `inode:N` box to its new name.
 */
export function adoptFromHost(ids: readonly string[], how: AdoptHow): void {
  const s = liveStore.getState();
  if (!s.host) return;
  let names: ReadonlyMap<string, string> = new Map();
  edit((d) => {
    const r = adoptLive(d, s.host!, s.observed, ids, how);
    names = r.names;
    return r.doc;
  });
  if (names.size) uiStore.getState().setSelection(uiStore.getState().selection.map((id) => renameId(id, names)));
}
