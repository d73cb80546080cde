/**
 * The desktop app's yes to a change (issue 15; ../shell-core/change-confirmation.ts):
 * a native dialog shown by the main process, naming the helper's own plan for the
 * change, before apply or destroy reaches the helper. The renderer asked for the
 * change; only the person, clicking in a window the renderer does not draw, lets
 * it through. A renderer that was taken over (a hostile document exploiting it)
 * can plan and ask, never answer.
 */
import type { BrowserWindow, Dialog } from 'electron';
import { describeChange, verbOf, type ConfirmChange } from '../shell-core/change-confirmation';

export function dialogConfirmer(dialog: Pick<Dialog, 'showMessageBox'>, win: () => BrowserWindow | undefined): ConfirmChange {
  return async (change) => {
    const { title, lines } = describeChange(change);
    const verb = verbOf(change);
    const options = {
      type: 'warning' as const,
      title: 'Netns Studio: change this host?',
      message: title,
      detail: lines.join('\n'),
      buttons: ['Cancel', verb],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    };
    const w = win();
    const { response } = w && !w.isDestroyed() ? await dialog.showMessageBox(w, options) : await dialog.showMessageBox(options);
    return response === 1 ? { confirmed: true } : { confirmed: false, why: `${verb}: cancelled in the confirmation dialog` };
  };
}
