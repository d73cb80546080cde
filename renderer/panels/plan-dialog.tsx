/**
 * Plan and apply: the exact commands, grouped by topology (the document's own,
 * then objects of no topology, which need an explicit allow) and by namespace,
 * each with its reason. A plan never touches another topology's objects: the
 * helper refuses such a document, and the dialog says which topology owns what.
 * Steps that touch the host are listed by a checkbox that must be ticked
 * before Apply (issue 15). Apply shows "k of n"; a failure shows the failing step, the kernel's words and
 * whether the host was rolled back.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ApplyFailureDetail, ApplyProgress, BackendError, PlanResult } from '../../shared/backend';
import type { Step } from '../../shared/model/step';
import { useBackend } from '../backend-context';
import { editorStore } from '../store/editor-store';
import { uiStore, useUi } from '../store/ui-store';
import { applyRefusal, failedStepNumber, planSummaryText } from './plan-text';
import { commandText as stepCommandText } from '../../shared/plan/render';

type Phase =
  | { kind: 'planning' }
  | { kind: 'planned'; plan: PlanResult }
  | { kind: 'plan-error'; error: BackendError }
  | { kind: 'applying'; plan: PlanResult; progress?: ApplyProgress }
  | { kind: 'done'; plan: PlanResult; applied: number; ms: number; notReady?: { object: string; reason: string }[] }
  | { kind: 'failed'; plan: PlanResult; error: BackendError };

/** A step's command in the words the CLI and the shell export use (shared/plan/render.ts); a failure detail without an operation shows its argv. */
const commandText = (s: Pick<Step, 'argv' | 'namespace' | 'op'>) => (s.op ? stepCommandText(s) : s.argv.join(' '));

/** Refusals the helper makes before running any step (helper/apply/failure.ts codes): the host is as it was. */
const REFUSED_BEFORE_START = new Set([
  'unmanaged',
  'plan-stale',
  'invalid-document',
  'invalid-step',
  'missing-feature',
  'busy',
  'owned-elsewhere',
  'touches-host',
  'not-confirmed',
]);

/** Where the document came from, for the topology's name and record: the desktop knows the path, the browser the name. */
export const sourceOfEditor = () => {
  const s = editorStore.getState();
  const file = s.filePath ?? s.fileName;
  return file ? { file } : {};
};

interface TopologyGroup {
  /** the topology's name; undefined for steps on objects of no topology */
  topology?: string;
  namespaces: [string, { step: Step; index: number }[]][];
}

/** The plan's steps by topology (this document's, then unmanaged ones), each by namespace in plan order. */
function groupSteps(plan: PlanResult | undefined): TopologyGroup[] {
  if (!plan) return [];
  const byTopology = new Map<string | undefined, Map<string, { step: Step; index: number }[]>>();
  plan.steps.forEach((step, index) => {
    const t = step.unmanaged ? undefined : (plan.topology?.name ?? 'this document');
    const m = byTopology.get(t) ?? new Map();
    byTopology.set(t, m);
    m.set(step.namespace, [...(m.get(step.namespace) ?? []), { step, index }]);
  });
  return [...byTopology].sort(([a], [b]) => (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0)).map(([topology, m]) => ({ topology, namespaces: [...m] }));
}
const unmanagedKeys = (detail: unknown): string[] => {
  const objects = (detail as { objects?: unknown } | undefined)?.objects;
  return Array.isArray(objects) ? [...new Set(objects.filter((o): o is string => typeof o === 'string'))] : [];
};

export function PlanDialog() {
  const open = useUi((s) => s.planOpen);
  if (!open) return null;
  return <PlanDialogBody />;
}

function PlanDialogBody() {
  const backend = useBackend();
  const [phase, setPhase] = useState<Phase>({ kind: 'planning' });
  /** the person ticked "allow these host changes" for this plan */
  const [allowHost, setAllowHost] = useState(false);
  const close = () => uiStore.setState({ planOpen: false });
  useEffect(() => {
    if (!backend) {
      setPhase({
        kind: 'plan-error',
        error: { code: 'helper-unavailable', message: 'No backend is connected: plans need the helper (desktop app or `netns-studio serve`).' },
      });
      return;
    }
    let live = true;
    void backend.plan(editorStore.getState().doc, sourceOfEditor()).then((r) => {
      if (!live) return;
      setPhase(r.ok ? { kind: 'planned', plan: r.value } : { kind: 'plan-error', error: r.error });
    });
    return () => {
      live = false;
    };
  }, [backend]);

  const plan = 'plan' in phase ? phase.plan : undefined;
  const groups = useMemo(() => groupSteps(plan), [plan]);
  const hostSteps = useMemo(() => (plan?.steps ?? []).flatMap((step, index) => (step.touchesHost ? [{ step, index }] : [])), [plan]);

  const apply = async () => {
    if (!backend || !plan) return;
    setPhase({ kind: 'applying', plan });
    const r = await backend.apply(editorStore.getState().doc, plan.planHash, (progress) => setPhase({ kind: 'applying', plan, progress }), {
      ...sourceOfEditor(),
      allowHost: hostSteps.length > 0 && allowHost,
    });
    setPhase(
      r.ok ? { kind: 'done', plan, applied: r.value.applied, ms: r.value.durationMs, notReady: r.value.notReady } : { kind: 'failed', plan, error: r.error },
    );
  };

  const failure = phase.kind === 'failed' ? (phase.error.detail as ApplyFailureDetail | undefined) : undefined;
  const failedNumber = failedStepNumber(failure);
  const errorCount = useUi((s) => s.problems.filter((p) => p.severity === 'error').length);
  const refusal = plan
    ? (applyRefusal(
        plan.summary,
        errorCount,
        plan.steps.filter((st) => st.unmanaged).map((st) => st.object),
      ) ??
      (hostSteps.length > 0 && !allowHost
        ? `${hostSteps.length === 1 ? 'A step touches' : `${hostSteps.length} steps touch`} the host: tick "Allow" above to apply`
        : undefined))
    : undefined;
  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && phase.kind !== 'applying' && close()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label="plan and apply" data-testid="plan-dialog">
        <div className="modal-head">
          <h2>Plan</h2>
          <button type="button" data-testid="plan-close" aria-label="close" disabled={phase.kind === 'applying'} onClick={close}>
            ✕
          </button>
        </div>
        {phase.kind === 'planning' && <p data-testid="plan-loading">Planning…</p>}
        {phase.kind === 'plan-error' && (
          <p className="error" data-testid="plan-error" role="alert" data-code={phase.error.code}>
            {phase.error.message}
          </p>
        )}
        {plan && (
          <>
            {plan.topology && (
              <p data-testid="plan-topology" data-topology={plan.topology.name} className="summary">
                Topology <strong>{plan.topology.name}</strong>
                {plan.topology.file ? ` (${plan.topology.file})` : ''}: this plan changes only what it created.
              </p>
            )}
            {plan.notes?.map((n) => (
              <p key={n} className="note" data-testid="plan-note">
                {n}
              </p>
            ))}
            <p data-testid="plan-summary" className="summary">
              {planSummaryText(plan.summary)}
            </p>
            {plan.warnings?.map((w) => (
              <p key={w} className="warn" data-testid="plan-warning">
                {w}
              </p>
            ))}
            <div className="plan-steps">
              {groups.map((g) => (
                <section key={g.topology ?? ''} data-testid="plan-topology-group" data-topology={g.topology ?? ''} className="plan-topology">
                  <h3>
                    {g.topology === undefined
                      ? 'Objects of no topology (netns-studio did not create them: apply refuses unless allowed)'
                      : `Topology ${g.topology}`}
                  </h3>
                  {g.namespaces.map(([ns, steps]) => (
                    <section key={ns} data-testid="plan-group" data-namespace={ns}>
                      <h4>{ns === 'host' ? 'host (root namespace)' : ns}</h4>
                      <ol>
                        {steps.map(({ step, index }) => (
                          <li
                            key={index}
                            value={index + 1}
                            data-testid="plan-step"
                            data-action={step.action}
                            data-unmanaged={step.unmanaged ? 'true' : undefined}
                            data-touches-host={step.touchesHost ? 'true' : undefined}
                            className={`step ${step.action}${step.unmanaged ? ' unmanaged' : ''}${failedNumber === index + 1 ? ' failed' : ''}`}
                          >
                            <code>{commandText(step)}</code>
                            <span className="reason">
                              {step.unmanaged && <span className="tag warn">unmanaged</span>}
                              {step.touchesHost && <span className="tag warn">touches the host</span>} {step.reason}
                            </span>
                          </li>
                        ))}
                      </ol>
                    </section>
                  ))}
                </section>
              ))}
            </div>
            {hostSteps.length > 0 && phase.kind === 'planned' && (
              <fieldset className="host-permission warn" data-testid="plan-host-permission">
                <legend>These steps touch the host, outside the document&apos;s namespaces:</legend>
                <ul>
                  {hostSteps.map(({ step, index }) => (
                    <li key={index} data-testid="plan-host-step">
                      Step {index + 1} in {step.namespace}: {step.touchesHost} (<code>{commandText(step)}</code>)
                    </li>
                  ))}
                </ul>
                <label>
                  <input type="checkbox" data-testid="plan-allow-host" checked={allowHost} onChange={(e) => setAllowHost(e.target.checked)} /> Allow{' '}
                  {hostSteps.length === 1 ? 'this host change' : `these ${hostSteps.length} host changes`}
                </label>
              </fieldset>
            )}
          </>
        )}
        {phase.kind === 'applying' && (
          <div className="progress" data-testid="apply-progress" role="status">
            {phase.progress
              ? `${phase.progress.phase === 'rollback' ? 'Rolling back' : 'Applying'} step ${phase.progress.index} of ${phase.progress.total}: ${phase.progress.reason}`
              : // the shell asks the person first (issue 15): serve in its terminal, the desktop app in a dialog of its own
                backend?.kind === 'browser'
                ? 'Waiting for your yes in the terminal where netns-studio serve runs: type the code it shows there.'
                : 'Waiting for your yes in the confirmation dialog…'}
            <progress max={phase.progress?.total ?? 1} value={phase.progress?.index ?? 0} />
          </div>
        )}
        {phase.kind === 'done' && (
          <p className="ok" data-testid="apply-done" role="status">
            Applied {phase.applied} steps in {Math.round(phase.ms)} ms.
          </p>
        )}
        {phase.kind === 'done' && phase.notReady?.length ? (
          <div className="error" data-testid="apply-not-ready" role="alert">
            Not usable yet when the wait ended:
            <ul>
              {phase.notReady.map((n) => (
                <li key={n.object} data-testid="apply-not-ready-item" data-object={n.object}>
                  {n.object}: {n.reason}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {phase.kind === 'failed' && (
          <div className="error" data-testid="apply-error" role="alert">
            <strong>Apply failed: {phase.error.message}</strong>
            {failure?.step && (
              <p>
                Step {failedNumber ?? '?'} in {failure.step.namespace}: <code>{commandText(failure.step)}</code>
              </p>
            )}
            {failure?.stderr && <pre data-testid="apply-stderr">{failure.stderr}</pre>}
            {!failure?.step && REFUSED_BEFORE_START.has(phase.error.code) && (
              <p data-testid="apply-unchanged">
                Nothing was changed on the host.
                {phase.error.code === 'unmanaged' && unmanagedKeys(phase.error.detail).length > 0 && (
                  <>
                    {' '}
                    To let apply change them, run <code>sudo netns-studio apply FILE --allow {unmanagedKeys(phase.error.detail).join(' ')}</code> from a
                    terminal, or remove them from the host or the document.
                  </>
                )}
                {phase.error.code === 'plan-stale' && ' The host changed since this plan was made: close and plan again.'}
              </p>
            )}
            {failure?.rolledBack !== undefined && (
              <p data-testid={failure.rolledBack ? 'apply-rolled-back' : 'apply-not-rolled-back'}>
                {failure.rolledBack ? 'The host was rolled back to how it was before.' : 'The host could NOT be fully rolled back: check it.'}
              </p>
            )}
          </div>
        )}
        <div className="modal-foot">
          {plan && phase.kind === 'planned' && (
            <>
              {refusal && (
                <span className="warn" data-testid="apply-refusal">
                  {refusal}
                </span>
              )}
              <button type="button" className="primary" data-testid="apply-button" disabled={!!refusal} title={refusal} onClick={() => void apply()}>
                Apply {plan.summary.total} steps
              </button>
            </>
          )}
          <button type="button" onClick={close} disabled={phase.kind === 'applying'}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
