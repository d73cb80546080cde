/**
 * The transport-neutral half of both Backends: turns the request/event contract
 * (shared/ipc-contract.ts) into the `Backend` interface the UI uses, validating
 * every result and event before the UI sees it. The Electron bridge and the
 * WebSocket client each only provide a `RpcTransport` and their file operations.
 */
import type {
  ApplyProgress,
  Backend,
  CaptureEvent,
  TerminalEvent,
  BackendError,
  BackendKind,
  DocumentState,
  ExportKind,
  ForwarderStats,
  LinkRates,
  HelperStatus,
  MenuCommand,
  OpenedFile,
  PingProgress,
  Result,
  SaveOptions,
  SavedFile,
  Unsubscribe,
  WatchEvent,
} from '../../shared/backend';
import { BACKEND_ERROR, INITIAL_STATUS } from '../../shared/backend';
import type { EventPayload, RequestName, RequestParams, RequestResult } from '../../shared/ipc-contract';
import { checkEvent, checkResult } from '../../shared/ipc-contract';

export interface RpcTransport {
  /** send a request; rejects (with anything) only when the transport itself failed */
  request(name: RequestName, params: unknown): Promise<unknown>;
  /** every event the shell pushes, unvalidated */
  onEvent(cb: (event: unknown, payload: unknown) => void): Unsubscribe;
  /** the transport came back after a drop (WebSocket): subscriptions must be renewed */
  onReconnect?(cb: () => void): Unsubscribe;
  /** the transport dropped: in-flight subscriptions hear an error */
  onDisconnect?(cb: (error: BackendError) => void): Unsubscribe;
}

/** What differs between shells besides the transport: files and the window. (Menu commands arrive as `menu` events.) */
export interface ShellOps {
  openFile(path?: string): Promise<Result<OpenedFile | null>>;
  saveFile(text: string, opts?: SaveOptions): Promise<Result<SavedFile | null>>;
  exportFile(data: string | Uint8Array, kind: ExportKind, suggestedName?: string): Promise<Result<SavedFile | null>>;
  setDocumentState(state: DocumentState): void;
  closeWindow(): void;
  /** Wireshark on this desktop (the browser: never) */
  canOpenInWireshark(): Promise<boolean>;
  openInWireshark(pcap: Uint8Array): Promise<Result<null>>;
}

let counter = 0;
/** Ids only have to be unique per renderer; the shell validates their shape. */
export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}`;
}

function transportError(e: unknown): BackendError {
  const error = e as Partial<BackendError> | undefined;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') return { code: error.code, message: error.message };
  return { code: BACKEND_ERROR.disconnected, message: e instanceof Error ? e.message : String(e) };
}

export interface RpcBackend extends Backend {
  /** stop listening (tests, page teardown) */
  dispose(): void;
}

/**
 * `shell`: the local file/window operations (browser), or 'remote' to send them as
 * requests like everything else (desktop: main owns dialogs and the window).
 */
export function createRpcBackend(kind: BackendKind, transport: RpcTransport, shellOps: ShellOps | 'remote'): RpcBackend {
  let current: HelperStatus = INITIAL_STATUS;
  const statusListeners = new Set<(s: HelperStatus) => void>();
  const watchers = new Map<string, { onEvent: (e: WatchEvent) => void; onError?: (e: BackendError) => void }>();
  const statsListeners = new Map<string, (s: ForwarderStats[]) => void>();
  const rateListeners = new Map<string, (r: LinkRates) => void>();
  const progress = new Map<string, (p: ApplyProgress) => void>();
  const pingProgress = new Map<string, (p: PingProgress) => void>();
  const menuListeners = new Set<(c: MenuCommand) => void>();
  const captures = new Map<string, (e: CaptureEvent) => void>();
  const terminals = new Map<string, (e: TerminalEvent) => void>();

  const setStatus = (s: HelperStatus) => {
    current = s;
    for (const cb of statusListeners) cb(s);
  };

  async function call<N extends RequestName>(name: N, params: RequestParams<N>): Promise<Result<RequestResult<N>>> {
    let raw: unknown;
    try {
      raw = await transport.request(name, params);
    } catch (e) {
      return { ok: false, error: transportError(e) };
    }
    const checked = checkResult(name, raw);
    return checked.ok ? { ok: true, value: checked.value } : checked;
  }

  /** requests whose result is itself a Result: flatten transport and helper failures into one */
  async function callResult<N extends RequestName, T>(name: N, params: RequestParams<N>): Promise<Result<T>> {
    const r = await call(name, params);
    return r.ok ? (r.value as Result<T>) : r;
  }

  const offEvent = transport.onEvent((event, payload) => {
    const checked = checkEvent(event, payload);
    if (!checked.ok) {
      console.warn(`netns-studio: dropped a message from the shell: ${checked.error.message}`);
      return;
    }
    const { event: name } = checked.value;
    const p = checked.value.payload;
    switch (name) {
      case 'status':
        setStatus(p as EventPayload<'status'>);
        break;
      case 'watchEvent': {
        const { subId, event: ev } = p as EventPayload<'watchEvent'>;
        watchers.get(subId)?.onEvent(ev as WatchEvent);
        break;
      }
      case 'watchError': {
        const { subId, error } = p as EventPayload<'watchError'>;
        watchers.get(subId)?.onError?.(error);
        break;
      }
      case 'progress': {
        const { opId, progress: pr } = p as EventPayload<'progress'>;
        progress.get(opId)?.(pr);
        break;
      }
      case 'pingProgress': {
        const { opId, progress: pr } = p as EventPayload<'pingProgress'>;
        pingProgress.get(opId)?.(pr);
        break;
      }
      case 'forwarderStats': {
        const { subId, stats } = p as EventPayload<'forwarderStats'>;
        statsListeners.get(subId)?.(stats);
        break;
      }
      case 'linkRates': {
        const { subId, rates } = p as EventPayload<'linkRates'>;
        rateListeners.get(subId)?.(rates);
        break;
      }
      case 'menu':
        for (const cb of menuListeners) cb(p as MenuCommand);
        break;
      case 'capture': {
        const { subId, event: ev } = p as EventPayload<'capture'>;
        captures.get(subId)?.(ev);
        if (ev.type === 'end') captures.delete(subId);
        break;
      }
      case 'terminal': {
        const { subId, event: ev } = p as EventPayload<'terminal'>;
        terminals.get(subId)?.(ev);
        if (ev.type === 'exit') terminals.delete(subId);
        break;
      }
    }
  });

  // After a reconnect the shell knows nothing of us: fetch status, renew subscriptions
  // (each watch then starts with a resync, so nothing is silently missed).
  const offReconnect = transport.onReconnect?.(() => {
    void refreshStatus();
    for (const [subId, w] of watchers)
      void call('watchStart', { subId }).then((r) => {
        if (!r.ok) w.onError?.(r.error);
      });
    for (const subId of statsListeners.keys()) void call('forwarderStatsStart', { subId });
    for (const subId of rateListeners.keys()) void call('linkRatesStart', { subId });
  });
  const offDisconnect = transport.onDisconnect?.((error) => {
    setStatus({ state: 'failed', error, canRetry: true });
    for (const w of watchers.values()) w.onError?.(error);
    // a dropped session closed its captures and terminals on the server's side
    for (const cb of captures.values()) cb({ type: 'end', reason: 'failed', packets: 0, bytes: 0, error: error.message });
    for (const cb of terminals.values()) cb({ type: 'exit', code: null });
    captures.clear();
    terminals.clear();
  });

  const shell: ShellOps =
    shellOps !== 'remote'
      ? shellOps
      : {
          openFile: (path) => callResult('openFile', { path }),
          saveFile: (text, opts = {}) => callResult('saveFile', { text, path: opts.path, suggestedName: opts.suggestedName }),
          exportFile: (data, kind, suggestedName) => callResult('exportFile', { data, kind, suggestedName }),
          setDocumentState: (state) => void call('setDocumentState', state),
          closeWindow: () => void call('closeWindow', {}),
          canOpenInWireshark: async () => {
            const r = await call('desktopTools', {});
            return r.ok && r.value.wireshark;
          },
          openInWireshark: (data) => callResult('openInWireshark', { data }),
        };

  /** only a file worth sending: the contract refuses an empty one */
  const fileOf = (s: { file?: string }) => (s.file ? { file: s.file } : {});

  async function refreshStatus(): Promise<HelperStatus> {
    const r = await call('status', {});
    if (r.ok) setStatus(r.value);
    return current;
  }
  void refreshStatus();

  return {
    kind,
    status: () => current,
    onStatus(cb) {
      statusListeners.add(cb);
      return () => statusListeners.delete(cb);
    },
    async connect() {
      setStatus({ ...current, state: 'connecting', error: undefined });
      const r = await call('connect', {});
      setStatus(r.ok ? r.value : { state: 'failed', error: r.error, canRetry: true });
      return current;
    },
    discover: (opts = {}) => callResult('discover', { unnamed: opts.unnamed, ...(opts.filter ? { filter: true } : {}) }),
    async ping(pings, onProgress) {
      const opId = newId('p');
      if (onProgress) pingProgress.set(opId, onProgress);
      try {
        return await callResult('ping', { pings, opId });
      } finally {
        pingProgress.delete(opId);
      }
    },
    watch(onEvent, onError) {
      const subId = newId('w');
      watchers.set(subId, { onEvent, onError });
      void call('watchStart', { subId }).then((r) => {
        const failed = !r.ok ? r.error : !r.value.ok ? r.value.error : undefined;
        if (failed) onError?.(failed);
      });
      return () => {
        if (watchers.delete(subId)) void call('watchStop', { subId });
      };
    },
    plan: (document, source = {}) => callResult('plan', { document, ...fileOf(source) }),
    async apply(document, planHash, onProgress, source = {}) {
      const opId = newId('a');
      if (onProgress) progress.set(opId, onProgress);
      try {
        return await callResult('apply', { document, planHash, opId, ...fileOf(source), ...(source.allowHost ? { allowHost: true } : {}) });
      } finally {
        progress.delete(opId);
      }
    },
    async destroy(document, opts = {}, onProgress) {
      const opId = newId('d');
      if (onProgress) progress.set(opId, onProgress);
      try {
        return await callResult('destroy', { document, dryRun: opts.dryRun, planHash: opts.planHash, opId, ...fileOf(opts) });
      } finally {
        progress.delete(opId);
      }
    },
    listTopologies: () => callResult('listTopologies', {}),
    topologyStatus: (name) => callResult('topologyStatus', { name }),
    async destroyTopology(name, opts = {}, onProgress) {
      const opId = newId('d');
      if (onProgress) progress.set(opId, onProgress);
      try {
        return await callResult('destroyTopology', { name, dryRun: opts.dryRun, opId });
      } finally {
        progress.delete(opId);
      }
    },
    onForwarderStats(cb) {
      const subId = newId('f');
      statsListeners.set(subId, cb);
      void call('forwarderStatsStart', { subId });
      return () => {
        if (statsListeners.delete(subId)) void call('forwarderStatsStop', { subId });
      };
    },
    async startCapture(opts, onEvent) {
      const subId = newId('c');
      captures.set(subId, onEvent);
      const r = await callResult<'captureStart', null>('captureStart', { subId, ...opts });
      if (!r.ok) {
        captures.delete(subId);
        return r;
      }
      return { ok: true, value: () => void call('captureStop', { subId }) };
    },
    async openTerminal(namespace, size, onEvent) {
      const subId = newId('t');
      terminals.set(subId, onEvent);
      const r = await callResult<'terminalOpen', null>('terminalOpen', { subId, namespace, ...size });
      if (!r.ok) {
        terminals.delete(subId);
        return r;
      }
      return {
        ok: true,
        value: {
          write: (data) => void call('terminalInput', { subId, data }),
          resize: (cols, rows) => void call('terminalResize', { subId, cols, rows }),
          close: () => {
            terminals.delete(subId);
            void call('terminalClose', { subId });
          },
        },
      };
    },
    impairLink: (p) => callResult('impairLink', p),
    canOpenInWireshark: () => shell.canOpenInWireshark(),
    openInWireshark: (pcap) => shell.openInWireshark(pcap),
    onLinkRates(cb) {
      const subId = newId('r');
      rateListeners.set(subId, cb);
      void call('linkRatesStart', { subId });
      return () => {
        if (rateListeners.delete(subId)) void call('linkRatesStop', { subId });
      };
    },
    openFile: (path) => shell.openFile(path),
    saveFile: (text, opts) => shell.saveFile(text, opts),
    exportFile: (data, kind, name) => shell.exportFile(data, kind, name),
    onMenuCommand(cb) {
      menuListeners.add(cb);
      return () => menuListeners.delete(cb);
    },
    setDocumentState: (s) => shell.setDocumentState(s),
    closeWindow: () => shell.closeWindow(),
    dispose() {
      offEvent();
      offReconnect?.();
      offDisconnect?.();
      statusListeners.clear();
      watchers.clear();
    },
  };
}
