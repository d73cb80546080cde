/**
 * The topologies applied on this host (the helper's records): name, file, when
 * applied, in sync / drifted N / partly gone, object counts. Open loads the
 * document a topology was last applied with into the editor (asking first when
 * the current one has unsaved changes); Destroy shows what it would remove (a dry
 * run) and removes it once confirmed.
 */
import { useEffect, useState } from 'react';
import type { AppliedTopology, ApplyProgress, BackendError } from '../../shared/backend';
import { describeState } from '../../shared/model/topology-status';
import { useBackend } from '../backend-context';
import { openApplied, unlessUnsaved } from '../files';
import { uiStore, useUi } from '../store/ui-store';

type Phase = { kind: 'loading' } | { kind: 'listed'; list: AppliedTopology[] } | { kind: 'error'; error: BackendError };

export function TopologiesDialog() {
  const open = useUi((s) => s.topologiesOpen);
  if (!open) return null;
  return <TopologiesDialogBody />;
}

const counts = (t: AppliedTopology) => `${t.counts.namespaces} namespaces, ${t.counts.total} objects`;

function TopologiesDialogBody() {
  const backend = useBackend();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [opening, setOpening] = useState<string>();
  /** a destroy being confirmed (its dry run's step count) or running */
  const [destroying, setDestroying] = useState<{ name: string; steps?: number; running?: boolean; progress?: ApplyProgress }>();
  const [refresh, setRefresh] = useState(0);
  const close = () => uiStore.setState({ topologiesOpen: false });
  useEffect(() => {
    if (!backend) {
      setPhase({ kind: 'error', error: { code: 'helper-unavailable', message: 'No backend is connected: the list of applied topologies needs the helper.' } });
      return;
    }
    let live = true;
    void backend.listTopologies().then((r) => {
      if (live) setPhase(r.ok ? { kind: 'listed', list: r.value } : { kind: 'error', error: r.error });
    });
    return () => {
      live = false;
    };
  }, [backend, refresh]);

  const askDestroy = async (t: AppliedTopology) => {
    if (!backend) return;
    setDestroying({ name: t.name });
    const r = await backend.destroyTopology(t.name, { dryRun: true });
    if (!r.ok) {
      setDestroying(undefined);
      return setPhase({ kind: 'error', error: r.error });
    }
    setDestroying({ name: t.name, steps: 'steps' in r.value ? r.value.steps.length : 0 });
  };
  const runDestroy = async (name: string) => {
    if (!backend) return;
    setDestroying({ name, running: true });
    const r = await backend.destroyTopology(name, {}, (progress) => setDestroying({ name, running: true, progress }));
    setDestroying(undefined);
    if (!r.ok) return setPhase({ kind: 'error', error: r.error });
    uiStore.getState().setNotice({ kind: 'info', text: `Destroyed topology ${name}` });
    setPhase({ kind: 'loading' });
    setRefresh((n) => n + 1);
  };

  const openOne = async (t: AppliedTopology) => {
    if (!backend) return;
    setOpening(t.name);
    const r = await backend.topologyStatus(t.name);
    setOpening(undefined);
    if (!r.ok) return setPhase({ kind: 'error', error: r.error });
    if (r.value.document === undefined)
      return setPhase({
        kind: 'error',
        error: {
          code: 'no-document',
          message: `Topology ${t.name} has no recorded document (made from the previous version's record): open its file instead.`,
        },
      });
    const doc = r.value.document;
    unlessUnsaved('Open', () => {
      if (openApplied(doc, { name: t.name, file: t.file })) close();
    });
  };

  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && !destroying?.running && close()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label="applied topologies" data-testid="topologies-dialog">
        <div className="modal-head">
          <h2>Applied topologies</h2>
          <button type="button" data-testid="topologies-close" aria-label="close" disabled={destroying?.running} onClick={close}>
            ✕
          </button>
        </div>
        {phase.kind === 'loading' && <p data-testid="topologies-loading">Reading the records…</p>}
        {phase.kind === 'error' && (
          <p className="error" data-testid="topologies-error" role="alert">
            {phase.error.message}
          </p>
        )}
        {phase.kind === 'listed' && phase.list.length === 0 && <p data-testid="topologies-empty">No topology is applied on this host.</p>}
        {phase.kind === 'listed' && phase.list.length > 0 && (
          <table className="topologies">
            <thead>
              <tr>
                <th>Name</th>
                <th>File</th>
                <th>Applied at</th>
                <th>Status</th>
                <th>Objects</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {phase.list.map((t) => (
                <tr key={t.name} data-testid="topology-row" data-name={t.name} data-state={t.state}>
                  <td>{t.name}</td>
                  <td>{t.file ?? (t.migratedFrom ? '(previous version)' : '–')}</td>
                  <td>{t.appliedAt ? new Date(t.appliedAt).toLocaleString() : '–'}</td>
                  <td className={`state ${t.state}`} data-testid="topology-state">
                    {describeState(t)}
                    {t.problems.length > 0 && (
                      <span className="tag warn" title={t.problems.join('\n')}>
                        {' '}
                        problem
                      </span>
                    )}
                  </td>
                  <td>{counts(t)}</td>
                  <td>
                    <button
                      type="button"
                      data-testid="topology-open"
                      aria-label={`open topology ${t.name}`}
                      disabled={opening !== undefined || destroying !== undefined}
                      onClick={() => void openOne(t)}
                    >
                      Open
                    </button>{' '}
                    <button
                      type="button"
                      className="danger"
                      data-testid="topology-destroy"
                      aria-label={`destroy topology ${t.name}`}
                      disabled={opening !== undefined || destroying !== undefined}
                      onClick={() => void askDestroy(t)}
                    >
                      Destroy…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {destroying && (
          <div className="warn" data-testid="topology-destroy-confirm-box" role="alert">
            {destroying.running
              ? `Destroying ${destroying.name}${destroying.progress ? `: step ${destroying.progress.index} of ${destroying.progress.total}` : '…'}`
              : destroying.steps === undefined
                ? `Planning the destroy of ${destroying.name}…`
                : `Destroy topology ${destroying.name}: ${destroying.steps} steps remove what it created, and nothing else.`}
            {!destroying.running && destroying.steps !== undefined && (
              <>
                {' '}
                <button type="button" className="danger" data-testid="topology-destroy-confirm" onClick={() => void runDestroy(destroying.name)}>
                  Destroy
                </button>{' '}
                <button type="button" data-testid="topology-destroy-cancel" onClick={() => setDestroying(undefined)}>
                  Cancel
                </button>
              </>
            )}
          </div>
        )}
        <div className="modal-foot">
          <button type="button" disabled={destroying?.running} onClick={close}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
