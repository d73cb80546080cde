/** What the plan dialog says, as pure functions (so the words are tested, not eyeballed). */
import type { ApplyFailureDetail, PlanSummary } from '../../shared/backend';

const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;

/** "8 steps: 0 create, 0 change, 8 delete; 1 touches an unmanaged object" */
export function planSummaryText(s: PlanSummary): string {
  if (s.total === 0) return 'Nothing to do: the host already matches the document.';
  const counts = `${n(s.total, 'step')}: ${s.create} create, ${s.change} change, ${s.delete} delete`;
  if (!s.unmanaged) return counts;
  return `${counts}; ${s.unmanaged === 1 ? '1 touches an unmanaged object' : `${s.unmanaged} touch unmanaged objects`}`;
}

/**
 * The failing step's 1-based number, as the helper's message counts ("step 87 of
 * 120"); `detail.index` is 0-based (helper/apply/executor.ts).
 */
export function failedStepNumber(detail: ApplyFailureDetail | undefined): number | undefined {
  return typeof detail?.index === 'number' ? detail.index + 1 : undefined;
}

/**
 * Why Apply would be refused before it starts, or undefined. The helper refuses
 * plans that touch objects it does not own unless a person names them from the
 * CLI (`--allow`), and there is nothing to apply in an empty plan.
 */
export function applyRefusal(s: PlanSummary, errors: number, unmanagedObjects: readonly string[] = []): string | undefined {
  if (s.total === 0) return 'Nothing to apply.';
  if (errors > 0) return `The document has ${n(errors, 'error')} (see Problems): fix ${errors === 1 ? 'it' : 'them'} first.`;
  if (s.unmanaged > 0) {
    const allow = unmanagedObjects.length ? ` --allow ${[...new Set(unmanagedObjects)].join(' ')}` : ' --allow KEY…';
    return `${s.unmanaged === 1 ? '1 step changes an object' : `${s.unmanaged} steps change objects`} this app did not create, which the helper refuses from here: run \`sudo netns-studio apply FILE${allow}\` in a terminal, or take ${s.unmanaged === 1 ? 'it' : 'them'} out of the document. Nothing was changed on the host.`;
  }
  return undefined;
}
