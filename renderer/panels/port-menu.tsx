/**
 * A port's menu (right-click a port, or its ⋯ button): capture on it, a terminal
 * in its namespace, netem impairment. Each needs the live host; impairment also a
 * kernel with sch_netem, and the item says so where it is missing.
 */
import { useEffect } from 'react';
import { useHelperStatus } from '../backend-context';
import { closePortMenu, openCapture, openImpair, openTerminalFor, useTools } from '../store/tools-store';

export function PortMenu() {
  const menu = useTools((s) => s.menu);
  const status = useHelperStatus();
  useEffect(() => {
    if (!menu) return;
    const off = (e: KeyboardEvent) => e.key === 'Escape' && closePortMenu();
    window.addEventListener('keydown', off);
    return () => window.removeEventListener('keydown', off);
  }, [menu]);
  if (!menu) return null;
  const live = status?.state === 'connected' || status?.state === 'idle';
  const noLive = live ? undefined : `needs the live host (helper ${status?.state ?? 'missing'})`;
  const netem = status?.features?.netem;
  const noNetem = noLive ?? (netem === false ? 'this kernel has no netem (sch_netem): link impairment is unavailable' : undefined);
  const port = { ns: menu.ns, ifname: menu.ifname };
  return (
    <>
      <div className="port-menu-backdrop" data-testid="port-menu-backdrop" onClick={closePortMenu} onContextMenu={(e) => (e.preventDefault(), closePortMenu())} />
      <div className="port-menu" role="menu" data-testid="port-menu" style={{ left: menu.x, top: menu.y }} aria-label={`${menu.ns}/${menu.ifname}`}>
        <div className="port-menu-title">{menu.ns}/{menu.ifname}</div>
        <button type="button" role="menuitem" data-testid="port-menu-capture" disabled={!!noLive} title={noLive} onClick={() => openCapture(port)}>
          Capture packets…
        </button>
        <button type="button" role="menuitem" data-testid="port-menu-terminal" disabled={!!noLive} title={noLive} onClick={() => openTerminalFor(menu.ns)}>
          Open terminal in {menu.ns}
        </button>
        <button type="button" role="menuitem" data-testid="port-menu-impair" disabled={!!noNetem} title={noNetem} onClick={() => openImpair(port)}>
          Impair link (netem)…
        </button>
        {noNetem && !noLive && <div className="port-menu-note" data-testid="port-menu-netem-missing">{noNetem}</div>}
      </div>
    </>
  );
}
