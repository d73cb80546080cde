/**
 * The renderer's only door to the world: a typed `Backend`. The desktop app
 * implements it with the preload bridge (window.netnsStudio, see
 * renderer/backend/electron-backend.ts); the browser mode with a WebSocket client
 * (renderer/backend/websocket-backend.ts). The React code never knows which.
 *
 * Expected failures come back as values (`Result`), never as thrown errors, so
 * they cross every process boundary unchanged: `{code, message, detail}`.
 * The wire format (channel names, zod schemas) lives in ./ipc-contract.ts.
 *
 * In the renderer: `import { createBackend } from './backend/create-backend'` once at
 * start-up, then pass the `Backend` down (context/store). `HostSnapshot.observed` is
 * read as data (its type is shared/model/observed.ts); `WatchEvent` is the protocol's.
 *
 * Pure: no node:*, electron or react imports.
 */
import type { Topology } from './model/schema';
import type { Step } from './model/step';
import type { ObservedHost } from './model/observed';
import type { TopologyDetail, TopologyStatus } from './model/topology-status';
import type {
  ApplyProgress,
  CaptureEvent,
  ForwarderStats,
  LinkImpairParams,
  LinkRates,
  PingOutcome,
  PingProgress,
  PlanResult,
  TerminalEvent,
} from './protocol/methods';
import type { WatchData } from './protocol/watch';

/** The plan, progress and forwarder shapes are the helper protocol's (./protocol/methods.ts). */
export type {
  ApplyProgress,
  CaptureEvent,
  CapturedPacket,
  ForwarderStats,
  LinkImpairParams,
  LinkRate,
  LinkRates,
  PingOutcome,
  PingProgress,
  PlanResult,
  PlanSummary,
  TerminalEvent,
} from './protocol/methods';

/** An applied topology as the list shows it (name, file, applied at, in sync / drifted / partly gone, counts). */
export type AppliedTopology = TopologyStatus;
/** One applied topology opened: what drifted, the document last applied, its history. */
export type AppliedTopologyDetail = TopologyDetail;

// ---------------------------------------------------------------- results

/** An expected failure, as data. `code` is stable and machine-readable. */
export interface BackendError {
  code: string;
  message: string;
  detail?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BackendError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(code: string, message: string, detail?: unknown): Result<T> => ({
  ok: false,
  error: detail === undefined ? { code, message } : { code, message, detail },
});

/** Codes the shells themselves produce (the helper adds its own, e.g. `plan-stale`, `step-failed`). */
export const BACKEND_ERROR = {
  /** no helper: not root in browser mode, or the user cancelled the elevation prompt */
  helperUnavailable: 'helper-unavailable',
  /** the helper died or the WebSocket dropped while a request was in flight */
  disconnected: 'disconnected',
  /** a message failed validation at a boundary */
  badMessage: 'bad-message',
  /** a request took longer than the shell waits */
  timeout: 'timeout',
  /** a file dialog, read or write failed */
  file: 'file-error',
  /** the feature does not exist in this shell (e.g. recent files in the browser) */
  unsupported: 'unsupported',
} as const;

export type Unsubscribe = () => void;

// ---------------------------------------------------------------- helper connection

export type HelperState =
  /** not started yet (the desktop app starts it on first need) */
  | 'idle'
  /** starting, or waiting for the user to answer the elevation prompt */
  | 'connecting'
  | 'connected'
  /** cannot run here (browser mode not started as root, no pkexec/sudo…); `error` says why */
  | 'unavailable'
  /** failed or died (prompt cancelled, helper crashed); `connect()` retries */
  | 'failed';

export interface HelperStatus {
  state: HelperState;
  /** how the shell reaches the helper */
  transport?: 'stdio' | 'socket';
  /** who the helper runs as (from its hello) */
  uid?: number;
  root?: boolean;
  /** protocol, iproute2 and kernel versions, from the helper's hello */
  versions?: { protocol?: string | number; iproute2?: string; kernel?: string };
  /** optional kernel features that exist on this host: vrf, netem, macvlan, vlan, dummy, nftables… */
  features?: Record<string, boolean>;
  /** why the helper is not connected */
  error?: BackendError;
  /** true when `connect()` may succeed now (e.g. after a cancelled prompt) */
  canRetry: boolean;
  /**
   * `serve --only-prefix P`: this backend sees only namespaces named P…, so the
   * editor names new namespaces P… too (else they would vanish from the live view).
   */
  namePrefix?: string;
}

export const INITIAL_STATUS: HelperStatus = { state: 'idle', canRetry: true };

// ---------------------------------------------------------------- live inspection

export interface DiscoverOptions {
  /** include unnamed namespaces held by processes (containers) */
  unnamed?: boolean;
  /** also read each namespace's filter table (iptables-save -t filter): reachability needs it, the live view does not */
  filter?: boolean;
}

// ---------------------------------------------------------------- reachability

/** One real ping the helper runs: from a named namespace (or `host`) to an address some namespace of this host holds. */
export interface PingRequest {
  from: string;
  to: string;
  /** 1–3 (default 1) */
  count?: number;
  /** 100–5000 ms (default 1000) */
  timeoutMs?: number;
}

/** Most pings in one `ping` call (the helper's own bound, MAX_PINGS). */
export const MAX_PINGS_PER_CALL = 1024;

/**
 * What the helper sees. `document` is the host as a topology (the same shape the
 * editor edits); `observed` carries runtime facts keyed by object key (see
 * model/ids.ts): ifindex, MAC, oper state, owner…, typed by the helper protocol
 * (shared/model/observed.ts).
 */
export interface HostSnapshot {
  document: Topology;
  observed: ObservedHost;
}

/**
 * One watch event: the helper protocol's `WatchData` (./protocol/watch.ts: a resync
 * with the whole host, or one namespace's observed facts and document part) with a
 * sequence number that follows the previous one. The shell checks the helper's
 * numbers and subscribes again after a gap (the renderer then gets a `resync`);
 * the renderer re-reads the host if its own numbers skip.
 */
export type WatchEvent = WatchData & { seq: number };

// ---------------------------------------------------------------- plan / apply / destroy

/** Where a document came from: names the topology when the document has no `name`, and is recorded. */
export interface SourceOptions {
  /** the file's path (desktop) or name (browser) */
  file?: string;
}

export interface ApplyResult {
  /** steps executed */
  applied: number;
  durationMs: number;
  /** what was not usable when apply returned (no carrier, IPv6 still tentative, port not forwarding…), by object key */
  notReady?: { object: string; reason: string }[];
  /** the topology applied or destroyed */
  topology?: string;
}

/**
 * `detail` of a failed apply (`error.code === 'step-failed'`): the failing step,
 * the kernel's error text and whether the host was rolled back.
 */
export interface ApplyFailureDetail {
  step?: Step;
  index?: number;
  stderr?: string;
  rolledBack?: boolean;
}

export interface DestroyOptions {
  /** only show what would be removed */
  dryRun?: boolean;
  /** the planHash of the dry run that was shown: like apply, the helper refuses when what it would remove changed since */
  planHash?: string;
}

// ---------------------------------------------------------------- files

export interface OpenedFile {
  /** base name, for the title bar */
  name: string;
  /** full path (desktop app only; the browser never learns paths) */
  path?: string;
  text: string;
}

export interface SavedFile {
  name: string;
  path?: string;
}

export const EXPORT_KINDS = ['yaml', 'shell', 'gost', 'svg', 'png', 'pcap'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export const EXPORT_FORMATS: Record<ExportKind, { extension: string; mime: string; label: string }> = {
  yaml: { extension: 'yaml', mime: 'application/yaml', label: 'Topology YAML' },
  shell: { extension: 'sh', mime: 'text/x-shellscript', label: 'Shell script' },
  gost: { extension: 'yaml', mime: 'application/yaml', label: 'GOST YAML' },
  svg: { extension: 'svg', mime: 'image/svg+xml', label: 'SVG image' },
  png: { extension: 'png', mime: 'image/png', label: 'PNG image' },
  pcap: { extension: 'pcap', mime: 'application/vnd.tcpdump.pcap', label: 'Packet capture (pcap)' },
};

export interface SaveOptions {
  /** save to this file without asking (it must be one the user opened or chose) */
  path?: string;
  /** proposed name in the Save dialog / download */
  suggestedName?: string;
}

/** What the renderer tells the shell about the document, for the title bar and the unsaved-changes prompt. */
export interface DocumentState {
  title: string;
  dirty: boolean;
  path?: string;
}

// ---------------------------------------------------------------- menu commands

/** Commands the application menu (desktop) sends to the renderer. */
export const MENU_COMMANDS = [
  'new',
  'open',
  'save',
  'save-as',
  'export-yaml',
  'export-shell',
  'export-gost',
  'export-svg',
  'export-png',
  'undo',
  'redo',
  'delete',
  'select-all',
  'fit',
  'auto-layout',
  'toggle-live',
  'about',
] as const;
export type MenuCommandName = (typeof MENU_COMMANDS)[number];

export type MenuCommand =
  | { command: MenuCommandName }
  /** File › Open Recent: the shell already read the file */
  | { command: 'open-file'; file: OpenedFile }
  /** the window is closing with unsaved changes and the user chose Save: save, then call `closeWindow()` */
  | { command: 'save-and-close' };

// ---------------------------------------------------------------- link tools

export interface CaptureOptions {
  namespace: string;
  interface: string;
  count?: number;
  durationMs?: number;
  filter?: string;
}

/** An open terminal: keystrokes in, size changes, close (hangs the shell up). */
export interface TerminalSession {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  close(): void;
}

// ---------------------------------------------------------------- the Backend

export type BackendKind = 'electron' | 'browser';

export interface Backend {
  readonly kind: BackendKind;

  /** the helper connection now */
  status(): HelperStatus;
  /** called on every change of the helper connection; returns an unsubscribe */
  onStatus(cb: (status: HelperStatus) => void): Unsubscribe;
  /** start the helper, or retry after a failure / cancelled elevation prompt */
  connect(): Promise<HelperStatus>;

  /** read the whole host */
  discover(opts?: DiscoverOptions): Promise<Result<HostSnapshot>>;
  /**
   * Stream host changes; the first event is a `resync`. `onError` hears a lost stream or
   * a helper that is not connected (then call watch again once `status()` is connected;
   * a helper that restarts while watched is re-subscribed by the shell and resyncs).
   */
  watch(onEvent: (event: WatchEvent) => void, onError?: (error: BackendError) => void): Unsubscribe;

  /** the steps that would make the host match `document` (its topology only) */
  plan(document: Topology, source?: SourceOptions): Promise<Result<PlanResult>>;
  /** execute the plan shown (refused with `plan-stale` if the host changed since) */
  /** `allowHost`: the person allowed the plan's steps that touch the host (`Step.touchesHost`); refused (`touches-host`) otherwise */
  apply(
    document: Topology,
    planHash: string,
    onProgress?: (p: ApplyProgress) => void,
    source?: SourceOptions & { allowHost?: boolean },
  ): Promise<Result<ApplyResult>>;
  /** remove what `document`'s topology created, and nothing else */
  destroy(document: Topology, opts?: DestroyOptions & SourceOptions, onProgress?: (p: ApplyProgress) => void): Promise<Result<ApplyResult | PlanResult>>;
  /** every topology applied on the host, with how it stands */
  listTopologies(): Promise<Result<AppliedTopology[]>>;
  /** one applied topology: what drifted, the document last applied (to open it), its history */
  topologyStatus(name: string): Promise<Result<AppliedTopologyDetail>>;
  /** remove what the named topology created, without its document */
  destroyTopology(name: string, opts?: DestroyOptions, onProgress?: (p: ApplyProgress) => void): Promise<Result<ApplyResult | PlanResult>>;

  /**
   * Real pings by the helper, in parallel lanes; refused as a whole (`ping-refused`) when a
   * namespace is unknown or an address lives in no namespace of this host. At most
   * MAX_PINGS_PER_CALL. `onProgress` hears each finished ping.
   */
  ping(pings: PingRequest[], onProgress?: (p: PingProgress) => void): Promise<Result<PingOutcome[]>>;

  /** forwarder counters, pushed while subscribed */
  onForwarderStats(cb: (stats: ForwarderStats[]) => void): Unsubscribe;
  /** per-link throughput, one push per sampling interval while subscribed (the helper adapts the interval to the host's size) */
  onLinkRates(cb: (rates: LinkRates) => void): Unsubscribe;

  /** a bounded capture (tcpdump in the namespace, run by the helper); events until `end`; the function stops it */
  startCapture(opts: CaptureOptions, onEvent: (e: CaptureEvent) => void): Promise<Result<Unsubscribe>>;
  /** a shell in `namespace` on a pty, started by the helper on this explicit request; closed with the window or session */
  openTerminal(namespace: string, size: { cols: number; rows: number }, onEvent: (e: TerminalEvent) => void): Promise<Result<TerminalSession>>;
  /** netem delay/loss on an interface; `netem-missing` where the kernel lacks sch_netem */
  impairLink(p: LinkImpairParams): Promise<Result<{ qdisc: string }>>;
  /** is Wireshark installed on this desktop (always false in the browser) */
  canOpenInWireshark(): Promise<boolean>;
  /** open a pcap in Wireshark (desktop only) */
  openInWireshark(pcap: Uint8Array): Promise<Result<null>>;

  /** ask for a topology file (dialog / file input); `path` re-opens a recent file (desktop only). null = cancelled */
  openFile(path?: string): Promise<Result<OpenedFile | null>>;
  /** save topology text; with `opts.path` silently, else via a dialog / download. null = cancelled */
  saveFile(text: string, opts?: SaveOptions): Promise<Result<SavedFile | null>>;
  /** export text or bytes (PNG) as `kind`. null = cancelled */
  exportFile(data: string | Uint8Array, kind: ExportKind, suggestedName?: string): Promise<Result<SavedFile | null>>;

  /** menu commands (desktop; the browser has no native menu and never calls back) */
  onMenuCommand(cb: (cmd: MenuCommand) => void): Unsubscribe;
  /** keep the shell informed: title bar, unsaved-changes prompt on close, recent files */
  setDocumentState(state: DocumentState): void;
  /** close the window after a `save-and-close` command was handled (desktop); no-op in the browser */
  closeWindow(): void;
}
