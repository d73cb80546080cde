/**
 * The custom nodes: memoized, pre-sized (see model/geometry.ts), every visual state
 * readable at a glance: up/down dot, owned (solid) / unmanaged (dashed), live
 * status as a coloured rim. Live facts come from a per-node store subscription, so
 * a watch event repaints just the port it concerns.
 */
import { memo, type MouseEvent } from 'react';
import { Handle, Position } from '@xyflow/react';
import type { NodeProps } from '@xyflow/react';
import type { BridgeData, ForwarderData, NamespaceData, PortView, VrfData } from '../model/to-flow';
import { BR_H, CONNECT_HANDLE, CONNECT_Y, memberChip } from '../model/geometry';
import { useLive } from '../store/live-store';
import { operational, type LinkOper } from '../model/live-merge';
import { openPortMenu, type MenuTarget } from '../store/tools-store';

const useLiveStatus = (id: string) => useLive((s) => (s.enabled ? s.status[id.replace(/~\d+$/, '')] : undefined));
/** live: what a person calls the namespace (container, pod, Mininet host…), from the helper's identity */
const useLabel = (name: string) => useLive((s) => (s.enabled ? s.labels[name] : undefined));
const useUp = (key: string, fallback: boolean) => useLive((s) => (s.enabled ? s.linkUp[key] : undefined)) ?? fallback;
const useOper = (key: string) => useLive((s) => (s.enabled ? s.linkOper[key] : undefined));

/**
 * Admin and operational state apart: `down` (set down), `no-carrier` (set up, but
 * the kernel reports no carrier: its peer is down, say), `up`.
 */
function linkLook(up: boolean, oper: LinkOper | undefined): { cls: 'up' | 'down' | 'no-carrier'; label: string } {
  if (!up) return { cls: 'down', label: 'down' };
  if (operational(oper) === false) return { cls: 'no-carrier', label: `up, no carrier (${oper!.oper})` };
  return { cls: 'up', label: oper ? `up (${oper.oper})` : 'up' };
}

const handleStyle = { width: 8, height: 8 };
/** the "+" a veth is drawn from: faint until the node is hovered (see .connect-handle in styles.css) */
const connectStyle = { width: CONNECT_HANDLE, height: CONNECT_HANDLE, top: CONNECT_Y };
const CONNECT_TITLE = 'drag onto another namespace or bridge to add a veth';

function ConnectHandle({ id, side, top }: { id: string; side: 'left' | 'right'; top?: number }) {
  return (
    <Handle
      id={id}
      type="source"
      position={side === 'left' ? Position.Left : Position.Right}
      className="connect-handle"
      style={top === undefined ? connectStyle : { ...connectStyle, top }}
      title={CONNECT_TITLE}
      aria-label={CONNECT_TITLE}
      data-testid={`connect-${id}`}
    />
  );
}

/** The link tools menu (../panels/port-menu.tsx) where the person right-clicked. */
function toolsMenuAt(e: MouseEvent, target: MenuTarget) {
  e.preventDefault();
  e.stopPropagation();
  openPortMenu(target, e.clientX, e.clientY);
}

/** The ⋯ that opens the same menu with the mouse's left button (and the keyboard). */
function ToolsButton({ target, label, testid, className }: { target: MenuTarget; label: string; testid: string; className: string }) {
  return (
    <button
      type="button"
      className={`${className} nodrag`}
      aria-label={label}
      title={label}
      data-testid={testid}
      onClick={(e) => {
        e.stopPropagation();
        const r = e.currentTarget.getBoundingClientRect();
        openPortMenu(target, r.right, r.bottom);
      }}
    >
      ⋯
    </button>
  );
}

const Port = memo(function Port({ port, index }: { port: PortView; index: number }) {
  const up = useUp(port.key, port.up);
  const oper = useOper(port.key);
  const look = linkLook(up, oper);
  return (
    <div
      className="port"
      data-testid={`port-${port.ns}/${port.ifname}`}
      data-up={String(up)}
      data-oper={oper?.oper}
      title={`${port.ns}/${port.ifname} ↔ ${port.peer}${port.mtu ? ` · mtu ${port.mtu}` : ''} · ${look.label}`}
      style={{ top: 34 + index * 34 }}
      onContextMenu={(e) => toolsMenuAt(e, { ns: port.ns, ifname: port.ifname })}
    >
      <Handle id={`l:${port.ifname}`} type="source" position={Position.Left} style={handleStyle} />
      <span className={`dot ${look.cls}`} aria-label={look.label} />
      <span className="port-name">{port.ifname}</span>
      <span className="port-addr">{port.addresses.join(' ') || '—'}</span>
      <ToolsButton
        target={{ ns: port.ns, ifname: port.ifname }}
        label={`tools for ${port.ns}/${port.ifname}`}
        testid={`port-menu-${port.ns}/${port.ifname}`}
        className="port-menu-button"
      />
      <Handle id={`r:${port.ifname}`} type="source" position={Position.Right} style={handleStyle} />
    </div>
  );
});

export const NamespaceNode = memo(function NamespaceNode({ id, data, selected }: NodeProps & { data: NamespaceData }) {
  const status = useLiveStatus(id);
  const label = useLabel(data.name);
  return (
    <div
      className={`ns-box${data.name === 'host' ? ' host' : ''}${selected ? ' selected' : ''}${status ? ` live-${status}` : ''}${data.implicit ? ' implicit' : ''}${data.problem ? ' has-problem' : ''}`}
      data-testid={`node-${id}`}
      data-status={status}
      data-problem={data.problem}
      title={data.problem}
      data-label={label}
      aria-label={`namespace ${label ?? data.name}`}
    >
      <ConnectHandle id="nl" side="left" />
      <div className="ns-header" onContextMenu={(e) => toolsMenuAt(e, { ns: data.name })}>
        <span className="ns-icon">{data.name === 'host' ? '⌂' : '◫'}</span>
        <span className="ns-name" data-testid="ns-name" title={label ? data.name : undefined}>
          {label ?? data.name}
        </span>
        {/* tags give way first: they shrink and clip, the name keeps its width */}
        <span className="ns-tags" title={[...(!data.loopbackUp ? ['lo down'] : []), ...data.facts, ...(status ? [status] : [])].join(' · ') || undefined}>
          {status && <span className={`tag status ${status}`}>{status}</span>}
          {data.duplicate && <span className="tag warn">declared twice</span>}
          {!data.loopbackUp && <span className="tag warn">lo down</span>}
          {data.facts.map((f) => (
            <span key={f} className="tag">
              {f}
            </span>
          ))}
        </span>
        <ToolsButton target={{ ns: data.name }} label={`tools for namespace ${data.name}`} testid={`ns-menu-${data.name}`} className="ns-menu-button" />
      </div>
      {data.ports.map((p, i) => (
        <Port key={p.ifname} port={p} index={i} />
      ))}
      <ConnectHandle id="nr" side="right" />
    </div>
  );
});

/** Zoomed-out stand-in: one element, no ports, no handles (edges are drawn by the overlay). */
export const CompactNode = memo(function CompactNode({ id, data, selected }: NodeProps & { data: NamespaceData }) {
  const status = useLiveStatus(id);
  // live: a link of this namespace is down (ports are not drawn at this zoom)
  const down = useLive((s) => s.enabled && data.portKeys.some((k) => s.linkUp[k] === false));
  const label = useLabel(data.name);
  return (
    <div className={`ns-compact${selected ? ' selected' : ''}${status ? ` live-${status}` : ''}${down ? ' has-down' : ''}`} data-testid={`node-${id}`}>
      {label ?? data.name}
    </div>
  );
});

export const BridgeNode = memo(function BridgeNode({ id, data, selected }: NodeProps & { data: BridgeData }) {
  const status = useLiveStatus(id);
  const up = useUp(data.key, data.up);
  return (
    <div
      className={`br-box${selected ? ' selected' : ''}${status ? ` live-${status}` : ''}${data.problem ? ' has-problem' : ''}`}
      data-testid={`node-${id}`}
      data-problem={data.problem}
      title={data.problem}
      aria-label={`bridge ${data.name}`}
    >
      <ConnectHandle id="bl" side="left" top={BR_H / 2} />
      <div className="br-line">
        <span className={`dot ${up ? 'up' : 'down'}`} />
        <span className="br-name">⇌ {data.name}</span>
        <span className="port-addr">{data.addresses.join(' ')}</span>
      </div>
      {data.members.map((m, k) => (
        <Member key={m.ifname} port={m} chip={memberChip(k, data.members.length)} />
      ))}
      <ConnectHandle id="br" side="right" top={BR_H / 2} />
    </div>
  );
});

/** A member chip at a fixed place (model/geometry.ts memberChip), with the handle its veth leaves from. */
const Member = memo(function Member({ port, chip }: { port: PortView; chip: { x: number; width: number } }) {
  const up = useUp(port.key, port.up);
  const oper = useOper(port.key);
  const look = linkLook(up, oper);
  return (
    <span
      className={`member ${look.cls}`}
      data-testid={`port-${port.ns}/${port.ifname}`}
      data-up={String(up)}
      data-oper={oper?.oper}
      title={`${port.ifname} ↔ ${port.peer} · ${look.label}`}
      style={{ left: chip.x, width: chip.width }}
      onContextMenu={(e) => toolsMenuAt(e, { ns: port.ns, ifname: port.ifname })}
    >
      {chip.width >= 14 ? port.ifname : ''}
      <Handle id={`m:${port.ifname}`} type="source" position={Position.Bottom} style={handleStyle} className="member-handle" />
    </span>
  );
});

export const VrfNode = memo(function VrfNode({ id, data, selected }: NodeProps & { data: VrfData }) {
  return (
    <div className={`vrf-box${selected ? ' selected' : ''}`} data-testid={`node-${id}`} aria-label={`vrf ${data.name}`}>
      <span className={`dot ${data.up ? 'up' : 'down'}`} />
      <span className="br-name">VRF {data.name}</span>
      <span className="port-addr">table {data.table}</span>
    </div>
  );
});

export const ForwarderNode = memo(function ForwarderNode({ id, data, selected }: NodeProps & { data: ForwarderData }) {
  return (
    <div
      className={`fw-box${selected ? ' selected' : ''}${data.problem ? ' has-problem' : ''}`}
      data-testid={`node-${id}`}
      data-problem={data.problem}
      title={data.problem}
      aria-label={`forwarder ${data.name}`}
    >
      <Handle id="fl" type="source" position={Position.Left} style={handleStyle} />
      <div className="fw-name">
        ↪ {data.name} <span className="tag">{data.protocol}</span>
      </div>
      <div className="fw-ends">
        {data.listen} → {data.target}
      </div>
      <Handle id="fr" type="source" position={Position.Right} style={handleStyle} />
    </div>
  );
});
