/**
 * Terminals in namespaces (a namespace's or a port's menu → Open terminal): an
 * xterm.js view of a shell the helper starts in the namespace on this explicit
 * request. Keystrokes go to the helper as typed; the terminal fits its panel
 * (@xterm/addon-fit) and each new size reaches the shell (terminal.resize);
 * closing the panel (or the window / the browser session) hangs the shell up.
 */
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { TerminalSession } from '../../shared/backend';
import { useBackend } from '../backend-context';
import { closeTerminal, useTools } from '../store/tools-store';

/** The contract's bounds of a terminal size (shared/ipc-contract.ts TermSize). */
const clampSize = (cols: number, rows: number) => ({ cols: Math.max(10, Math.min(500, cols)), rows: Math.max(3, Math.min(200, rows)) });

function TerminalView({ termKey, ns }: { termKey: number; ns: string }) {
  const backend = useBackend();
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'starting' | 'open' | 'exited'>('starting');
  const [size, setSize] = useState<{ cols: number; rows: number }>();
  useEffect(() => {
    const el = box.current;
    if (!backend || !el) return;
    const term = new Terminal({ fontSize: 13, cursorBlink: true, scrollback: 5000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    fit.fit();
    let session: TerminalSession | undefined;
    let gone = false;
    const first = clampSize(term.cols, term.rows);
    setSize(first);
    void backend
      .openTerminal(ns, first, (e) => {
        if (e.type === 'output') term.write(e.data);
        else {
          setState('exited');
          term.write(`\r\n[the shell exited${e.code !== null ? ` with ${e.code}` : ''}]\r\n`);
        }
      })
      .then((r) => {
        if (!r.ok) {
          term.write(`netns-studio: ${r.error.message}\r\n`);
          setState('exited');
          return;
        }
        if (gone) return r.value.close();
        session = r.value;
        // a size change while the shell was starting
        if (term.cols !== first.cols || term.rows !== first.rows) session.resize(term.cols, term.rows);
        setState('open');
        term.focus();
      });
    const input = term.onData((d) => session?.write(d));
    const resized = term.onResize(({ cols, rows }) => {
      const s = clampSize(cols, rows);
      setSize(s);
      session?.resize(s.cols, s.rows);
    });
    // the panel's box changed (window resized, the person dragged its corner): fit the terminal to it
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientHeight > 0) fit.fit();
    });
    observer.observe(el);
    return () => {
      gone = true;
      observer.disconnect();
      input.dispose();
      resized.dispose();
      session?.close();
      term.dispose();
    };
  }, [backend, ns]);
  return (
    <section
      className="terminal-panel"
      aria-label={`terminal in ${ns}`}
      data-testid={`terminal-${ns}`}
      data-state={state}
      data-cols={size?.cols}
      data-rows={size?.rows}
    >
      <header>
        <b>Terminal in {ns}</b>
        <button type="button" aria-label="close terminal" data-testid="terminal-close" onClick={() => closeTerminal(termKey)}>
          ×
        </button>
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
