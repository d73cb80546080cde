/**
 * Which network reachability is asked of: the design (the document, before any
 * apply) or, with the live view on, the host as the watch keeps it, with the
 * filter tables read for reachability (./reach-store.ts). The live net follows
 * every watch update, so a link set down with `ip` changes the answer at once;
 * the filter tables, which no netlink event announces, are read again every few
 * seconds while reachability is shown.
 */
import { useEffect, useMemo } from 'react';
import type { Topology } from '../../shared/model/schema';
import type { ObservedHost } from '../../shared/model/observed';
import { netOfDocument } from '../../shared/reach/from-document';
import { netOfObserved } from '../../shared/reach/from-observed';
import type { Net } from '../../shared/reach/net';
import { useBackend } from '../backend-context';
import { useEditor } from '../store/editor-store';
import { useLive } from '../store/live-store';
import { FILTER_REFRESH_MS, readFilters, useReach, type FirewallLines } from '../store/reach-store';

export interface ReachSource {
  net: Net;
  source: 'design' | 'live';
  /** the documents the canvas draws ids from (live: the host and the document), for the path's ids */
  docs: Topology[];
  /** live: the filter tables are not read yet (predictions ignore them until they are) */
  filtersMissing: boolean;
}

/** The observed host with each namespace's firewall lines put in where they were read. */
export function withFilters(host: ObservedHost, filters: Record<string, FirewallLines> | undefined): ObservedHost {
  if (!filters) return host;
  return { ...host, namespaces: host.namespaces.map((n) => (filters[n.name] ? { ...n, ...filters[n.name] } : n)) };
}

/** `active`: the caller shows reachability now (only then are the live filter tables read). */
export function useReachSource(active: boolean): ReachSource | undefined {
  const backend = useBackend();
  const doc = useEditor((s) => s.doc);
  const liveOn = useLive((s) => s.enabled);
  const observed = useLive((s) => s.observed);
  const host = useLive((s) => s.host);
  const filters = useReach((s) => s.filters);
  const live = liveOn ? observed : undefined;
  useEffect(() => {
    if (active && liveOn && backend && !filters) void readFilters(backend);
  }, [active, liveOn, backend, filters]);
  // and again while shown: a firewall rule changed by hand shows without reopening anything
  useEffect(() => {
    if (!active || !liveOn || !backend) return;
    const id = setInterval(() => void readFilters(backend), FILTER_REFRESH_MS);
    return () => clearInterval(id);
  }, [active, liveOn, backend]);
  return useMemo(() => {
    if (!active) return undefined;
    if (liveOn) {
      if (!live) return undefined;
      return { net: netOfObserved(withFilters(live, filters)), source: 'live', docs: host ? [host, doc] : [doc], filtersMissing: !filters };
    }
    return { net: netOfDocument(doc), source: 'design', docs: [doc], filtersMissing: false };
  }, [active, liveOn, live, filters, host, doc]);
}
