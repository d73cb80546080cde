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
  | 'busy';

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
