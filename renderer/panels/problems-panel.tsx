/**
 * The problems of the open document, each with file:line:column; a click selects
 * the object it is about on the canvas (and fits it into view), where it is marked.
 * `ProblemsBridge` re-checks the document after each change (deferred, so typing
 * stays quick) and keeps the list in the UI store for the canvas and this panel.
 */
import { useDeferredValue, useEffect, useState } from 'react';
import { problemsOfText } from '../model/problems';
import type { Problem } from '../model/problems';
import { problemText } from '../files';
import { useEditor } from '../store/editor-store';
import { uiStore, useUi } from '../store/ui-store';

/** above this the whole-text check would cost more than a frame budget per edit */
const CHECK_LIMIT = 1000;

export function ProblemsBridge() {
  const doc = useDeferredValue(useEditor((s) => s.doc));
  const file = useEditor((s) => s.fileName ?? 'untitled.yaml');
  useEffect(() => {
    const problems = doc.namespaces.length > CHECK_LIMIT ? [] : problemsOfText(problemText(doc), file);
    uiStore.setState({ problems });
  }, [doc, file]);
  return null;
}

export function selectProblem(p: Problem): void {
  if (!p.target) return;
  uiStore.getState().setSelection([p.target]);
  uiStore.getState().requestFit([p.target]);
}

export function ProblemsPanel() {
  const problems = useUi((s) => s.problems);
  const [open, setOpen] = useState(true);
  if (!problems.length) return null;
  const errors = problems.filter((p) => p.severity === 'error').length;
  return (
    <section className="problems" data-testid="problems" aria-label="problems">
      <button type="button" className="problems-head" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="problems-toggle">
        ⚠ {errors} error{errors === 1 ? '' : 's'}
        {problems.length > errors ? `, ${problems.length - errors} warning${problems.length - errors === 1 ? '' : 's'}` : ''}
      </button>
      {open && (
        <ul>
          {problems.map((p, i) => (
            <li key={i} className={`problem ${p.severity}`}>
              <button
                type="button"
                data-testid="problem"
                data-code={p.code}
                data-target={p.target}
                disabled={!p.target}
                title={p.target ? 'select it on the canvas' : undefined}
                onClick={() => selectProblem(p)}
              >
                <code className="where">
                  {p.file}:{p.line}:{p.column}
                </code>{' '}
                {p.message} <span className="muted">[{p.code}]</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
