/** netem on a port (a port's menu → Impair link): delay and loss, or clear; the kernel's lack of sch_netem is said, not hidden. */
import { useState } from 'react';
import { useBackend, useHelperStatus } from '../backend-context';
import { closeImpair, useTools } from '../store/tools-store';
import { NETEM_MISSING } from './port-menu';

export function ImpairPanel() {
  const target = useTools((s) => s.impair);
  const backend = useBackend();
  const status = useHelperStatus();
  const [delay, setDelay] = useState(10);
  const [loss, setLoss] = useState(0);
  const [note, setNote] = useState<string>();
  if (!target || !backend) return null;
  // the hello probe said no: say so, and offer nothing that would only be refused
  const missing = status?.features?.netem === false;
  const run = async (clear: boolean) => {
    const r = await backend.impairLink({
      namespace: target.ns,
      interface: target.ifname,
      ...(clear ? { clear: true } : { delayMs: delay, lossPercent: loss }),
    });
    setNote(r.ok ? `set: ${r.value.qdisc}` : r.error.message);
  };
  return (
    <section className="impair-panel" aria-label="link impairment" data-testid="impair-panel">
      <header>
        <b>
          Impair {target.ns}/{target.ifname}
        </b>
        <button type="button" aria-label="close" data-testid="impair-close" onClick={closeImpair}>
          ×
        </button>
      </header>
      {missing && (
        <p className="impair-missing" data-testid="impair-netem-missing">
          {NETEM_MISSING}. Load or install the kernel module (<code>modprobe sch_netem</code>; some distributions ship it in a separate package, e.g. Ubuntu's
          linux-modules-extra) to use it.
        </p>
      )}
      <label>
        delay ms{' '}
        <input
          type="number"
          min={0}
          max={60000}
          value={delay}
          disabled={missing}
          data-testid="impair-delay"
          onChange={(e) => setDelay(Number(e.target.value) || 0)}
        />
      </label>
      <label>
        loss %{' '}
        <input
          type="number"
          min={0}
          max={100}
          value={loss}
          disabled={missing}
          data-testid="impair-loss"
          onChange={(e) => setLoss(Number(e.target.value) || 0)}
        />
      </label>
      <button type="button" disabled={missing} data-testid="impair-apply" onClick={() => void run(false)}>
        Apply
      </button>
      <button type="button" disabled={missing} data-testid="impair-clear" onClick={() => void run(true)}>
        Clear
      </button>
      {note && <p data-testid="impair-note">{note}</p>}
    </section>
  );
}
