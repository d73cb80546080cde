/**
 * Terminals over the protocol (../terminal/run.ts does the work):
 *
 *   terminal.open {namespace, cols, rows} → {subscription}, then events
 *       {event: 'terminal', ref: subscription, data: {type: 'output', data} | {type: 'exit', code}}
 *   terminal.input {subscription, data}      keystrokes, as xterm.js sends them
 *   terminal.resize {subscription, cols, rows}
 *   terminal.close {subscription}            hangs the shell up
 *
 * Only on an explicit open (never started by anything else); at most
 * MAX_TERMINALS per connection; every terminal of a connection is closed when it
 * ends (the app's window or the browser's WebSocket session went away).
 * Refused (`terminal-refused`) for a namespace not on this host. A terminal is a
 * root shell: it opens only once a person said yes (../confirm/gate.ts), else
 * `not-confirmed` / `needs-confirmation`.
 */
import { existsSync } from 'node:fs';
import { HOST_NS } from '../../shared/model/schema';
import { PROTOCOL_ERROR, type RequestId } from '../../shared/protocol/messages';
import { MAX_TERMINALS, TerminalCloseParams, TerminalInputParams, TerminalOpenParams, TerminalResizeParams } from '../../shared/protocol/methods';
import { openTerminal, terminalMissing, type RunningTerminal } from '../terminal/run';
import { HelperError, defineMethod, type ConnectionState } from './registry';
import { confirmOrRefuse } from '../confirm/gate';

const key = (id: RequestId) => `terminal:${String(id)}`;
/** Output the client has not taken yet past which the shell's output is paused. */
const MAX_BACKLOG = 4 * 1024 * 1024;
const terminals = new WeakMap<ConnectionState, Map<string, RunningTerminal>>();
const of = (c: ConnectionState) => {
  let m = terminals.get(c);
  if (!m) terminals.set(c, (m = new Map()));
  return m;
};

function find(c: ConnectionState, id: RequestId): RunningTerminal {
  const t = of(c).get(key(id));
  if (!t) throw new HelperError('unknown-subscription', `no terminal ${JSON.stringify(id)} is open`);
  return t;
}

export const terminalOpenMethod = defineMethod({
  name: 'terminal.open',
  params: TerminalOpenParams,
  handler: async (params, ctx) => {
    if (process.getuid?.() !== 0) throw new HelperError(PROTOCOL_ERROR.notRoot, 'a terminal in a namespace needs root');
    const open = of(ctx.connection);
    const refusal = (): HelperError | undefined => {
      if (open.size >= MAX_TERMINALS) return new HelperError('busy', `${open.size} terminals are open; close one first (at most ${MAX_TERMINALS})`);
      const missing = terminalMissing();
      if (missing) return new HelperError('terminal-refused', missing);
      if (params.namespace !== HOST_NS && !existsSync(`/run/netns/${params.namespace}`))
        return new HelperError('terminal-refused', `${params.namespace}: no such named namespace on this host`);
      return undefined;
    };
    const before = refusal();
    if (before) throw before;
    await confirmOrRefuse(ctx.connection.settings, { action: 'terminal', namespace: params.namespace }, ctx.signal);
    // the person took a while: the connection, the limit and the namespace are looked at again
    if (ctx.signal.aborted) throw new HelperError(PROTOCOL_ERROR.disconnected, 'the connection closed');
    const after = refusal();
    if (after) throw after;
    const k = key(ctx.id);
    let paused = false;
    const t = openTerminal(params.namespace, params, {
      wrap: ctx.connection.settings.wrap,
      emit: (e) => {
        ctx.emit('terminal', e);
        if (!paused && (ctx.backlog?.() ?? 0) > MAX_BACKLOG) {
          paused = true;
          t.pause();
          const check = setInterval(() => {
            if (!ctx.signal.aborted && (ctx.backlog?.() ?? 0) > MAX_BACKLOG / 4) return;
            clearInterval(check);
            paused = false;
            t.resume();
          }, 50);
        }
      },
    });
    open.set(k, t);
    ctx.connection.cleanups.set(k, () => t.close());
    void t.done.then(() => {
      open.delete(k);
      ctx.connection.cleanups.delete(k);
    });
    return { subscription: ctx.id };
  },
});

export const terminalInputMethod = defineMethod({
  name: 'terminal.input',
  params: TerminalInputParams,
  handler: (params, ctx) => {
    find(ctx.connection, params.subscription).write(params.data);
    return { ok: true as const };
  },
});

export const terminalResizeMethod = defineMethod({
  name: 'terminal.resize',
  params: TerminalResizeParams,
  handler: async (params, ctx) => {
    await find(ctx.connection, params.subscription).resize(params.cols, params.rows);
    return { ok: true as const };
  },
});

export const terminalCloseMethod = defineMethod({
  name: 'terminal.close',
  params: TerminalCloseParams,
  handler: (params, ctx) => {
    find(ctx.connection, params.subscription).close();
    return { ok: true as const };
  },
});
