/**
 * Expected failures of plan/apply/destroy, as data: `{code, message, detail}`.
 * They cross the helper protocol unchanged; `ApplyFailure` only carries one
 * through `throw` inside the helper.
 */
export type FailureCode =
  | 'invalid-step'
  | 'invalid-document'
  | 'step-failed'
  | 'plan-stale'
  | 'unmanaged'
  | 'touches-host'
  | 'missing-feature'
  | 'journal-pending'
  | 'busy'
  /** the document names objects another topology created */
  | 'owned-elsewhere'
  /** a topology name that is not one (destroy --name, status) */
  | 'invalid-name'
  /** no topology of that name is recorded */
  | 'unknown-topology'
  /** a document without a name of its own would take the name of a topology applied from another file */
  | 'name-taken'
  /** an external namespace (by container, PID or path) is not there */
  | 'external-not-found';

export interface Failure {
  code: FailureCode;
  message: string;
  detail?: unknown;
}

export class ApplyFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
    this.name = 'ApplyFailure';
  }
  get code(): FailureCode {
    return this.failure.code;
  }
}

export function fail(code: FailureCode, message: string, detail?: unknown): never {
  throw new ApplyFailure({ code, message, detail });
}
