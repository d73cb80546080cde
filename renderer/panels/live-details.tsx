/**
 * What the kernel has for the selected object, in the live view: for a namespace
 * its identity (container, pod, Mininet host, holders, mounts), every link with
 * admin/oper state, MTU, MAC, addresses, master, veth peer and counters, routes
 * of every table, policy rules and NAT (Docker's chains read as the model's rules where it can
 * say them, shared/reach/nat-view.ts; raw lines otherwise); for a bridge its members; for a
 * veth both ends. Read from the observed host the helper sent (read-only).
 */
import type { ObservedLink, ObservedNamespace } from '../../shared/model/observed';
import type { NatRule } from '../../shared/model/schema';
import { natView } from '../../shared/reach/nat-view';
import { parseId } from '../model/doc-ids';
import { useLive } from '../store/live-store';

/** `dnat tcp :18080 → 172.17.0.2:80`, `masquerade 172.17.0.0/16 out eth0` */
function natRuleWords(r: NatRule): string {
  const m = [
    r.source && `from ${r.source}`,
    r.destination && `to ${r.destination}`,
    r.inInterface && `in ${r.inInterface}`,
    r.outInterface && `out ${r.outInterface}`,
    r.protocol && `${r.protocol}${r.port !== undefined ? ` :${r.port}` : ''}`,
  ];
  return [r.action, ...m.filter(Boolean), r.toAddress && `→ ${r.toAddress}`].filter(Boolean).join(' ');
}

const bytes = (n: number) => (n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`);

export function LiveDetails({ id }: { id: string }) {
  const observed = useLive((s) => (s.enabled ? s.observed : undefined));
  const labels = useLive((s) => s.labels);
  // an external entry is drawn in place of its `inode:N` namespace (../model/live-external.ts)
  const aliases = useLive((s) => s.aliases);
  const p = parseId(id);
  if (!observed || !p || p.kind === 'forwarder') return null;
  const seen = Object.entries(aliases).find(([, to]) => to === p.ns)?.[0] ?? p.ns;
  const found = observed.namespaces.find((n) => n.name === seen);
  if (!found || !Array.isArray(found.links)) return null;
  // an observed host may leave fields out (a demo backend, an older helper): read what is there
  const ns: ObservedNamespace = {
    ...found,
    routes: found.routes ?? [],
    rules: found.rules ?? [],
    sysctls: found.sysctls ?? {},
    links: found.links.map((l) => ({ ...l, addresses: l.addresses ?? [] })),
  };
  const label = (name?: string) => (name ? (labels[aliases[name] ?? name] ?? aliases[name] ?? name) : '?');
  if (p.kind === 'namespace') return <NamespaceDetails ns={ns} label={label} />;
  if (p.kind === 'bridge' || p.kind === 'vrf') {
    const l = ns.links.find((x) => x.name === p.name);
    if (!l) return null;
    const members = ns.links.filter((x) => x.master === p.name);
    return (
      <section className="live-details" data-testid="live-details">
        <div className="panel-title">On the host</div>
        <LinkRow ns={ns} l={l} label={label} />
        <div className="muted" data-testid="live-members">
          members:{' '}
          {members.length
            ? members.map((m) => `${m.name}${m.peer ? ` ↔ ${label(m.peer.namespace)}/${m.peer.name ?? m.peer.ifindex}` : ''}`).join(', ')
            : 'none'}
        </div>
      </section>
    );
  }
  const l = ns.links.find((x) => x.name === p.ifname);
  if (!l) return null;
  const peerFound = l.peer?.namespace ? observed.namespaces.find((n) => n.name === l.peer!.namespace) : undefined;
  const peerNs =
    peerFound && Array.isArray(peerFound.links) ? { ...peerFound, links: peerFound.links.map((x) => ({ ...x, addresses: x.addresses ?? [] })) } : undefined;
  const peer = peerNs?.links.find((x) => x.ifindex === l.peer!.ifindex);
  return (
    <section className="live-details" data-testid="live-details">
      <div className="panel-title">On the host</div>
      <LinkRow ns={ns} l={l} label={label} />
      {peerNs && peer && <LinkRow ns={peerNs} l={peer} label={label} />}
    </section>
  );
}

function NamespaceDetails({ ns, label }: { ns: ObservedNamespace; label: (n?: string) => string }) {
  const id = ns.identity;
  return (
    <section className="live-details" data-testid="live-details">
      <div className="panel-title">On the host</div>
      <div data-testid="live-identity">
        {id ? id.label : ns.name}{' '}
        <span className="muted">
          · inode {ns.inode}
          {ns.named ? '' : ' · unnamed'}
        </span>
      </div>
      {id?.containers?.map((c) => (
        <div key={c.id} className="muted" data-testid="live-container">
          {c.runtime} {c.name} ({c.id.slice(0, 12)}){c.sharesWith ? ` · network of ${c.sharesWith}` : ''}
          {c.networks.map((n) => ` · ${n.name} ${n.address ?? ''}`).join('')}
          {c.ports?.length ? ` · ports ${c.ports.join(', ')}` : ''}
        </div>
      ))}
      {id?.pod && (
        <div className="muted">
          pod {id.pod.namespace}/{id.pod.name}
        </div>
      )}
      {ns.holders?.length ? (
        <div className="muted" data-testid="live-holders">
          held by{' '}
          {ns.holders
            .slice(0, 8)
            .map((h) => `${h.comm} ${h.pid}`)
            .join(', ')}
          {ns.holders.length > 8 ? ` and ${ns.holders.length - 8} more` : ''}
        </div>
      ) : null}
      {ns.mounts?.length ? <div className="muted">mounted at {ns.mounts.join(', ')}</div> : null}
      <div className="live-sub">Links</div>
      {ns.links.map((l) => (
        <LinkRow key={l.ifindex} ns={ns} l={l} label={label} />
      ))}
      <div className="live-sub">Routes</div>
      <ul className="live-list" data-testid="live-routes">
        {ns.routes
          .filter((r) => r.table !== 255)
          .map((r, i) => (
            <li key={i}>
              {r.type !== 'unicast' ? `${r.type} ` : ''}
              {r.dst}
              {r.via ? ` via ${r.via}` : ''}
              {r.dev ? ` dev ${r.dev}` : ''}
              {r.table !== 254 ? ` table ${r.table}` : ''}{' '}
              <span className="muted">
                {r.protocol}
                {r.metric !== undefined ? ` metric ${r.metric}` : ''}
              </span>
            </li>
          ))}
      </ul>
      {ns.rules.length > 0 && (
        <>
          <div className="live-sub">Policy rules</div>
          <ul className="live-list">
            {ns.rules.map((r, i) => (
              <li key={i}>{r.text}</li>
            ))}
          </ul>
        </>
      )}
      {ns.natLines && ns.natLines.length > 0 && (
        <>
          <div className="live-sub">NAT</div>
          {/* rules the model can say, in its words, with what it cannot say beside; the rest as iptables wrote it */}
          <ul className="live-list" data-testid="live-nat">
            {natView(ns.natLines).map((v, i) =>
              v.rule ? (
                <li key={i} data-testid="live-nat-rule" title={v.line}>
                  {natRuleWords(v.rule)}
                  {v.beyond.length > 0 && <span className="muted"> · beyond the model: {v.beyond.join(', ')}</span>}
                </li>
              ) : (
                <li key={i} data-testid="live-nat-raw">
                  <code>{v.line}</code>
                </li>
              ),
            )}
          </ul>
        </>
      )}
      {Object.keys(ns.sysctls).length > 0 && (
        <div className="muted">
          {Object.entries(ns.sysctls)
            .map(([k, v]) => `${k}=${v}`)
            .join(' · ')}
        </div>
      )}
    </section>
  );
}

function LinkRow({ ns, l, label }: { ns: ObservedNamespace; l: ObservedLink; label: (n?: string) => string }) {
  return (
    <div className="live-link" data-testid={`live-link-${l.name}`}>
      <div>
        <b>
          {ns.named ? ns.name : label(ns.name)}/{l.name}
        </b>{' '}
        <span className="muted">{l.rawKind}</span>{' '}
        <span data-testid="live-state">
          {l.up ? 'up' : 'down'} / {l.oper}
        </span>{' '}
        · mtu {l.mtu}
        {l.mac ? ` · ${l.mac}` : ''}
        {l.master ? ` · master ${l.master}` : ''}
      </div>
      {l.addresses.length > 0 && <div data-testid="live-addresses">{l.addresses.map((a) => a.cidr).join(' ')}</div>}
      {l.peer && (
        <div className="muted" data-testid="live-peer">
          peer {label(l.peer.namespace)}/{l.peer.name ?? `#${l.peer.ifindex}`}
        </div>
      )}
      {l.stats && (
        <div className="muted">
          rx {bytes(l.stats.rxBytes)} / {l.stats.rxPackets} pkts · tx {bytes(l.stats.txBytes)} / {l.stats.txPackets} pkts
        </div>
      )}
    </div>
  );
}
