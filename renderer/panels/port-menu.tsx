/**
 * The link tools menu: a port's (right-click a port, or its ⋯ button) offers a
 * capture on it, a terminal in its namespace and netem impairment; a namespace's
 * (right-click its header, or its ⋯ button) a terminal in it. Each needs the
 * live host; impairment also a kernel with sch_netem, and the item says so where
 * it is missing.
 */
import { useEffect } from 'react';
import { useHelperStatus } from '../backend-context';
import { closePortMenu, openCapture, openImpair, openTerminalFor, useTools } from '../store/tools-store';

export const NETEM_MISSING = 'this kernel has no netem (sch_netem): link impairment (delay, loss) is unavailable here';

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
  const noNetem = noLive ?? (netem === false ? NETEM_MISSING : undefined);
  const { ns, ifname } = menu;
  return (
    <>
      <div
        className="port-menu-backdrop"
        data-testid="port-menu-backdrop"
        onClick={closePortMenu}
        onContextMenu={(e) => (e.preventDefault(), closePortMenu())}
      />
      <div className="port-menu" role="menu" data-testid="port-menu" style={{ left: menu.x, top: menu.y }} aria-label={ifname ? `${ns}/${ifname}` : ns}>
        <div className="port-menu-title">{ifname ? `${ns}/${ifname}` : ns}</div>
        {ifname && (
          <button type="button" role="menuitem" data-testid="port-menu-capture" disabled={!!noLive} title={noLive} onClick={() => openCapture({ ns, ifname })}>
            Capture packets…
          </button>
        )}
        <button type="button" role="menuitem" data-testid="port-menu-terminal" disabled={!!noLive} title={noLive} onClick={() => openTerminalFor(ns)}>
          Open terminal in {ns}
        </button>
        {ifname && (
          <button type="button" role="menuitem" data-testid="port-menu-impair" disabled={!!noLive} title={noNetem} onClick={() => openImpair({ ns, ifname })}>
            Impair link (netem)…
          </button>
        )}
        {ifname && noNetem && !noLive && (
          <div className="port-menu-note" data-testid="port-menu-netem-missing">
            {noNetem}
          </div>
        )}
      </div>
    </>
  );
}
