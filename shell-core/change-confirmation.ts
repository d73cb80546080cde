/**
 * A person, not the client, says yes to every change of the host (issue 15). The
 * plan hash only proves the host is as it was planned: whoever holds the
 * session (a browser tab, a leaked secret, a compromised renderer) fetches a plan
 * and passes its hash back in the same breath. So the shell asks, outside that
 * client's channel, before it forwards apply or destroy to the helper: Electron
 * main with a native dialog (electron/change-dialog.ts), `serve` in the terminal
 * it runs in (server/terminal-confirmation.ts). What is shown is the helper's own
 * plan for that hash (../shell-core/session.ts keeps the plans it handed out, or
 * plans again), so a client cannot describe its change more kindly than it is.
 * Under `sudo serve` the helper itself asks its root supervisor
 * (server/root-supervisor.ts; the contract: shared/protocol/confirmation.ts), so
 * even a client driving the helper's pipes directly cannot skip the person.
 */
import type { PlanResult } from '../shared/backend';
import type { ChangeToConfirm } from '../shared/protocol/confirmation';

export { NOT_CONFIRMED, NEEDS_CONFIRMATION, type ChangeToConfirm, type Confirmation, type ConfirmChange } from '../shared/protocol/confirmation';

/** The button or word for a change: "Apply", "Destroy", "Open a terminal"… */
export function verbOf(c: ChangeToConfirm): string {
  switch (c.action) {
    case 'apply':
      return 'Apply';
    case 'destroy':
      return 'Destroy';
    case 'terminal':
      return 'Open the terminal';
    case 'capture':
      return 'Capture';
    case 'impair':
      return 'Impair';
  }
}

/** Most step lines a prompt lists before "… and N more". */
const MAX_LINES = 12;

/** What a person is asked: a title line and the lines that matter (host steps first). */
export function describeChange(c: ChangeToConfirm): { title: string; lines: string[] } {
  if (c.action === 'terminal')
    return { title: `Open a root shell in namespace "${c.namespace}"`, lines: ['whoever holds this session types its commands, as root in that namespace'] };
  if (c.action === 'capture')
    return {
      title: `Capture packets on the host's own interface ${c.interface}${c.filter ? ` (filter: ${c.filter})` : ''}`,
      lines: ["the host's traffic on it goes to whoever holds this session"],
    };
  if (c.action === 'impair')
    return { title: `Impair the host's own interface ${c.interface}: ${c.what}`, lines: ["the host's traffic on it is delayed or dropped"] };
  const { plan } = c;
  const name = plan.topology?.name ?? 'this document';
  const s = plan.summary;
  const counts = [
    s.create && `${s.create} create`,
    s.change && `${s.change} change`,
    s.delete && `${s.delete} delete`,
    s.unmanaged && `${s.unmanaged} not this product's`,
  ]
    .filter(Boolean)
    .join(', ');
  const verb = c.action === 'apply' ? 'Apply' : 'Destroy';
  const title = `${verb} "${name}": ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}${counts ? ` (${counts})` : ''}`;
  const host = plan.steps.filter((st) => st.touchesHost);
  const unmanaged = plan.steps.filter((st) => st.unmanaged && !st.touchesHost);
  const rest = plan.steps.filter((st) => !st.touchesHost && !st.unmanaged);
  const line = (st: PlanResult['steps'][number]) =>
    `${st.namespace === 'host' ? '' : `[${st.namespace}] `}${st.argv.join(' ')}${st.touchesHost ? `   <- touches the host: ${st.touchesHost}` : ''}${st.unmanaged ? '   <- not created by this product' : ''}`;
  const ordered = [...host, ...unmanaged, ...rest];
  const lines = ordered.slice(0, MAX_LINES).map(line);
  if (ordered.length > MAX_LINES) lines.push(`… and ${ordered.length - MAX_LINES} more`);
  if (host.length)
    lines.unshift(
      c.allowHost
        ? `${host.length} step${host.length === 1 ? ' touches' : 's touch'} the host (allowed in the request):`
        : `${host.length} host step${host.length === 1 ? '' : 's'} (not allowed: apply will refuse them):`,
    );
  return { title, lines };
}
