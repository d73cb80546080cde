/**
 * Terminals in namespaces (a port's menu → Open terminal): an xterm.js view of a
 * shell the helper starts in the namespace on this explicit request. Keystrokes
 * go to the helper as typed; closing the panel (or the window / the browser
 * session) hangs the shell up.
 */
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { TerminalSession } from '../../shared/backend';
import { useBackend } from '../backend-context';
import { closeTerminal, useTools } from '../store/tools-store';

const SIZE = { cols: 100, rows: 24 };

function TerminalView({ termKey, ns }: { termKey: number; ns: string }) {
  const backend = useBackend();
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'starting' | 'open' | 'exited'>('starting');
  useEffect(() => {
    if (!backend || !box.current) return;
    const term = new Terminal({ ...SIZE, fontSize: 13, convertEol: false, cursorBlink: true });
    term.open(box.current);
    let session: TerminalSession | undefined;
    let gone = false;
    void backend.openTerminal(ns, SIZE, (e) => {
      if (e.type === 'output') term.write(e.data);
      else {
        setState('exited');
        term.write(`\r\n[the shell exited${e.code !== null ? ` with ${e.code}` : ''}]\r\n`);
      }
    }).then((r) => {
      if (!r.ok) {
        term.write(`netns-studio: ${r.error.message}\r\n`);
        setState('exited');
        return;
      }
      if (gone) return r.value.close();
      session = r.value;
      setState('open');
      term.focus();
    });
    const input = term.onData((d) => session?.write(d));
    return () => {
      gone = true;
      input.dispose();
      session?.close();
      term.dispose();
    };
  }, [backend, ns]);
  return (
    <section className="terminal-panel" aria-label={`terminal in ${ns}`} data-testid={`terminal-${ns}`} data-state={state}>
      <header>
        <b>Terminal in {ns}</b>
        <button type="button" aria-label="close terminal" data-testid="terminal-close" onClick={() => closeTerminal(termKey)}>×</button>
      </header>
      <div className="terminal-box" ref={box} data-testid="terminal-box" />
    </section>
  );
}

export function TerminalPanels() {
  const terminals = useTools((s) => s.terminals);
  if (!terminals.length) return null;
  return (
    <div className="terminal-dock">
      {terminals.map((t) => (
        <TerminalView key={t.key} termKey={t.key} ns={t.ns} />
      ))}
    </div>
  );
}
