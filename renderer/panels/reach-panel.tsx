/**
 * Reachability: every namespace pinging every other namespace's addresses,
 * predicted by shared/reach: on the design before anything is applied ("this
 * design will not reach the gateway"), or on the live host with the live view
 * on. On request the helper pings each pair for real (progress while it runs)
 * and the outcome stands beside the prediction, disagreements flagged.
 * Selecting a row highlights its path on the canvas hop by hop, or marks the
 * failing hop, and shows the reason and fix.
 */
import { useMemo, useState } from 'react';
import { reachMatrix } from '../../shared/reach/matrix';
import { useBackend, useHelperStatus } from '../backend-context';
import { ReachHighlight, pathIdsOn } from '../reach/reach-highlight';
import { useReachSource } from '../reach/use-reach-source';
import { canPing, pairKey, pingPairs, readFilters, useReach } from '../store/reach-store';
import { liveStore } from '../store/live-store';
import { uiStore } from '../store/ui-store';

/** Caps the table (a 200-namespace design has 40 000 pairs); the CLI has them all. */
const MAX_ROWS = 2000;

export function ReachPanel() {
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState<number>();
  const src = useReachSource(open);
  const backend = useBackend();
  const helper = useHelperStatus();
  const actual = useReach((s) => s.actual);
  const pinging = useReach((s) => s.pinging);
  const pinged = useReach((s) => s.pinged);
  const pingRuns = useReach((s) => s.pingRuns);
  const pingError = useReach((s) => s.pingError);
  const filtersError = useReach((s) => s.filtersError);
  const rows = useMemo(() => (src ? reachMatrix(src.net) : []), [src]);
  const row = selected !== undefined ? rows[selected] : undefined;
  if (!open) {
    return (
      <button type="button" className="reach-toggle" data-testid="reach-open" onClick={() => setOpen(true)}>
        Reachability
      </button>
    );
  }
  const shown = rows.slice(0, MAX_ROWS);
  // a pair selected brings its path into view, near enough to read (a fitted large design is drawn compact)
  const select = (i: number) => {
    setSelected(i === selected ? undefined : i);
    if (i === selected || !src) return;
    const ids = pathIdsOn(src.docs, rows[i]);
    const nodes = [...new Set([...ids.nodes, ...(ids.failNode ? [ids.failNode] : [])])];
    if (nodes.length) uiStore.getState().requestFit(nodes);
  };
  const counts = (v: string) => rows.filter((r) => r.predicted === v).length;
  const outcome = (r: (typeof rows)[number]) => actual[pairKey(r.from, r.to)];
  const disagree = shown.filter((r) => {
    const o = outcome(r);
    return o && (o.ok ? 'ok' : 'fail') !== r.predicted;
  }).length;
  const pingable = !!backend && helper?.state === 'connected' && !pinging && shown.some(canPing);
  // live: the filter tables are read again first, so the prediction is as fresh as the pings
  const ping = () => backend && void pingPairs(backend, shown, liveStore.getState().enabled ? () => readFilters(backend) : undefined);
  return (
    <section className="reach-panel" aria-label="reachability" data-testid="reach-panel" data-source={src?.source}>
      {row && src && <ReachHighlight docs={src.docs} result={row} testid="reach-highlight" />}
      <header>
        <strong>Reachability ({src?.source === 'live' ? 'live host' : 'design'})</strong> {rows.length} pairs: {counts('ok')} ok, {counts('fail')} fail,{' '}
        {counts('unknown')} unknown
        {disagree > 0 && (
          <span className="reach-disagree" data-testid="reach-disagree-count">
            {disagree} disagree with real pings
          </span>
        )}
        <button
          type="button"
          data-testid="reach-ping"
          disabled={!pingable}
          title={helper?.state !== 'connected' ? 'needs the helper (real pings run on this host)' : 'ping every pair for real from its namespace'}
          onClick={ping}
        >
          Ping for real
        </button>
        {(pinging ?? pinged) && (
          <span data-testid="reach-ping-progress" data-state={pinging ? 'running' : 'done'} data-run={pingRuns}>
            <progress max={(pinging ?? pinged)!.total} value={(pinging ?? pinged)!.done} /> {(pinging ?? pinged)!.done}/{(pinging ?? pinged)!.total}
            {!pinging && ' pinged'}
          </span>
        )}
        <button type="button" aria-label="close" data-testid="reach-close" onClick={() => (setOpen(false), setSelected(undefined))}>
          ✕
        </button>
      </header>
      {pingError && (
        <p className="reach-failure error" data-testid="reach-ping-error">
          pings: {pingError}
        </p>
      )}
      {src?.filtersMissing && <p className="muted">reading the host's filter tables…{filtersError ? ` failed: ${filtersError}` : ''}</p>}
      {row?.failure && (
        <p className="reach-failure" data-testid="reach-failure">
          {row.failure.direction === 'reply' ? 'reply: ' : ''}
          {row.failure.reason}
          <br />
          <em>fix:</em> {row.failure.fix}
        </p>
      )}
      <div className="reach-rows">
        <table>
          <thead>
            <tr>
              <th>from</th>
              <th>to</th>
              <th>predicted</th>
              <th>ping</th>
              <th>why</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r, i) => {
              const o = outcome(r);
              const act = o ? (o.ok ? 'ok' : 'fail') : undefined;
              const differs = act !== undefined && act !== r.predicted;
              return (
                <tr
                  key={i}
                  className={`${r.predicted}${i === selected ? ' selected' : ''}${differs ? ' disagree' : ''}`}
                  data-testid="reach-row"
                  data-from={r.from}
                  data-to={r.to}
                  data-to-ns={r.toNamespace}
                  data-predicted={r.predicted}
                  {...(act ? { 'data-actual': act } : {})}
                  {...(differs ? { 'data-disagree': 'true' } : {})}
                  onClick={() => select(i)}
                >
                  <td>{r.from}</td>
                  <td>
                    {r.to}
                    {r.toNamespace ? ` (${r.toNamespace})` : ''}
                  </td>
                  <td>{r.predicted}</td>
                  <td
                    title={o?.error ?? (o ? `${o.received} replies` : canPing(r) ? 'not pinged' : 'not pinged: the helper pings only between named namespaces')}
                  >
                    {act ?? '—'}
                    {differs ? ' ≠' : ''}
                  </td>
                  <td>{r.reason}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {rows.length > MAX_ROWS && (
          <p>
            first {MAX_ROWS} of {rows.length} pairs; `netns-studio reach FILE` lists them all
          </p>
        )}
      </div>
    </section>
  );
}
