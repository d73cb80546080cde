/**
 * Every method of the helper, in one table: the zod schema of its params (the
 * helper validates every request with it), the type of its result and of the
 * events tied to the request. `Methods`, `ParamsOf`, `ResultOf` and `EventsOf`
 * derive from it; the helper's handlers are keyed by it (helper/methods/index.ts)
 * and the client's `request`/`subscribe` and the shells' `HelperLink.call` are
 * typed by it. A new method is one row here and one handler there.
 *
 * The renderer's plan, progress and forwarder shapes (shared/backend.ts) are the
 * ones declared here. Pure: no node:* imports.
 */
import { z } from 'zod';
import type { Forwarder } from '../model/schema';
import type { Step } from '../model/step';
import { TOPOLOGY_NAME, type TopologyIdentity } from '../model/topology-name';
import type { TopologyDetail, TopologyStatus } from '../model/topology-status';
import type { Readiness } from '../plan/readiness';
import {
  DiscoverParams,
  HelloParams,
  RequestId,
  WatchSubscribeParams,
  WatchUnsubscribeParams,
  type DiscoverResult,
  type HelloResult,
  type WatchData,
  type WatchSubscribeResult,
} from './messages';

// ---------------------------------------------------------------- shapes of results and events

export interface PlanSummary {
  create: number;
  change: number;
  delete: number;
  /** steps touching objects this product does not own */
  unmanaged: number;
  total: number;
}

/** `plan`'s result (and `destroy` with `dryRun`). */
export interface PlanResult {
  /** pass back to apply(): the helper refuses if the host changed since (`plan-stale`) */
  planHash: string;
  steps: Step[];
  summary: PlanSummary;
  /** plan-time warnings, e.g. a feature the kernel lacks */
  warnings?: string[];
  /** the topology the plan is for: every step is its own, or touches an object of no topology (`unmanaged`) */
  topology: TopologyIdentity;
  /** where the topology's name came from, records kept aside, objects gone from the host */
  notes: string[];
}

/** `progress` event data of apply and destroy. */
export interface ApplyProgress {
  /** steps finished so far (going forward, or undone while rolling back) */
  index: number;
  total: number;
  reason: string;
  namespace?: string;
  /** `apply` while going forward, `rollback` while undoing after a failure */
  phase?: 'apply' | 'rollback';
}

/** `apply`'s and `destroy`'s result on the wire. */
export interface ApplyWireResult {
  applied: number;
  durationMs: number;
  /** the host matches the document after applying */
  matches: boolean;
  /** what became usable after the steps (absent with `wait: false`); not-ready objects are named there */
  readiness?: Readiness;
  /** the topology applied (or destroyed) */
  topology: string;
}

/**
 * What the renderer shows of a forwarder: `running` = its agents are alive and listening;
 * `connections` = active connections (UDP: client sessions); `bytesIn` = from the
 * target back to clients; `bytesOut` = from clients to the target; `error` = why it
 * is not serving (bind failed, agent exited…).
 */
export interface ForwarderStats {
  name: string;
  running: boolean;
  connections: number;
  bytesIn: number;
  bytesOut: number;
  error?: string;
}

/** A forwarder as the helper reports it: the renderer's figures plus state, totals and the spec. */
export interface ForwarderLive extends ForwarderStats {
  state: 'listening' | 'error' | 'stopped';
  /** connections (sessions) accepted since it started */
  total: number;
  /** connections whose target refused or was unreachable (closed cleanly, counted) */
  failedDials: number;
  spec: Forwarder;
}

// ---------------------------------------------------------------- params

export const TopologyNameParam = z.string().regex(TOPOLOGY_NAME, 'a topology name (letters, digits, "_", ".", "-")');
/** The file a document came from (names a topology without `name`, recorded for `list`): a path, no control characters. */
export const SourceFileParam = z.string().min(1).max(4096).regex(NO_CONTROL_CHARS, 'a file path without control characters');

export const PlanParams = z.strictObject({
  /** the topology document (validated by the pipeline, which reports its issues) */
  document: z.unknown(),
  /** plan the destroy of the document instead */
  destroy: z.boolean().optional(),
  /** the file the document came from: names the topology when the document has no `name` */
  file: SourceFileParam.optional(),
});
export type PlanParams = z.infer<typeof PlanParams>;

const PlanHash = z.string().regex(/^[0-9a-f]{64}$/, 'planHash: the hash of the plan that was shown (plan first)');
const ObjectKeyParam = z.string().min(1).max(1000);

export const ApplyParams = z.strictObject({
  document: z.unknown(),
  /** the hash of the plan the person saw (from `plan`): no blind applies over the protocol */
  planHash: PlanHash,
  /** object keys of unmanaged objects the person explicitly allows apply to change */
  allow: z.array(ObjectKeyParam).max(10_000).optional(),
  /** the person allowed the steps that touch the host (plan steps with `touchesHost`); refused with `touches-host` otherwise */
  allowHost: z.boolean().optional(),
  /** wait until what the apply brought up is usable (default true); false answers as soon as the steps are done */
  wait: z.boolean().optional(),
  /** bound of that wait in ms (default 10 s) */
  readyTimeoutMs: z.number().int().min(0).max(600_000).optional(),
  /** the file the document came from: names the topology when the document has no `name`, recorded for `topologies.list` */
  file: SourceFileParam.optional(),
});
export type ApplyParams = z.infer<typeof ApplyParams>;

export const DestroyParams = z.strictObject({
  /** the topology's document, or `name` alone */
  document: z.unknown().optional(),
  file: SourceFileParam.optional(),
  name: TopologyNameParam.optional(),
  /** the hash `plan` with `destroy: true` returned: refused when ownership changed since */
  planHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  dryRun: z.boolean().optional(),
});
export type DestroyParams = z.infer<typeof DestroyParams>;

export const ForwardersListParams = z.undefined().or(z.strictObject({}));
export const ForwardersSubscribeParams = z.strictObject({ intervalMs: z.number().int().min(100).max(60_000).optional() }).optional();
export const ForwardersUnsubscribeParams = z.strictObject({ subscription: RequestId });
/** Bounds of one `ping` request (helper/ping/run.ts). */
export const MAX_PINGS = 1024;
export const MAX_LANES = 16;
const NsName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,200}$/)
  .refine((s) => s !== '.' && s !== '..', 'not a namespace name');
export const PingParams = z.strictObject({
  pings: z
    .array(
      z.strictObject({
        /** `host` or a named namespace */
        from: NsName,
        to: z.string().min(2).max(45),
        count: z.number().int().min(1).max(3).optional(),
        timeoutMs: z.number().int().min(100).max(5000).optional(),
      }),
    )
    .min(1)
    .max(MAX_PINGS),
  lanes: z.number().int().min(1).max(MAX_LANES).optional(),
});
export type PingParams = z.infer<typeof PingParams>;

/** One ping's answer. */
export interface PingOutcome {
  from: string;
  to: string;
  ok: boolean;
  /** replies received of count sent */
  received: number;
  /** ping's own words when it could not send (`connect: Network is unreachable`) */
  error?: string;
}

/** A `ping` request's progress, one event per finished ping (the app's matrix panel shows it). */
export interface PingProgress {
  done: number;
  total: number;
}

// ---------------------------------------------------------------- link tools (capture, terminal, netem)

/** An interface name as the kernel takes it (IFNAMSIZ 16: 15 characters), no path or option tricks. */
export const IfName = z
  .string()
  .regex(/^[A-Za-z0-9_.@-]{1,15}$/, 'an interface name (letters, digits, "_", ".", "@", "-"; at most 15)')
  .refine((s) => s !== '.' && s !== '..' && !s.startsWith('-'), 'not an interface name');
/**
 * A BPF capture filter (pcap-filter(7)): characters the grammar uses and nothing else
 * (no quotes, no `$`, `;`, backquote: it is one argv element anyway, and tcpdump
 * compile-checks it before the capture starts).
 */
export const CaptureFilter = z
  .string()
  .max(1000)
  .regex(/^[A-Za-z0-9 _.:/[\]()&|!=<>+*%^~-]*$/, 'a BPF filter: letters, digits, spaces and . : / [ ] ( ) & | ! = < > + * % ^ ~ -')
  .refine((s) => !s.trim().startsWith('-'), 'a filter does not start with "-"');
/** Bounds of one capture (helper/capture/run.ts). */
import { CAPTURE_LIMITS } from './capture-limits';
import { NO_CONTROL_CHARS } from '../validate/control-chars';
export { CAPTURE_LIMITS };
export const CaptureStartParams = z.strictObject({
  /** `host` or a named namespace */
  namespace: NsName,
  interface: IfName,
  /** stop after this many packets */
  count: z.number().int().min(1).max(CAPTURE_LIMITS.maxCount).optional(),
  /** stop after this long */
  durationMs: z.number().int().min(100).max(CAPTURE_LIMITS.maxDurationMs).optional(),
  /** stop once this many bytes of packets were captured */
  maxBytes: z.number().int().min(1).max(CAPTURE_LIMITS.maxBytes).optional(),
  filter: CaptureFilter.optional(),
  /** bytes kept of each packet (default and most: 65535) */
  snaplen: z.number().int().min(64).max(CAPTURE_LIMITS.snaplen).optional(),
});
export type CaptureStartParams = z.infer<typeof CaptureStartParams>;
export const CaptureStopParams = z.strictObject({ subscription: RequestId });

/** One captured packet: its words (shared/capture/decode.ts) and its bytes for the pcap. */
export interface CapturedPacket {
  /** 1-based number in this capture */
  n: number;
  /** seconds since the epoch */
  time: number;
  /** bytes on the wire */
  len: number;
  src: string;
  dst: string;
  proto: string;
  summary: string;
  /** the captured bytes (≤ snaplen), base64 */
  data: string;
}
export type CaptureEndReason = 'count' | 'duration' | 'bytes' | 'stopped' | 'exited' | 'failed';
/** Events `capture` of a capture: batches of packets, then one `end`. */
export type CaptureEvent =
  { type: 'packets'; linktype: number; packets: CapturedPacket[] } | { type: 'end'; reason: CaptureEndReason; packets: number; bytes: number; error?: string };

/** Terminals one helper connection may have open at once. */
export const MAX_TERMINALS = 4;
const TermSize = { cols: z.number().int().min(10).max(500), rows: z.number().int().min(3).max(200) };
export const TerminalOpenParams = z.strictObject({ namespace: NsName, ...TermSize });
export const TerminalInputParams = z.strictObject({ subscription: RequestId, data: z.string().max(65_536) });
export const TerminalResizeParams = z.strictObject({ subscription: RequestId, ...TermSize });
export const TerminalCloseParams = z.strictObject({ subscription: RequestId });
/** Events `terminal`: what the shell wrote, then its exit. */
export type TerminalEvent = { type: 'output'; data: string } | { type: 'exit'; code: number | null; signal?: string };

export const LinkImpairParams = z.strictObject({
  namespace: NsName,
  interface: IfName,
  /** added one-way delay */
  delayMs: z.number().min(0).max(60_000).optional(),
  /** random loss, percent */
  lossPercent: z.number().min(0).max(100).optional(),
  /** remove the impairment instead */
  clear: z.boolean().optional(),
});
export type LinkImpairParams = z.infer<typeof LinkImpairParams>;
/** One link's throughput over the last sampling interval, from the kernel's link counters (helper/rates/). */
export interface LinkRate {
  /** `link:NS/IF` (shared/model/ids.ts objectKey.link) */
  key: string;
  rxBps: number;
  txBps: number;
  rxPps: number;
  txPps: number;
}
/** A `rates` event: every link read at `at`, rates over `intervalMs` (adaptive to the host's size). */
export interface LinkRates {
  at: number;
  intervalMs: number;
  links: number;
  readMs: number;
  rates: LinkRate[];
}
export const RatesSubscribeParams = z
  .strictObject({
    /** never sample faster than this (the helper slows down further for big hosts) */
    minIntervalMs: z.number().int().min(500).max(60_000).optional(),
    /** only namespaces whose name starts with this (and `host`) */
    onlyPrefix: NsName.optional(),
  })
  .optional();
export const RatesUnsubscribeParams = z.strictObject({ subscription: RequestId });

export const TopologiesListParams = z.strictObject({});
export const TopologyStatusParams = z.strictObject({ name: TopologyNameParam });

// ---------------------------------------------------------------- events

/** Name of the events apply and destroy send while they run (`ref` = the request id). */
export const PROGRESS_EVENT = 'progress';
/** Name of a forwarders subscription's events. */
export const FORWARDERS_EVENT = 'forwarders';
/** Name of a rates subscription's events (LinkRates). */
export const RATES_EVENT = 'rates';

// ---------------------------------------------------------------- the table

/** One row: the params schema; result and events are types only (phantom fields, never read). */
interface Row<P extends z.ZodType, R, E> {
  params: P;
  result?: R;
  events?: E;
}
const row =
  <R, E = Record<never, never>>() =>
  <P extends z.ZodType>(params: P): Row<P, R, E> => ({ params });

export const METHOD_TABLE = {
  hello: row<HelloResult>()(HelloParams),
  discover: row<DiscoverResult>()(DiscoverParams),
  /** events `watch` (WatchData) with `ref` = the subscription */
  'watch.subscribe': row<WatchSubscribeResult, { watch: WatchData }>()(WatchSubscribeParams),
  'watch.unsubscribe': row<{ ok: true }>()(WatchUnsubscribeParams),
  plan: row<PlanResult>()(PlanParams),
  /** sends `progress` events tied to the request */
  apply: row<ApplyWireResult, { [PROGRESS_EVENT]: ApplyProgress }>()(ApplyParams),
  /** `dryRun` answers like `plan` with `destroy: true`; otherwise like apply, with its `progress` events */
  destroy: row<ApplyWireResult | PlanResult, { [PROGRESS_EVENT]: ApplyProgress }>()(DestroyParams),
  'forwarders.list': row<{ forwarders: ForwarderLive[] }>()(ForwardersListParams),
  /** events `forwarders` ({stats}) tied to the subscription: the first at once, then on every change */
  'forwarders.subscribe': row<{ subscription: RequestId }, { [FORWARDERS_EVENT]: { stats: ForwarderLive[] } }>()(ForwardersSubscribeParams),
  'forwarders.unsubscribe': row<{ ok: true }>()(ForwardersUnsubscribeParams),
  /** events `rates` (LinkRates) tied to the subscription, one per sampling interval */
  'rates.subscribe': row<{ subscription: RequestId }, { [RATES_EVENT]: LinkRates }>()(RatesSubscribeParams),
  'rates.unsubscribe': row<{ ok: true }>()(RatesUnsubscribeParams),
  /** real pings from namespaces to addresses inside this host (reachability checks) */
  /** sends a `progress` event ({done, total}) as each ping finishes */
  ping: row<{ results: PingOutcome[] }, { [PROGRESS_EVENT]: PingProgress }>()(PingParams),
  /** every applied topology and how it stands */
  'topologies.list': row<{ topologies: TopologyStatus[] }>()(TopologiesListParams),
  /** one applied topology: the steps that drifted, the document last applied, its history */
  'topologies.status': row<TopologyDetail>()(TopologyStatusParams),
  /** tcpdump in a namespace, bounded: events `capture` (CaptureEvent) tied to the subscription, ending with `end` */
  'capture.start': row<{ subscription: RequestId }, { capture: CaptureEvent }>()(CaptureStartParams),
  'capture.stop': row<{ ok: true }>()(CaptureStopParams),
  /** a shell inside a namespace on a pseudo-terminal: events `terminal` (TerminalEvent) tied to the subscription */
  'terminal.open': row<{ subscription: RequestId }, { terminal: TerminalEvent }>()(TerminalOpenParams),
  'terminal.input': row<{ ok: true }>()(TerminalInputParams),
  'terminal.resize': row<{ ok: true }>()(TerminalResizeParams),
  'terminal.close': row<{ ok: true }>()(TerminalCloseParams),
  /** netem delay/loss on an interface (refused with `netem-missing` where the kernel lacks sch_netem) */
  'link.impair': row<{ ok: true; qdisc: string }>()(LinkImpairParams),
} as const;

type Table = typeof METHOD_TABLE;
export type MethodName = keyof Table;
/** What a method's handler receives (the params after the schema). */
export type ParamsOf<M extends MethodName> = z.output<Table[M]['params']>;
/** What a client may send (before defaults). */
export type ParamsIn<M extends MethodName> = z.input<Table[M]['params']>;
export type ResultOf<M extends MethodName> = NonNullable<Table[M]['result']>;
export type EventsOf<M extends MethodName> = NonNullable<Table[M]['events']>;
export type Methods = { [M in MethodName]: { params: ParamsOf<M>; result: ResultOf<M>; events: EventsOf<M> } };

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHOD_TABLE, name);
}

/** Params schemas the client checks before sending (the helper checks them again). */
export const PARAMS_SCHEMAS: Partial<Record<string, z.ZodType>> = {
  hello: HelloParams,
  discover: DiscoverParams,
  'watch.subscribe': WatchSubscribeParams,
  'watch.unsubscribe': WatchUnsubscribeParams,
};
