/**
 * Packet capture over the protocol (../capture/run.ts does the work):
 *
 *   capture.start {namespace, interface, count?, durationMs?, maxBytes?, filter?, snaplen?}
 *       → {subscription}, then events {event: 'capture', ref: subscription, data: CaptureEvent}:
 *         batches {type: 'packets', linktype, packets}, then one {type: 'end', reason, packets, bytes}
 *   capture.stop {subscription} → {ok}  (the `end` event follows, reason `stopped`)
 *
 * Refused (`capture-refused`, nothing started) when tcpdump is missing, the
 * namespace is not on this host, or tcpdump refuses the interface or the filter;
 * `busy` past CAPTURE_LIMITS.perConnection captures at once; also in a namespace
 * an unprivileged user owns (../discover/ns-owner.ts). A capture ends with
 * its connection. A capture of `host` (the host's own traffic) starts only once
 * a person said yes (../confirm/gate.ts); one inside another namespace is not asked.
 */
import { PROTOCOL_ERROR, type RequestId } from '../../shared/protocol/messages';
import { CAPTURE_LIMITS, CaptureStartParams, CaptureStopParams } from '../../shared/protocol/methods';
import { captureRefusal, startCapture } from '../capture/run';
import { HOST_NS } from '../../shared/model/schema';
import { confirmOrRefuse } from '../confirm/gate';
import { foreignOwned } from '../discover/ns-owner';
import { HelperError, defineMethod } from './registry';

const key = (id: RequestId) => `capture:${String(id)}`;

export const captureStartMethod = defineMethod({
  name: 'capture.start',
  params: CaptureStartParams,
  handler: async (params, ctx) => {
    if (process.getuid?.() !== 0) throw new HelperError(PROTOCOL_ERROR.notRoot, 'capture needs root (it enters namespaces and opens raw sockets)');
    const running = [...ctx.connection.cleanups.keys()].filter((k) => k.startsWith('capture:')).length;
    if (running >= CAPTURE_LIMITS.perConnection)
      throw new HelperError('busy', `${running} captures are running; stop one first (at most ${CAPTURE_LIMITS.perConnection})`);
    // tcpdump switches to its own user once the capture is open, and in a namespace an unprivileged user
    // owns, entered as that owner (never as root), no such user is mapped: it could only fail there
    const path = `/run/netns/${params.namespace}`;
    if (params.namespace !== HOST_NS && (await foreignOwned([path])).has(path)) {
      throw new HelperError(
        'capture-refused',
        `capture on ${params.namespace}/${params.interface} refused: the namespace is owned by an unprivileged user namespace; root does not capture there (its owner can, from inside)`,
      );
    }
    const refused = await captureRefusal(params, ctx.connection.settings.wrap);
    if (refused) throw new HelperError('capture-refused', `capture on ${params.namespace}/${params.interface} refused: ${refused}`);
    if (params.namespace === HOST_NS)
      await confirmOrRefuse(
        ctx.connection.settings,
        { action: 'capture', namespace: params.namespace, interface: params.interface, ...(params.filter ? { filter: params.filter } : {}) },
        ctx.signal,
      );
    if (ctx.signal.aborted) throw new HelperError(PROTOCOL_ERROR.disconnected, 'the connection closed');
    const cap = startCapture(params, { wrap: ctx.connection.settings.wrap, emit: (e) => ctx.emit('capture', e) });
    ctx.connection.cleanups.set(key(ctx.id), () => cap.stop());
    void cap.done.then(() => ctx.connection.cleanups.delete(key(ctx.id)));
    // answer once tcpdump has its socket open, so traffic sent right after start is captured
    await cap.listening;
    return { subscription: ctx.id };
  },
});

export const captureStopMethod = defineMethod({
  name: 'capture.stop',
  params: CaptureStopParams,
  handler: (params, ctx) => {
    const stop = ctx.connection.cleanups.get(key(params.subscription));
    if (!stop) throw new HelperError('unknown-subscription', `no capture ${JSON.stringify(params.subscription)} is running`);
    stop();
    return { ok: true as const };
  },
});
