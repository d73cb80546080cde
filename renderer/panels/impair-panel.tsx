/** netem on a port (a port's menu → Impair link): delay and loss, or clear; the kernel's lack of sch_netem is said, not hidden. */
import { useState } from 'react';
import { useBackend, useHelperStatus } from '../backend-context';
import { closeImpair, useTools } from '../store/tools-store';

export function ImpairPanel() {
  const target = useTools((s) => s.impair);
  const backend = useBackend();
  const status = useHelperStatus();
  const [delay, setDelay] = useState(10);
  const [loss, setLoss] = useState(0);
  const [note, setNote] = useState<string>();
  if (!target || !backend) return null;
  const run = async (clear: boolean) => {
    const r = await backend.impairLink({ namespace: target.ns, interface: target.ifname, ...(clear ? { clear: true } : { delayMs: delay, lossPercent: loss }) });
    setNote(r.ok ? `set: ${r.value.qdisc}` : r.error.message);
  };
  return (
    <section className="impair-panel" aria-label="link impairment" data-testid="impair-panel">
      <header>
        <b>Impair {target.ns}/{target.ifname}</b>
        <button type="button" aria-label="close" onClick={closeImpair}>×</button>
      </header>
      {status?.features?.netem === false && <p data-testid="impair-netem-missing">this kernel has no netem (sch_netem): link impairment is unavailable here</p>}
      <label>delay ms <input type="number" min={0} max={60000} value={delay} onChange={(e) => setDelay(Number(e.target.value) || 0)} /></label>
      <label>loss % <input type="number" min={0} max={100} value={loss} onChange={(e) => setLoss(Number(e.target.value) || 0)} /></label>
      <button type="button" onClick={() => void run(false)}>Apply</button>
      <button type="button" onClick={() => void run(true)}>Clear</button>
      {note && <p data-testid="impair-note">{note}</p>}
    </section>
  );
}
