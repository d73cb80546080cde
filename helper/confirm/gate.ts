/**
 * What root is asked to do that a person must say yes to (issue 15), decided
 * here, in the helper, not only in a shell. Who says yes is the helper's own
 * command line (../methods/registry.ts ConfirmSetting), never a request:
 *
 * - `--confirm-fd N` (`sudo serve`: server/root-supervisor.ts): every apply and
 *   destroy, every terminal, and captures and netem on the host's own
 *   interfaces wait for the supervisor's answer on fd N, which the web server
 *   driving our pipes never holds.
 * - `--client-confirms` (Electron main, whose native dialog asks; a CLI run by
 *   root): the process holding our pipes is the one that asks its person.
 * - neither: nobody can confirm, so what exposes the host (an apply with steps
 *   that touch the host, a terminal, host captures and netem) is refused with
 *   `needs-confirmation`; the rest runs as requested.
 *
 * Per action: a terminal is a root shell; a capture of `host` hands the host's
 * own traffic out, netem on `host` can cut the host off; a capture or netem in
 * another namespace stays inside it; ping only reaches addresses that
 * namespaces of this host hold (../ping/run.ts refusals) and is not asked.
 */
import { NEEDS_CONFIRMATION, NOT_CONFIRMED, type ChangeToConfirm } from '../../shared/protocol/confirmation';
import { HelperError, type HelperSettings } from '../methods/registry';
import { supervisorChannel } from './supervisor-channel';

/** Every change is asked for (a supervisor is there to ask), not only what exposes the host. */
export const asksEveryChange = (s: HelperSettings): boolean => s.confirm?.by === 'supervisor';

/** Nobody confirms for this helper's client: the process holding its pipes asks its person itself. */
export const clientConfirms = (s: HelperSettings): boolean => s.confirm?.by === 'client';

const WHAT: Record<ChangeToConfirm['action'], string> = {
  apply: 'an apply with steps that touch the host',
  destroy: 'a destroy',
  terminal: 'a terminal (a root shell)',
  capture: "a capture on the host's own interfaces",
  impair: "netem on the host's own interfaces",
};

/** Resolves when `change` may go ahead; throws `not-confirmed` / `needs-confirmation` (nothing done) otherwise. */
export async function confirmOrRefuse(s: HelperSettings, change: ChangeToConfirm, signal?: AbortSignal): Promise<void> {
  if (clientConfirms(s)) return;
  if (s.confirm?.by !== 'supervisor') {
    throw new HelperError(
      NEEDS_CONFIRMATION,
      `${WHAT[change.action]} needs a person's yes, and this helper has nobody to ask: it was started without a supervisor (--confirm-fd) and without --client-confirms; nothing was done`,
    );
  }
  const answer = await supervisorChannel(s.confirm.fd).ask(change, signal);
  if (!answer.confirmed) throw new HelperError(NOT_CONFIRMED, `not confirmed: ${answer.why}; nothing was done`);
}
