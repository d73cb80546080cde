/**
 * A person's yes to what root is asked to do (issue 15): the one contract for
 * what is confirmed, between the helper and the root process that started it
 * (its supervisor), and between a shell and its person.
 *
 * The helper asks its supervisor on a channel only the two of them hold (the
 * fd of `--confirm-fd N`, never the protocol pipes a client drives):
 *
 *   helper → supervisor   {"ask": 1, "change": ChangeToConfirm}
 *   supervisor → helper   {"answer": 1, "confirmed": true} | {"answer": 1, "confirmed": false, "why": "…"}
 *
 * one JSON object per line each way. So whoever drives the helper's pipes (the
 * unprivileged web server of `sudo serve`, or anything that took it over) can
 * plan and ask, never answer.
 */
import type { PlanResult } from '../backend';

export type ChangeToConfirm =
  /** `plan` is the helper's own: exactly the steps that will run (by their hash) */
  | { action: 'apply' | 'destroy'; plan: PlanResult; allowHost: boolean }
  /** a root shell in a namespace */
  | { action: 'terminal'; namespace: string }
  /** packets of the host's own interfaces, to whoever holds the session */
  | { action: 'capture'; namespace: string; interface: string; filter?: string }
  /** netem on the host's own interfaces: the host's traffic delayed or dropped */
  | { action: 'impair'; namespace: string; interface: string; what: string };

export type Confirmation = { confirmed: true } | { confirmed: false; why: string };

/** Asks a person; resolves once they answered (or the asking gave up). */
export type ConfirmChange = (change: ChangeToConfirm) => Promise<Confirmation>;

/** The error code of a change the person did not confirm: nothing was done. */
export const NOT_CONFIRMED = 'not-confirmed';
/** The error code of a change this helper has nobody to confirm with (no supervisor channel): nothing was done. */
export const NEEDS_CONFIRMATION = 'needs-confirmation';

/** The helper's command-line flags: the supervisor's channel, or "the process holding my pipes confirms" (Electron main, a root CLI). */
export const CONFIRM_FD_FLAG = '--confirm-fd';
export const CLIENT_CONFIRMS_FLAG = '--client-confirms';

export interface SupervisorAsk {
  ask: number;
  change: ChangeToConfirm;
}
export type SupervisorAnswer = { answer: number } & Confirmation;

/** Reads one answer line (the helper's side); undefined when it is not one. */
export function parseAnswer(raw: unknown): SupervisorAnswer | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const a = raw as Record<string, unknown>;
  if (!Number.isInteger(a.answer)) return undefined;
  if (a.confirmed === true) return { answer: a.answer as number, confirmed: true };
  return { answer: a.answer as number, confirmed: false, why: typeof a.why === 'string' ? a.why.slice(0, 500) : 'refused by the supervisor' };
}

/** Reads one ask line (the supervisor's side); undefined when it is not one. */
export function parseAsk(raw: unknown): SupervisorAsk | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const a = raw as Record<string, unknown>;
  const c = a.change as Record<string, unknown> | undefined;
  if (!Number.isInteger(a.ask) || !c || typeof c !== 'object') return undefined;
  const str = (v: unknown) => typeof v === 'string';
  switch (c.action) {
    case 'apply':
    case 'destroy': {
      const p = c.plan as PlanResult | undefined;
      return p && Array.isArray(p.steps) && p.summary && typeof p.summary === 'object' ? (a as unknown as SupervisorAsk) : undefined;
    }
    case 'terminal':
      return str(c.namespace) ? (a as unknown as SupervisorAsk) : undefined;
    case 'capture':
      return str(c.namespace) && str(c.interface) ? (a as unknown as SupervisorAsk) : undefined;
    case 'impair':
      return str(c.namespace) && str(c.interface) && str(c.what) ? (a as unknown as SupervisorAsk) : undefined;
    default:
      return undefined;
  }
}
