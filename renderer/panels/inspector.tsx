/**
 * The inspector: every field of the selected object, with messages inline (field
 * checks as you type; the validator's findings for this object after each commit).
 */
import { useMemo, useState } from 'react';
import { HOST_NS, SYSCTL_KEYS } from '../../shared/model/schema';
import type { Bridge, Forwarder, ForwarderEnd, NatRule, Namespace, Route, Topology, Veth, VethEnd } from '../../shared/model/schema';
import { validateTopology } from '../../shared/validate/validate';
import type { ValidationIssue } from '../../shared/validate/issue';
import { checkForwarderName } from '../../shared/validate/names';
import { checkTopologyName } from '../../shared/model/topology-name';
import { parseCidr, parseIp } from '../../shared/validate/ip';
import { parseNatTarget } from '../../shared/validate/rules/nat';
import { parseId } from '../model/doc-ids';
import { objectKey } from '../../shared/model/ids';
import {
  addVrf,
  deleteIds,
  findVeth,
  interfaceNames,
  updateBridge,
  updateForwarder,
  updateForwarderEnd,
  updateNamespace,
  updateVethEnd,
  updateVrf,
} from '../model/edits';
import { adoptableLive } from '../model/live-external';
import { adoptFromHost } from '../live-controller';
import { LiveDetails } from './live-details';
import { LinkThroughput } from './link-throughput';
import { checkTable, routesByTable, tableRef } from './table-fields';
import { PolicySection } from './policy-section';
import { edit, useEditor } from '../store/editor-store';
import { uiStore, useUi } from '../store/ui-store';
import { liveStore, useLive } from '../store/live-store';
import { ReachPair, ReachTo, selectedNamespaces } from './reach-pair';
import { CheckField, Section, SelectField, TextField, checkCidrList, checkIfname, checkInt, checkIp, checkIpList, checkNsName, splitList } from './fields';

/** An interface name check that also refuses a name already used in the namespace (a rename onto it would merge two objects). */
const ifnameIn = (doc: Topology, ns: string, current: string) => (v: string) =>
  checkIfname(v) ?? (v !== current && interfaceNames(doc, ns).has(v) ? `an interface named ${v} exists in namespace ${ns}` : undefined);

/** NAT -s/-d: an address or a prefix, as the validator's nat rule wants (empty: any). */
const checkPrefixOrIp = (v: string) => (v === '' || parseCidr(v) || parseIp(v) ? undefined : `${v} is not an address or prefix such as 192.168.1.0/24`);
/** NAT -i/-o: an interface name, or iptables' `prefix+` wildcard (empty: any). */
const checkNatIfname = (v: string) => (v === '' ? undefined : checkIfname(v.endsWith('+') && v.length > 1 ? v.slice(0, -1) : v));

const num = (s: string) => (s === '' ? undefined : Number(s));
const str = (n: number | undefined) => (n === undefined ? '' : String(n));

function Issues({ issues }: { issues: ValidationIssue[] }) {
  if (!issues.length) return null;
  return (
    <ul className="issues" aria-label="problems">
      {issues.map((i, k) => (
        <li key={k} className={`issue ${i.severity}`} data-testid="inspector-error" data-code={i.code}>
          {i.message}
        </li>
      ))}
    </ul>
  );
}

const startsWith = (path: readonly (string | number)[], prefix: (string | number)[]) => prefix.every((p, i) => path[i] === p);

function useIssues(doc: Topology, prefix: (string | number)[] | undefined): ValidationIssue[] {
  const all = useMemo(() => {
    try {
      return validateTopology(doc);
    } catch (e) {
      return [{ code: 'validator-crashed', message: `validator failed: ${String(e)}`, path: [], severity: 'warning' } as ValidationIssue];
    }
  }, [doc]);
  return prefix ? all.filter((i) => startsWith(i.path, prefix)) : [];
}

export function Inspector() {
  const doc = useEditor((s) => s.doc);
  const selection = useUi((s) => s.selection);
  const liveOn = useLive((s) => s.enabled);
  const host = useLive((s) => s.host);
  const liveStatus = useLive((s) => (selection.length === 1 ? s.status[selection[0]] : undefined));
  const liveStatusOf = (x: string) => liveStore.getState().status[x];

  if (selection.length === 0)
    return (
      <aside className="inspector" aria-label="inspector" data-testid="inspector">
        <DocumentInspector doc={doc} />
      </aside>
    );
  if (selection.length > 1)
    return (
      <aside className="inspector" aria-label="inspector" data-testid="inspector">
        <div className="panel-title">{selection.length} objects selected</div>
        {selectedNamespaces(selection).length === 2 && <ReachPair a={selectedNamespaces(selection)[0]} b={selectedNamespaces(selection)[1]} />}
        {liveOn && host && selection.some((x) => liveStatusOf(x) === 'unmanaged') && (
          <button
            type="button"
            data-testid="inspector-adopt-selected"
            title="the selected host objects with what they depend on (namespaces, bridges); containers as external references"
            onClick={() =>
              adoptFromHost(
                selection.filter((x) => liveStatusOf(x) === 'unmanaged'),
                'selected',
              )
            }
          >
            Adopt selected
          </button>
        )}
        <button
          type="button"
          data-testid="inspector-delete"
          onClick={() => {
            edit((d) => deleteIds(d, selection));
            uiStore.getState().setSelection([]);
          }}
        >
          Delete all
        </button>
      </aside>
    );
  const id = selection[0];
  // unnamed namespaces (containers…) come in as external entries of the document (../model/live-external.ts)
  const observed = () => liveStore.getState().observed;
  const adoptable = liveOn && host && liveStatus === 'unmanaged' && adoptableLive(host, observed(), id);
  return (
    <aside className="inspector" aria-label="inspector" data-testid="inspector">
      {liveOn && liveStatus && (
        <div className={`live-banner ${liveStatus}`} data-testid="inspector-live-status">
          {liveStatus === 'unmanaged'
            ? 'On the host, not in the document (unmanaged)'
            : liveStatus === 'pending'
              ? 'In the document, not on the host yet (pending)'
              : liveStatus === 'drifted'
                ? 'Differs between document and host (drifted)'
                : 'In sync with the host'}
          {adoptable && (
            <button type="button" data-testid="inspector-adopt" onClick={() => adoptFromHost([id], 'selected')}>
              Adopt into document
            </button>
          )}
          {adoptable && (
            <button
              type="button"
              data-testid="inspector-adopt-neighbours"
              title="with its veths, the namespaces at their other ends and the bridges they hang on"
              onClick={() => adoptFromHost([id], 'neighbours')}
            >
              Adopt with neighbours
            </button>
          )}
        </div>
      )}
      {liveOn && liveStatus === 'drifted' && <DriftTable id={id} />}
      {liveOn && <HostLinkState doc={doc} id={id} />}
      {liveOn && <LiveDetails id={id} />}
      {liveOn && <LinkThroughput id={id} />}
      {selectedNamespaces([id]).map((ns) => (
        <ReachTo key={ns} from={ns} />
      ))}
      {liveOn && liveStatus === 'unmanaged' ? (
        // not in the document: editable fields would show made-up defaults (e.g. "Loopback up" for a
        // namespace whose lo is down) and edit nothing; adopting it brings the host's facts in
        <p className="muted" data-testid="inspector-unmanaged-note">
          {adoptable
            ? 'This object is on the host only. Adopt it to edit it here; netns-studio never changes objects it did not create.'
            : 'This object is on the host only, in a namespace without a name (a container or a process): shown as the kernel has it, netns-studio never changes it.'}
        </p>
      ) : (
        <InspectorFields doc={doc} id={id} />
      )}
    </aside>
  );
}

/** Each drifted field: what the document says beside what the host has. */
function DriftTable({ id }: { id: string }) {
  const fields = useLive((s) => s.drift[id.replace(/~\d+$/, '')]);
  if (!fields?.length) return null;
  return (
    <table className="drift-table" data-testid="inspector-drift">
      <thead>
        <tr>
          <th>field</th>
          <th>document</th>
          <th>host</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => (
          <tr key={f.field} data-testid="inspector-drift-row" data-field={f.field}>
            <td>{f.field}</td>
            <td data-testid="inspector-drift-doc">{f.doc}</td>
            <td data-testid="inspector-drift-host">{f.host}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The links of a selected veth or bridge as the host has them: admin state and operational state apart. */
function HostLinkState({ doc, id }: { doc: Topology; id: string }) {
  const p = parseId(id);
  const keys =
    p?.kind === 'bridge'
      ? [objectKey.link(p.ns, p.name)]
      : p?.kind === 'veth'
        ? (doc.veths.find((v) => v.ends[0].namespace === p.ns && v.ends[0].name === p.ifname)?.ends ?? []).map((e) => objectKey.link(e.namespace, e.name))
        : [];
  const up = useLive((s) => s.linkUp);
  const oper = useLive((s) => s.linkOper);
  const known = keys.filter((k) => up[k] !== undefined);
  if (!known.length) return null;
  return (
    <div className="host-link-state" data-testid="inspector-host-links">
      {known.map((k) => {
        const o = oper[k];
        const noCarrier = up[k] && o !== undefined && o.oper !== 'UP' && o.oper !== 'UNKNOWN';
        return (
          <span key={k} data-testid="inspector-host-link" data-key={k}>
            {k.slice('link:'.length)}: admin {up[k] ? 'up' : 'down'} · operational {o ? o.oper : 'unknown'}
            {noCarrier ? ' (no carrier)' : ''}
          </span>
        );
      })}
    </div>
  );
}

function InspectorFields({ doc, id }: { doc: Topology; id: string }) {
  const p = parseId(id);
  const selection = [id];
  return (
    <>
      {p?.kind === 'namespace' && <NamespaceInspector doc={doc} name={p.ns} />}
      {p?.kind === 'bridge' && <BridgeInspector doc={doc} ns={p.ns} name={p.name} />}
      {p?.kind === 'vrf' && <VrfInspector doc={doc} ns={p.ns} name={p.name} />}
      {p?.kind === 'veth' && <VethInspector doc={doc} ns={p.ns} ifname={p.ifname} />}
      {p?.kind === 'forwarder' && <ForwarderInspector doc={doc} name={p.name} />}
      <button
        type="button"
        className="danger"
        data-testid="inspector-delete"
        onClick={() => {
          edit((d) => deleteIds(d, selection));
          uiStore.getState().setSelection([]);
        }}
      >
        Delete
      </button>
    </>
  );
}

function DocumentInspector({ doc }: { doc: Topology }) {
  const issues = useIssues(doc, []);
  const fileName = useEditor((s) => s.fileName);
  return (
    <>
      <div className="panel-title">Document</div>
      <TextField
        field="doc-topology-name"
        label="Topology name (its identity on a host; empty = the file name)"
        value={doc.name ?? ''}
        placeholder={fileName?.replace(/\.(ya?ml|json)$/i, '') ?? 'untitled'}
        check={(v) => (v === '' ? undefined : (checkTopologyName(v) ?? undefined))}
        onCommit={(v) => edit((d) => ({ ...d, name: v || undefined }))}
      />
      <TextField
        field="doc-name"
        label="Title"
        value={doc.metadata.name ?? ''}
        onCommit={(v) => edit((d) => ({ ...d, metadata: { ...d.metadata, name: v || undefined } }))}
      />
      <TextField
        field="doc-description"
        label="Description"
        value={doc.metadata.description ?? ''}
        onCommit={(v) => edit((d) => ({ ...d, metadata: { ...d.metadata, description: v || undefined } }))}
      />
      <p className="muted">
        {doc.namespaces.length} namespaces · {doc.bridges.length} bridges · {doc.veths.length} veths · {doc.forwarders.length} forwarders
      </p>
      <Section title={issues.length ? `Problems (${issues.length})` : 'No problems'}>
        <Issues issues={issues.slice(0, 50)} />
      </Section>
    </>
  );
}

// ---------------------------------------------------------------- namespace

function NamespaceInspector({ doc, name }: { doc: Topology; name: string }) {
  const index = doc.namespaces.findIndex((n) => n.name === name);
  const ns: Namespace = doc.namespaces[index] ?? { name, loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] };
  const issues = useIssues(doc, index >= 0 ? ['namespaces', index] : undefined);
  const [route, setRoute] = useState(0);
  const [nat, setNat] = useState(0);
  const set = (patch: Partial<Namespace>, coalesce?: string) => edit((d) => updateNamespace(d, name, patch), { coalesce });
  const isHostNs = name === HOST_NS;
  const ifaces = [
    ...doc.veths.flatMap((v) => v.ends.filter((e) => e.namespace === name).map((e) => e.name)),
    ...doc.bridges.filter((b) => b.namespace === name).map((b) => b.name),
    ...ns.vrfs.map((v) => v.name),
  ];
  const setRoutes = (routes: Route[]) => set({ routes });
  const r = ns.routes[Math.min(route, ns.routes.length - 1)];
  const ri = Math.min(route, ns.routes.length - 1);
  const patchRoute = (patch: Partial<Route>) => {
    const next = { ...r, ...patch } as Route;
    for (const k of Object.keys(next) as (keyof Route)[]) if (next[k] === undefined || next[k] === '') delete next[k];
    setRoutes(ns.routes.map((x, i) => (i === ri ? next : x)));
  };
  const n = ns.nat[Math.min(nat, ns.nat.length - 1)];
  const ni = Math.min(nat, ns.nat.length - 1);
  const patchNat = (patch: Partial<NatRule>) => {
    const next = { ...n, ...patch } as NatRule;
    for (const k of Object.keys(next) as (keyof NatRule)[]) if (next[k] === undefined || next[k] === '') delete next[k];
    set({ nat: ns.nat.map((x, i) => (i === ni ? next : x)) });
  };
  return (
    <>
      <div className="panel-title">{isHostNs ? 'Host (root namespace)' : 'Namespace'}</div>
      <datalist id="ifnames">
        {ifaces.map((i) => (
          <option key={i} value={i} />
        ))}
      </datalist>
      {!isHostNs && (
        <TextField
          field="name"
          label="Name"
          value={ns.name}
          check={(v) =>
            checkNsName(v) ??
            (v !== name && doc.namespaces.some((x) => x.name === v) ? `a namespace named ${v} exists` : undefined) ??
            (v === HOST_NS ? 'host is the root namespace' : undefined)
          }
          onCommit={(v) => set({ name: v })}
        />
      )}
      <CheckField field="loopback" label="Loopback up" value={ns.loopback === 'up'} onChange={(v) => set({ loopback: v ? 'up' : 'down' })} />
      <CheckField
        field="nodad"
        label="IPv6 addresses usable at once (nodad, no duplicate address detection)"
        value={ns.nodad === true}
        onChange={(v) => set({ nodad: v || undefined })}
      />
      <Section title="Sysctls">
        <CheckField
          field="sysctl-ip-forward"
          label="IPv4 forwarding"
          value={ns.sysctls['net.ipv4.ip_forward'] === '1'}
          onChange={(v) => set({ sysctls: { ...ns.sysctls, 'net.ipv4.ip_forward': v ? '1' : '0' } })}
        />
        <CheckField
          field="sysctl-ipv6-forwarding"
          label="IPv6 forwarding"
          value={ns.sysctls['net.ipv6.conf.all.forwarding'] === '1'}
          onChange={(v) => set({ sysctls: { ...ns.sysctls, 'net.ipv6.conf.all.forwarding': v ? '1' : '0' } })}
        />
        {SYSCTL_KEYS.filter((k) => k.includes('rp_filter') || k.includes('ping_group')).map((k) => (
          <TextField
            key={k}
            field={`sysctl-${k.split('.').pop()}`}
            label={k}
            value={ns.sysctls[k] ?? ''}
            onCommit={(v) => {
              const s = { ...ns.sysctls };
              if (v === '') delete s[k];
              else s[k] = v;
              set({ sysctls: s });
            }}
          />
        ))}
      </Section>
      <Section title="DNS">
        <TextField
          field="dns"
          label="Nameservers"
          placeholder="10.0.0.53, 1.1.1.1"
          value={(ns.dns?.nameservers ?? []).join(', ')}
          check={checkIpList}
          onCommit={(v) => {
            const servers = splitList(v);
            set({ dns: servers.length ? { ...ns.dns, nameservers: servers } : undefined });
          }}
        />
        <TextField
          field="dns-search"
          label="Search domains"
          value={(ns.dns?.search ?? []).join(', ')}
          onCommit={(v) => ns.dns && set({ dns: { ...ns.dns, search: splitList(v).length ? splitList(v) : undefined } })}
        />
      </Section>
      <Section
        title={`Routes (${ns.routes.length})`}
        actions={
          <button
            type="button"
            data-testid="inspector-route-add"
            aria-label="add route"
            onClick={() => (setRoutes([...ns.routes, { to: 'default' }]), setRoute(ns.routes.length))}
          >
            + route
          </button>
        }
      >
        <ul className="rows">
          {routesByTable(ns).map(({ table, items }) => [
            ...(table === undefined
              ? []
              : [
                  <li key={`t-${table}`} className="group" data-testid={`inspector-route-table-${table}`}>
                    table {table}
                  </li>,
                ]),
            ...items.map(({ route: x, index: i }) => (
              <li key={i} className={i === ri ? 'active' : ''} data-testid={`inspector-route-${i}`} onClick={() => setRoute(i)}>
                {x.type && x.type !== 'unicast' ? `${x.type} ` : ''}
                {x.to}
                {x.via ? ` via ${x.via}` : ''}
                {x.dev ? ` dev ${x.dev}` : ''}
                {x.nexthops
                  ? ` ${x.nexthops.map((h) => `nexthop${h.via ? ` via ${h.via}` : ''}${h.dev ? ` dev ${h.dev}` : ''}${h.weight ? ` weight ${h.weight}` : ''}`).join(' ')}`
                  : ''}
                {x.metric !== undefined ? ` metric ${x.metric}` : ''}
                {x.onlink ? ' onlink' : ''}
              </li>
            )),
          ])}
        </ul>
        {r && (
          <div className="subform" aria-label="route">
            <TextField
              field="route-to"
              label="To"
              value={r.to}
              placeholder="default or 10.1.0.0/16"
              check={(v) => (v === 'default' ? undefined : checkCidrList(v))}
              onCommit={(v) => patchRoute({ to: v })}
            />
            <TextField field="route-via" label="Via" value={r.via ?? ''} check={checkIp} onCommit={(v) => patchRoute({ via: v || undefined })} />
            <TextField
              field="route-dev"
              label="Dev"
              value={r.dev ?? ''}
              list="ifnames"
              check={(v) => (v ? checkIfname(v) : undefined)}
              onCommit={(v) => patchRoute({ dev: v || undefined })}
            />
            <TextField
              field="route-metric"
              label="Metric"
              value={str(r.metric)}
              check={checkInt(0, 4294967295)}
              onCommit={(v) => patchRoute({ metric: num(v) })}
            />
            <TextField
              field="route-table"
              label="Table"
              value={r.table === undefined ? '' : String(r.table)}
              check={checkTable(ns)}
              onCommit={(v) => patchRoute({ table: tableRef(v) })}
            />
            <CheckField field="route-onlink" label="On link" value={r.onlink === true} onChange={(v) => patchRoute({ onlink: v || undefined })} />
            <TextField field="route-src" label="Source" value={r.src ?? ''} check={checkIp} onCommit={(v) => patchRoute({ src: v || undefined })} />
            <SelectField
              field="route-type"
              label="Type"
              value={r.type ?? ''}
              options={['', 'unicast', 'blackhole', 'unreachable', 'prohibit', 'local']}
              onChange={(v) => patchRoute({ type: (v || undefined) as Route['type'] })}
            />
            <button type="button" data-testid="inspector-route-remove" onClick={() => setRoutes(ns.routes.filter((_, i) => i !== ri))}>
              Remove route
            </button>
          </div>
        )}
      </Section>
      <PolicySection ns={ns} set={set} />
      <Section
        title={`NAT (${ns.nat.length})`}
        actions={
          <button
            type="button"
            data-testid="inspector-nat-add"
            aria-label="add NAT rule"
            onClick={() => (set({ nat: [...ns.nat, { action: 'masquerade' }] }), setNat(ns.nat.length))}
          >
            + rule
          </button>
        }
      >
        <ul className="rows">
          {ns.nat.map((x, i) => (
            <li key={i} className={i === ni ? 'active' : ''} data-testid={`inspector-nat-${i}`} onClick={() => setNat(i)}>
              {x.action} {x.source ? `-s ${x.source} ` : ''}
              {x.outInterface ? `-o ${x.outInterface} ` : ''}
              {x.toAddress ? `→ ${x.toAddress}` : ''}
            </li>
          ))}
        </ul>
        {n && (
          <div className="subform" aria-label="NAT rule">
            <SelectField
              field="nat-action"
              label="Action"
              value={n.action}
              options={['masquerade', 'snat', 'dnat']}
              onChange={(v) => patchNat({ action: v as NatRule['action'] })}
            />
            <TextField
              field="nat-source"
              label="Source (-s)"
              value={n.source ?? ''}
              check={checkPrefixOrIp}
              onCommit={(v) => patchNat({ source: v || undefined })}
            />
            <TextField
              field="nat-destination"
              label="Destination (-d)"
              value={n.destination ?? ''}
              check={checkPrefixOrIp}
              onCommit={(v) => patchNat({ destination: v || undefined })}
            />
            <TextField
              field="nat-in"
              label="In interface (-i)"
              value={n.inInterface ?? ''}
              list="ifnames"
              check={checkNatIfname}
              onCommit={(v) => patchNat({ inInterface: v || undefined })}
            />
            <TextField
              field="nat-out"
              label="Out interface (-o)"
              value={n.outInterface ?? ''}
              list="ifnames"
              check={checkNatIfname}
              onCommit={(v) => patchNat({ outInterface: v || undefined })}
            />
            <SelectField
              field="nat-protocol"
              label="Protocol"
              value={n.protocol ?? ''}
              options={['', 'tcp', 'udp']}
              onChange={(v) => patchNat({ protocol: (v || undefined) as NatRule['protocol'] })}
            />
            <TextField field="nat-port" label="Port (--dport)" value={str(n.port)} check={checkInt(1, 65535)} onCommit={(v) => patchNat({ port: num(v) })} />
            <TextField
              field="nat-to"
              label="To address[:port]"
              value={n.toAddress ?? ''}
              check={(v) => (v === '' || parseNatTarget(v) ? undefined : `${v} is not ADDRESS or ADDRESS:PORT`)}
              onCommit={(v) => patchNat({ toAddress: v || undefined })}
            />
            <button type="button" data-testid="inspector-nat-remove" onClick={() => set({ nat: ns.nat.filter((_, i) => i !== ni) })}>
              Remove rule
            </button>
          </div>
        )}
      </Section>
      <Section
        title={`VRFs (${ns.vrfs.length})`}
        actions={
          index >= 0 ? (
            <button type="button" data-testid="inspector-vrf-add" aria-label="add VRF" onClick={() => edit((d) => addVrf(d, name))}>
              + VRF
            </button>
          ) : undefined
        }
      >
        <ul className="rows">
          {ns.vrfs.map((v) => (
            <li key={v.name} onClick={() => uiStore.getState().setSelection([`vrf:${name}/${v.name}`])}>
              {v.name} · table {v.table}
            </li>
          ))}
        </ul>
      </Section>
      <Issues issues={issues} />
    </>
  );
}

// ---------------------------------------------------------------- bridge / vrf

function BridgeInspector({ doc, ns, name }: { doc: Topology; ns: string; name: string }) {
  const index = doc.bridges.findIndex((b) => b.namespace === ns && b.name === name);
  const b = doc.bridges[index];
  const issues = useIssues(doc, index >= 0 ? ['bridges', index] : undefined);
  if (!b) return <div className="muted">This bridge is not in the document.</div>;
  const set = (patch: Partial<Bridge>) => edit((d) => updateBridge(d, ns, name, patch));
  return (
    <>
      <div className="panel-title">Bridge</div>
      <TextField field="name" label="Name" value={b.name} check={ifnameIn(doc, ns, b.name)} onCommit={(v) => set({ name: v })} />
      <TextField field="namespace" label="Namespace" value={b.namespace} list="nsnames" check={checkNsName} onCommit={(v) => set({ namespace: v })} />
      <NsList doc={doc} />
      <TextField
        field="addresses"
        label="Addresses"
        placeholder="10.0.0.1/24"
        value={b.addresses.join(', ')}
        check={checkCidrList}
        onCommit={(v) => set({ addresses: splitList(v) })}
      />
      <TextField field="mtu" label="MTU" value={str(b.mtu)} check={checkInt(68, 65535)} onCommit={(v) => set({ mtu: num(v) })} />
      <TextField field="master" label="VRF (master)" value={b.master ?? ''} onCommit={(v) => set({ master: v || undefined })} />
      <CheckField field="up" label="Up" value={b.up} onChange={(v) => set({ up: v })} />
      <CheckField
        field="accept-forward"
        label="Accept bridged traffic in the FORWARD chain (for a host whose policy is DROP, like Docker's)"
        value={b.acceptForward === true}
        onChange={(v) => set({ acceptForward: v || undefined })}
      />
      <Issues issues={issues} />
    </>
  );
}

function VrfInspector({ doc, ns, name }: { doc: Topology; ns: string; name: string }) {
  const nsIndex = doc.namespaces.findIndex((n) => n.name === ns);
  const vi = doc.namespaces[nsIndex]?.vrfs.findIndex((v) => v.name === name) ?? -1;
  const v = doc.namespaces[nsIndex]?.vrfs[vi];
  const issues = useIssues(doc, v ? ['namespaces', nsIndex, 'vrfs', vi] : undefined);
  if (!v) return <div className="muted">This VRF is not in the document.</div>;
  return (
    <>
      <div className="panel-title">VRF in {ns}</div>
      <TextField
        field="name"
        label="Name"
        value={v.name}
        check={ifnameIn(doc, ns, v.name)}
        onCommit={(x) => edit((d) => updateVrf(d, ns, name, { name: x }))}
      />
      <TextField
        field="table"
        label="Table"
        value={String(v.table)}
        check={checkInt(1, 4294967295, false)}
        onCommit={(x) => edit((d) => updateVrf(d, ns, name, { table: Number(x) }))}
      />
      <CheckField field="up" label="Up" value={v.up} onChange={(x) => edit((d) => updateVrf(d, ns, name, { up: x }))} />
      <Issues issues={issues} />
    </>
  );
}

function NsList({ doc }: { doc: Topology }) {
  return (
    <datalist id="nsnames">
      <option value={HOST_NS} />
      {doc.namespaces.map((n) => (
        <option key={n.name} value={n.name} />
      ))}
    </datalist>
  );
}

// ---------------------------------------------------------------- veth

function VethInspector({ doc, ns, ifname }: { doc: Topology; ns: string; ifname: string }) {
  const index = findVeth(doc, ns, ifname);
  const v: Veth | undefined = doc.veths[index];
  const issues = useIssues(doc, index >= 0 ? ['veths', index] : undefined);
  if (!v) return <div className="muted">This veth is not in the document.</div>;
  const end = (k: 0 | 1, e: VethEnd) => {
    const set = (patch: Partial<VethEnd>) => edit((d) => updateVethEnd(d, findVeth(d, v.ends[0].namespace, v.ends[0].name), k, patch));
    const masters = [
      ...doc.bridges.filter((b) => b.namespace === e.namespace).map((b) => b.name),
      ...(doc.namespaces.find((n) => n.name === e.namespace)?.vrfs.map((x) => x.name) ?? []),
    ];
    return (
      <Section title={`End ${k + 1}`}>
        <TextField
          field={`end${k}-namespace`}
          label="Namespace"
          value={e.namespace}
          list="nsnames"
          check={checkNsName}
          onCommit={(x) => set({ namespace: x })}
        />
        <TextField field={`end${k}-name`} label="Interface" value={e.name} check={ifnameIn(doc, e.namespace, e.name)} onCommit={(x) => set({ name: x })} />
        <TextField
          field={`end${k}-addresses`}
          label="Addresses"
          placeholder="10.0.0.2/24"
          value={e.addresses.join(', ')}
          check={checkCidrList}
          onCommit={(x) => set({ addresses: splitList(x) })}
        />
        <TextField field={`end${k}-mtu`} label="MTU" value={str(e.mtu)} check={checkInt(68, 65535)} onCommit={(x) => set({ mtu: num(x) })} />
        <TextField
          field={`end${k}-master`}
          label="Master (bridge or VRF)"
          value={e.master ?? ''}
          list={`masters${k}`}
          onCommit={(x) => set({ master: x || undefined })}
        />
        <datalist id={`masters${k}`}>
          {masters.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        <CheckField field={`end${k}-up`} label="Up" value={e.up} onChange={(x) => set({ up: x })} />
      </Section>
    );
  };
  return (
    <>
      <div className="panel-title">Veth pair</div>
      <NsList doc={doc} />
      {end(0, v.ends[0])}
      {end(1, v.ends[1])}
      <Issues issues={issues} />
    </>
  );
}

// ---------------------------------------------------------------- forwarder

function ForwarderInspector({ doc, name }: { doc: Topology; name: string }) {
  const index = doc.forwarders.findIndex((f) => f.name === name);
  const f: Forwarder | undefined = doc.forwarders[index];
  const issues = useIssues(doc, index >= 0 ? ['forwarders', index] : undefined);
  if (!f) return <div className="muted">This forwarder is not in the document.</div>;
  const endFields = (which: 'listen' | 'target', e: ForwarderEnd) => (
    <Section title={which === 'listen' ? 'Listen' : 'Target'}>
      <TextField
        field={`${which}-namespace`}
        label="Namespace"
        value={e.namespace}
        list="nsnames"
        check={checkNsName}
        onCommit={(x) => edit((d) => updateForwarderEnd(d, name, which, { namespace: x }))}
      />
      <TextField
        field={`${which}-address`}
        label={which === 'listen' ? 'Address' : 'Host or address'}
        value={e.address}
        onCommit={(x) => edit((d) => updateForwarderEnd(d, name, which, { address: x }))}
      />
      <TextField
        field={`${which}-port`}
        label="Port"
        value={String(e.port)}
        check={checkInt(1, 65535, false)}
        onCommit={(x) => edit((d) => updateForwarderEnd(d, name, which, { port: Number(x) }))}
      />
    </Section>
  );
  return (
    <>
      <div className="panel-title">Forwarder</div>
      <NsList doc={doc} />
      <TextField
        field="name"
        label="Name"
        value={f.name}
        check={(x) =>
          !x
            ? 'a name is required'
            : (checkForwarderName(x)?.message ?? (x !== name && doc.forwarders.some((o) => o.name === x) ? `a forwarder named ${x} exists` : undefined))
        }
        onCommit={(x) => edit((d) => updateForwarder(d, name, { name: x }))}
      />
      <SelectField
        field="protocol"
        label="Protocol"
        value={f.protocol}
        options={['tcp', 'udp']}
        onChange={(x) => edit((d) => updateForwarder(d, name, { protocol: x as Forwarder['protocol'] }))}
      />
      {endFields('listen', f.listen)}
      {endFields('target', f.target)}
      <Issues issues={issues} />
    </>
  );
}
