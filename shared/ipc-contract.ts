/**
 * The one contract between the renderer and its shell (Electron main over IPC, or
 * the browser-mode server over a WebSocket): request names with their parameter and
 * result schemas, and the events the shell pushes. Both transports carry exactly
 * these messages, and every receiver validates what it gets with these schemas
 * before acting on it (GitHub Desktop's ipc-shared.ts, VS Code's IChannel).
 *
 * Pure: zod only.
 */
import { z } from 'zod';
import { Bridge, Forwarder, Namespace, Topology, Veth } from './model/schema';
import type { ObservedHost, ObservedNamespace } from './model/observed';
import { STEP_PROGRAMS } from './model/step';
import { StepOp } from './model/step-op';
import { TOPOLOGY_NAME } from './model/topology-name';
import { EXPORT_KINDS, MAX_PINGS_PER_CALL, MENU_COMMANDS } from './backend';
import type {
  AppliedTopology,
  AppliedTopologyDetail,
  ApplyProgress,
  ApplyResult,
  BackendError,
  DocumentState,
  ForwarderStats,
  LinkRates,
  HelperStatus,
  HostSnapshot,
  MenuCommand,
  OpenedFile,
  PingOutcome,
  PingProgress,
  PlanResult,
  SavedFile,
  WatchEvent,
} from './backend';
import type { Step } from './model/step';
import { CaptureFilter, IfName, LinkImpairParams, type CaptureEvent, type TerminalEvent } from './protocol/methods';
import { NO_CONTROL_CHARS } from './validate/control-chars';

/**
 * Largest frame the renderer accepts from the browser-mode server, in characters (a
 * 2000-namespace snapshot is ~5 MB). Not the helper's line limit (MAX_MESSAGE_BYTES of
 * ./protocol/messages.ts, 16 MiB): a frame re-wraps one helper answer in the backend's
 * shapes, so it is given room beyond that. The other way, the server takes frames up
 * to MAX_CLIENT_FRAME (server/http-server.ts).
 */
export const MAX_SERVER_FRAME = 64 * 1024 * 1024;

// ---------------------------------------------------------------- value schemas

export const BackendErrorSchema = z.strictObject({ code: z.string(), message: z.string(), detail: z.unknown().optional() }) satisfies z.ZodType<BackendError>;

export const resultOf = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [z.strictObject({ ok: z.literal(true), value }), z.strictObject({ ok: z.literal(false), error: BackendErrorSchema })]);

export const HelperStatusSchema = z.strictObject({
  state: z.enum(['idle', 'connecting', 'connected', 'unavailable', 'failed']),
  transport: z.enum(['stdio', 'socket']).optional(),
  uid: z.number().int().optional(),
  root: z.boolean().optional(),
  versions: z
    .strictObject({ protocol: z.union([z.string(), z.number()]).optional(), iproute2: z.string().optional(), kernel: z.string().optional() })
    .optional(),
  features: z.record(z.string(), z.boolean()).optional(),
  error: BackendErrorSchema.optional(),
  canRetry: z.boolean(),
  namePrefix: z.string().max(200).optional(),
}) satisfies z.ZodType<HelperStatus>;

const CommandSchema = z.object({ namespace: z.string(), argv: z.array(z.string()).min(1), op: StepOp });
export const StepSchema = z.object({
  namespace: z.string(),
  argv: z
    .array(z.string())
    .min(1)
    .refine((a) => (STEP_PROGRAMS as readonly string[]).includes(a[0]), 'unknown program'),
  op: StepOp,
  undo: z.array(CommandSchema),
  reason: z.string(),
  object: z.string(),
  action: z.enum(['create', 'change', 'delete']),
  unmanaged: z.boolean().optional(),
  touchesHost: z.string().optional(),
  exists: CommandSchema.optional(),
}) satisfies z.ZodType<Step>;

/** Observed facts are the helper's (shared/model/observed.ts): checked for their shape, read as data. */
const ObservedHostShape = z.custom<ObservedHost>((v) => Array.isArray((v as ObservedHost | null)?.namespaces), 'an observed host');
const ObservedNamespaceShape = z.custom<ObservedNamespace>(
  (v) => typeof (v as ObservedNamespace | null)?.name === 'string' && Array.isArray((v as ObservedNamespace).links),
  'an observed namespace',
);
export const HostSnapshotSchema = z.object({ document: Topology, observed: ObservedHostShape }) satisfies z.ZodType<HostSnapshot, unknown>;
const NamespacePartSchema = z.object({ entry: Namespace.optional(), bridges: z.array(Bridge), veths: z.array(Veth) });
/** A watch event (shared/protocol/watch.ts): the document parts are checked with the topology schema. */
export const WatchEventSchema = z.union([
  z.object({ seq: z.number(), type: z.literal('resync'), observed: ObservedHostShape, document: Topology }),
  z.object({
    seq: z.number(),
    type: z.enum(['namespace-added', 'namespace-changed']),
    namespace: z.string(),
    observed: ObservedNamespaceShape,
    part: NamespacePartSchema,
    forwarders: z.array(Forwarder).optional(),
  }),
  z.object({ seq: z.number(), type: z.literal('namespace-removed'), namespace: z.string(), forwarders: z.array(Forwarder).optional() }),
]) satisfies z.ZodType<WatchEvent, unknown>;

export const TopologyIdentitySchema = z.object({ name: z.string(), from: z.enum(['document', 'file', 'metadata', 'default']), file: z.string().optional() });

export const PlanResultSchema = z.object({
  planHash: z.string(),
  steps: z.array(StepSchema),
  summary: z.object({ create: z.number(), change: z.number(), delete: z.number(), unmanaged: z.number(), total: z.number() }),
  warnings: z.array(z.string()).optional(),
  topology: TopologyIdentitySchema,
  notes: z.array(z.string()),
}) satisfies z.ZodType<PlanResult>;

const ObjectCountsSchema = z.object({
  namespaces: z.number(),
  links: z.number(),
  addresses: z.number(),
  routes: z.number(),
  other: z.number(),
  total: z.number(),
});
export const AppliedTopologySchema = z.object({
  name: z.string(),
  file: z.string().optional(),
  appliedAt: z.string().optional(),
  firstAppliedAt: z.string().optional(),
  state: z.enum(['in-sync', 'drifted', 'partly-gone', 'gone', 'unknown']),
  drift: z.number().int().optional(),
  gone: z.array(z.string()),
  counts: ObjectCountsSchema,
  migratedFrom: z.string().optional(),
  problems: z.array(z.string()),
}) satisfies z.ZodType<AppliedTopology>;
export const AppliedTopologyDetailSchema = AppliedTopologySchema.extend({
  steps: z.array(StepSchema),
  document: z.unknown().optional(),
  history: z.array(
    z.object({
      at: z.string(),
      action: z.enum(['apply', 'destroy', 'recover', 'migrate', 'record-unreadable']),
      file: z.string().optional(),
      steps: z.number().optional(),
      applied: z.number().optional(),
      skipped: z.number().optional(),
      note: z.string().optional(),
    }),
  ),
}) satisfies z.ZodType<AppliedTopologyDetail>;

export const ApplyProgressSchema = z.object({
  index: z.number().int(),
  total: z.number().int(),
  reason: z.string(),
  namespace: z.string().optional(),
  phase: z.enum(['apply', 'rollback']).optional(),
}) satisfies z.ZodType<ApplyProgress>;

export const ApplyResultSchema = z.object({
  applied: z.number().int(),
  durationMs: z.number(),
  topology: z.string().optional(),
  notReady: z
    .array(z.object({ object: z.string().max(1000), reason: z.string().max(1000) }))
    .max(10_000)
    .optional(),
}) satisfies z.ZodType<ApplyResult>;

export const ForwarderStatsSchema = z.object({
  name: z.string(),
  running: z.boolean(),
  connections: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  error: z.string().optional(),
}) satisfies z.ZodType<ForwarderStats>;

export const PingOutcomeSchema = z.object({
  from: z.string(),
  to: z.string(),
  ok: z.boolean(),
  received: z.number().int(),
  error: z.string().max(1000).optional(),
}) satisfies z.ZodType<PingOutcome>;
export const PingProgressSchema = z.object({ done: z.number().int(), total: z.number().int() }) satisfies z.ZodType<PingProgress>;
/** The renderer's ping request; the helper checks names and addresses again (and that each address lives on this host). */
const PingRequestSchema = z.strictObject({
  from: z.string().min(1).max(200),
  to: z.string().min(2).max(45),
  count: z.number().int().min(1).max(3).optional(),
  timeoutMs: z.number().int().min(100).max(5000).optional(),
});
export const LinkRatesSchema = z.object({
  at: z.number(),
  intervalMs: z.number(),
  links: z.number(),
  readMs: z.number(),
  rates: z.array(z.object({ key: z.string().max(300), rxBps: z.number(), txBps: z.number(), rxPps: z.number(), txPps: z.number() })).max(100_000),
}) satisfies z.ZodType<LinkRates>;

export const OpenedFileSchema = z.strictObject({ name: z.string(), path: z.string().optional(), text: z.string() }) satisfies z.ZodType<OpenedFile>;
export const SavedFileSchema = z.strictObject({ name: z.string(), path: z.string().optional() }) satisfies z.ZodType<SavedFile>;
export const DocumentStateSchema = z.strictObject({
  title: z.string().max(500),
  dirty: z.boolean(),
  path: z.string().max(4096).optional(),
}) satisfies z.ZodType<DocumentState>;

export const MenuCommandSchema = z.union([
  z.strictObject({ command: z.enum(MENU_COMMANDS) }),
  z.strictObject({ command: z.literal('open-file'), file: OpenedFileSchema }),
  z.strictObject({ command: z.literal('save-and-close') }),
]) satisfies z.ZodType<MenuCommand>;

/** The file a document came from (a path on the desktop, a name in the browser). */
const SourceFile = z.string().min(1).max(4096).regex(NO_CONTROL_CHARS);
const TopologyName = z.string().regex(TOPOLOGY_NAME);

/** Ids the renderer picks to tie progress and subscription events to their request. */
const OpId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

// ---------------------------------------------------------------- link tools

const NsNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,200}$/)
  .refine((s) => s !== '.' && s !== '..', 'not a namespace name');
export const CapturedPacketSchema = z.strictObject({
  n: z.number().int(),
  time: z.number(),
  len: z.number().int(),
  src: z.string().max(100),
  dst: z.string().max(100),
  proto: z.string().max(100),
  summary: z.string().max(1000),
  data: z.string().max(100_000),
});
export const CaptureEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('packets'), linktype: z.number().int(), packets: z.array(CapturedPacketSchema).max(10_000) }),
  z.strictObject({
    type: z.literal('end'),
    reason: z.enum(['count', 'duration', 'bytes', 'stopped', 'exited', 'failed']),
    packets: z.number().int(),
    bytes: z.number().int(),
    error: z.string().max(1000).optional(),
  }),
]) satisfies z.ZodType<CaptureEvent>;
export const TerminalEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('output'), data: z.string() }),
  z.strictObject({ type: z.literal('exit'), code: z.number().int().nullable(), signal: z.string().max(20).optional() }),
]) satisfies z.ZodType<TerminalEvent>;
const TermSize = { cols: z.number().int().min(10).max(500), rows: z.number().int().min(3).max(200) };
/** Largest pcap the renderer hands to Wireshark (the capture's byte budget plus record headers). */
export const MAX_PCAP_BYTES = 80 * 1024 * 1024;

// ---------------------------------------------------------------- requests

/**
 * Renderer → shell requests. `params` is validated by the shell, `result` by the
 * renderer. `electronOnly` requests are answered by Electron main only: the browser
 * handles files itself (downloads, file inputs) and never sends them.
 */
export const REQUESTS = {
  status: { params: z.strictObject({}), result: HelperStatusSchema },
  connect: { params: z.strictObject({}), result: HelperStatusSchema },
  discover: { params: z.strictObject({ unnamed: z.boolean().optional(), filter: z.boolean().optional() }), result: resultOf(HostSnapshotSchema) },
  ping: {
    params: z.strictObject({ pings: z.array(PingRequestSchema).min(1).max(MAX_PINGS_PER_CALL), opId: OpId }),
    result: resultOf(z.array(PingOutcomeSchema)),
  },
  plan: { params: z.strictObject({ document: Topology, file: SourceFile.optional() }), result: resultOf(PlanResultSchema) },
  apply: {
    params: z.strictObject({
      document: Topology,
      planHash: z.string().min(1).max(256),
      allowHost: z.boolean().optional(),
      opId: OpId,
      file: SourceFile.optional(),
    }),
    result: resultOf(ApplyResultSchema),
  },
  destroy: {
    // planHash: the hash of the destroy plan that was shown (destroy with dryRun); the helper refuses when ownership changed since
    params: z.strictObject({
      document: Topology,
      dryRun: z.boolean().optional(),
      planHash: z.string().min(1).max(256).optional(),
      opId: OpId,
      file: SourceFile.optional(),
    }),
    result: resultOf(z.union([ApplyResultSchema, PlanResultSchema])),
  },
  listTopologies: { params: z.strictObject({}), result: resultOf(z.array(AppliedTopologySchema)) },
  topologyStatus: { params: z.strictObject({ name: TopologyName }), result: resultOf(AppliedTopologyDetailSchema) },
  destroyTopology: {
    params: z.strictObject({ name: TopologyName, dryRun: z.boolean().optional(), opId: OpId }),
    result: resultOf(z.union([ApplyResultSchema, PlanResultSchema])),
  },
  watchStart: { params: z.strictObject({ subId: OpId }), result: resultOf(z.null()) },
  watchStop: { params: z.strictObject({ subId: OpId }), result: resultOf(z.null()) },
  forwarderStatsStart: { params: z.strictObject({ subId: OpId }), result: resultOf(z.null()) },
  forwarderStatsStop: { params: z.strictObject({ subId: OpId }), result: resultOf(z.null()) },
  captureStart: {
    params: z.strictObject({
      subId: OpId,
      namespace: NsNameSchema,
      interface: IfName,
      count: z.number().int().min(1).max(100_000).optional(),
      durationMs: z.number().int().min(100).max(3_600_000).optional(),
      filter: CaptureFilter.optional(),
    }),
    result: resultOf(z.null()),
  },
  captureStop: { params: z.strictObject({ subId: OpId }), result: resultOf(z.null()) },
  terminalOpen: { params: z.strictObject({ subId: OpId, namespace: NsNameSchema, ...TermSize }), result: resultOf(z.null()) },
  terminalInput: { params: z.strictObject({ subId: OpId, data: z.string().max(65_536) }), result: resultOf(z.null()) },
  terminalResize: { params: z.strictObject({ subId: OpId, ...TermSize }), result: resultOf(z.null()) },
  terminalClose: { params: z.strictObject({ subId: OpId }), result: resultOf(z.null()) },
  impairLink: { params: LinkImpairParams, result: resultOf(z.strictObject({ qdisc: z.string() })) },
  linkRatesStart: { params: z.strictObject({ subId: OpId }), result: resultOf(z.null()) },
  linkRatesStop: { params: z.strictObject({ subId: OpId }), result: resultOf(z.null()) },
  // desktop only
  /** programs of the desktop the app can hand things to (Wireshark for a capture) */
  desktopTools: { params: z.strictObject({}), result: z.strictObject({ wireshark: z.boolean() }) },
  openInWireshark: {
    params: z.strictObject({ data: z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.length <= MAX_PCAP_BYTES, 'pcap bytes') }),
    result: resultOf(z.null()),
  },
  openFile: { params: z.strictObject({ path: z.string().max(4096).optional() }), result: resultOf(OpenedFileSchema.nullable()) },
  saveFile: {
    params: z.strictObject({ text: z.string(), path: z.string().max(4096).optional(), suggestedName: z.string().max(255).optional() }),
    result: resultOf(SavedFileSchema.nullable()),
  },
  exportFile: {
    params: z.strictObject({
      data: z.union([z.string(), z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected text or bytes')]),
      kind: z.enum(EXPORT_KINDS),
      suggestedName: z.string().max(255).optional(),
    }),
    result: resultOf(SavedFileSchema.nullable()),
  },
  setDocumentState: { params: DocumentStateSchema, result: z.null() },
  closeWindow: { params: z.strictObject({}), result: z.null() },
} as const;

export type RequestName = keyof typeof REQUESTS;
export type RequestParams<N extends RequestName> = z.input<(typeof REQUESTS)[N]['params']>;
export type RequestResult<N extends RequestName> = z.output<(typeof REQUESTS)[N]['result']>;
export const REQUEST_NAMES = Object.keys(REQUESTS) as RequestName[];
export const ELECTRON_ONLY_REQUESTS: readonly RequestName[] = [
  'openFile',
  'saveFile',
  'exportFile',
  'setDocumentState',
  'closeWindow',
  'desktopTools',
  'openInWireshark',
];

// ---------------------------------------------------------------- events

/** Shell → renderer events. */
export const EVENTS = {
  status: HelperStatusSchema,
  watchEvent: z.strictObject({ subId: OpId, event: WatchEventSchema }),
  watchError: z.strictObject({ subId: OpId, error: BackendErrorSchema }),
  progress: z.strictObject({ opId: OpId, progress: ApplyProgressSchema }),
  pingProgress: z.strictObject({ opId: OpId, progress: PingProgressSchema }),
  forwarderStats: z.strictObject({ subId: OpId, stats: z.array(ForwarderStatsSchema) }),
  linkRates: z.strictObject({ subId: OpId, rates: LinkRatesSchema }),
  menu: MenuCommandSchema,
  capture: z.strictObject({ subId: OpId, event: CaptureEventSchema }),
  terminal: z.strictObject({ subId: OpId, event: TerminalEventSchema }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventPayload<N extends EventName> = z.output<(typeof EVENTS)[N]>;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** An event as it travels: one envelope so a single listener can receive them all. */
export interface EventEnvelope<N extends EventName = EventName> {
  event: N;
  payload: EventPayload<N>;
}

// ---------------------------------------------------------------- Electron channels

/** IPC channel of a request (ipcRenderer.invoke / ipcMain.handle). */
export const requestChannel = (name: RequestName) => `netns-studio:${name}`;
/** The one IPC channel main pushes events on (webContents.send). */
export const EVENT_CHANNEL = 'netns-studio:event';

// ---------------------------------------------------------------- WebSocket frames

/** Browser → server. */
export const ClientFrame = z.strictObject({ type: z.literal('request'), id: z.number().int().nonnegative(), method: z.string().max(64), params: z.unknown() });
export type ClientFrame = z.output<typeof ClientFrame>;

/** Server → browser. */
export const ServerFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('response'), id: z.number().int(), result: z.unknown() }),
  z.strictObject({ type: z.literal('error'), id: z.number().int().nullable(), error: BackendErrorSchema }),
  z.strictObject({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
]);
export type ServerFrame = z.output<typeof ServerFrame>;

// ---------------------------------------------------------------- validation helpers

export type Checked<T> = { ok: true; value: T } | { ok: false; error: BackendError };

function issuesText(e: z.ZodError): string {
  return e.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(REQUESTS, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, name);
}

/** Validate a request's params (the shell side of the boundary). */
export function checkParams<N extends RequestName>(name: N, params: unknown): Checked<z.output<(typeof REQUESTS)[N]['params']>> {
  const r = REQUESTS[name].params.safeParse(params);
  if (r.success) return { ok: true, value: r.data as z.output<(typeof REQUESTS)[N]['params']> };
  return { ok: false, error: { code: 'bad-message', message: `invalid ${name} request: ${issuesText(r.error)}` } };
}

/** Validate a request's result (the renderer side of the boundary). */
export function checkResult<N extends RequestName>(name: N, result: unknown): Checked<RequestResult<N>> {
  const r = REQUESTS[name].result.safeParse(result);
  if (r.success) return { ok: true, value: r.data as RequestResult<N> };
  return { ok: false, error: { code: 'bad-message', message: `invalid ${name} response: ${issuesText(r.error)}` } };
}

/** Validate an event (the renderer side of the boundary). */
export function checkEvent(name: unknown, payload: unknown): Checked<EventEnvelope> {
  if (!isEventName(name)) return { ok: false, error: { code: 'bad-message', message: `unknown event ${String(name).slice(0, 64)}` } };
  const r = EVENTS[name].safeParse(payload);
  if (r.success) return { ok: true, value: { event: name, payload: r.data } as EventEnvelope };
  return { ok: false, error: { code: 'bad-message', message: `invalid ${name} event: ${issuesText(r.error)}` } };
}

// ---------------------------------------------------------------- the preload bridge

/** Keys of window.netnsStudio besides one function per request. */
export const BRIDGE_EXTRA_KEYS = ['onEvent'] as const;

/**
 * window.netnsStudio in the desktop app: exactly one function per request (each
 * bound to its own IPC channel) plus `onEvent`. Nothing else: no raw ipcRenderer.
 */
export type NetnsStudioBridge = { [N in RequestName]: (params: RequestParams<N>) => Promise<unknown> } & {
  onEvent(cb: (event: string, payload: unknown) => void): () => void;
};
