/**
 * The capture panel (a port's menu → Capture packets…): filter, count and
 * duration; Start runs tcpdump in the port's namespace through the helper and
 * fills a live packet list (time, source, destination, protocol, length,
 * summary); the packets download as a pcap, or open in Wireshark on a desktop
 * that has it.
 */
import { useEffect, useRef, useState } from 'react';
import type { CaptureEvent, CapturedPacket, Unsubscribe } from '../../shared/backend';
import { timeOfDay } from '../../shared/capture/format';
import { writePcap } from '../../shared/capture/pcap';
import { useBackend } from '../backend-context';
import { closeCapture, useTools } from '../store/tools-store';

/** Rows drawn at once: the newest; every packet still goes into the pcap. */
const SHOWN = 500;

function bytesOf(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function CapturePanel() {
  const target = useTools((s) => s.capture);
  const backend = useBackend();
  const [filter, setFilter] = useState('');
  const [count, setCount] = useState(1000);
  const [seconds, setSeconds] = useState(60);
  const [packets, setPackets] = useState<CapturedPacket[]>([]);
  const [state, setState] = useState<'idle' | 'starting' | 'running' | 'ended'>('idle');
  const [note, setNote] = useState<string>();
  const [wireshark, setWireshark] = useState(false);
  const linktype = useRef(1);
  const stop = useRef<Unsubscribe | undefined>(undefined);

  useEffect(() => {
    void backend?.canOpenInWireshark().then(setWireshark);
  }, [backend]);
  // a new target, or the panel closing, stops what ran
  useEffect(
    () => () => {
      stop.current?.();
      stop.current = undefined;
      setPackets([]);
      setState('idle');
      setNote(undefined);
    },
    [target?.ns, target?.ifname],
  );
  if (!target || !backend) return null;

  const start = async () => {
    setPackets([]);
    setNote(undefined);
    setState('starting');
    let ended = false;
    const r = await backend.startCapture(
      { namespace: target.ns, interface: target.ifname, count, durationMs: Math.round(seconds * 1000), ...(filter.trim() ? { filter: filter.trim() } : {}) },
      (e: CaptureEvent) => {
        if (e.type === 'packets') {
          linktype.current = e.linktype;
          setPackets((p) => [...p, ...e.packets]);
        } else {
          ended = true;
          stop.current = undefined;
          setState('ended');
          setNote(`${e.packets} packets, stopped by ${e.reason}${e.error ? `: ${e.error}` : ''}`);
        }
      },
    );
    if (!r.ok) {
      setState('ended');
      setNote(r.error.message);
      return;
    }
    // the helper answers once tcpdump listens: from here on, traffic is seen
    if (ended) return;
    stop.current = r.value;
    setState('running');
  };
  const busy = state === 'starting' || state === 'running';
  const pcap = () =>
    writePcap(
      linktype.current,
      packets.map((p) => ({ time: p.time, origLen: p.len, data: bytesOf(p.data) })),
    );
  const name = `${target.ns}-${target.ifname}.pcap`;

  return (
    <section className="capture-panel" aria-label="packet capture" data-testid="capture-panel">
      <header>
        <b>
          Capture on {target.ns}/{target.ifname}
        </b>
        <button type="button" aria-label="close" data-testid="capture-close" onClick={closeCapture}>
          ×
        </button>
      </header>
      <div className="capture-controls">
        <input
          data-testid="capture-filter"
          placeholder="filter, e.g. icmp or tcp port 80"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          disabled={busy}
        />
        <label>
          count{' '}
          <input
            type="number"
            min={1}
            max={100000}
            data-testid="capture-count"
            value={count}
            onChange={(e) => setCount(Math.max(1, Math.min(100_000, Number(e.target.value) || 1)))}
            disabled={busy}
          />
        </label>
        <label>
          seconds{' '}
          <input
            type="number"
            min={1}
            max={3600}
            data-testid="capture-seconds"
            value={seconds}
            onChange={(e) => setSeconds(Math.max(1, Math.min(3600, Number(e.target.value) || 1)))}
            disabled={busy}
          />
        </label>
        {busy ? (
          <button
            type="button"
            data-testid="capture-stop"
            disabled={state === 'starting'}
            onClick={() => (stop.current?.(), (stop.current = undefined), setState('ended'), setNote(`${packets.length} packets, stopped`))}
          >
            Stop
          </button>
        ) : (
          <button type="button" data-testid="capture-start" onClick={() => void start()}>
            Start
          </button>
        )}
        <button type="button" data-testid="capture-download" disabled={!packets.length} onClick={() => void backend.exportFile(pcap(), 'pcap', name)}>
          Download pcap
        </button>
        {wireshark && (
          <button
            type="button"
            data-testid="capture-wireshark"
            disabled={!packets.length}
            onClick={() => void backend.openInWireshark(pcap()).then((r) => !r.ok && setNote(r.error.message))}
          >
            Open in Wireshark
          </button>
        )}
      </div>
      <div className="capture-status" data-testid="capture-status" data-state={state}>
        {state === 'starting' ? 'starting tcpdump…' : state === 'running' ? `capturing… ${packets.length} packets` : (note ?? 'not started')}
      </div>
      <div className="capture-list">
        <table data-testid="capture-packets">
          <thead>
            <tr>
              <th>#</th>
              <th>time</th>
              <th>source</th>
              <th>destination</th>
              <th>protocol</th>
              <th>length</th>
              <th>summary</th>
            </tr>
          </thead>
          <tbody>
            {packets.slice(-SHOWN).map((p) => (
              <tr key={p.n} data-testid="capture-packet" data-proto={p.proto} data-src={p.src} data-dst={p.dst}>
                <td>{p.n}</td>
                <td>{timeOfDay(p.time)}</td>
                <td>{p.src}</td>
                <td>{p.dst}</td>
                <td>{p.proto}</td>
                <td>{p.len}</td>
                <td>{p.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
