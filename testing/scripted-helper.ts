/**
 * A helper that answers from a script over in-memory streams, recording every
 * request (no root needed; the real helper is in shell-core/stdio-helper-link.test.ts),
 * and a HelperLink to it: for tests of what the shells send the helper and when.
 */
import { PassThrough } from 'node:stream';
import { HelperClient } from '../helper/client';
import { createClientHelperLink } from '../shell-core/client-helper-link';
import type { HelperLink } from '../shell-core/helper-link';

export const SCRIPTED_HELLO = { protocol: 1, iproute2: 'iproute2-6.1.0', kernel: '6.18.0', features: { veth: true }, isRoot: true, uid: 0, pid: 4242 };

export type Answer = (method: string, params: any, send: (m: object) => void, id: number) => void;

export function scriptedHelper(answer: Answer) {
  const toClient = new PassThrough();
  const fromClient = new PassThrough();
  const requests: { method: string; params: any }[] = [];
  let buf = '';
  const send = (m: object) => toClient.write(JSON.stringify(m) + '\n');
  fromClient.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const req = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      requests.push({ method: req.method, params: req.params });
      if (req.method === 'hello') send({ id: req.id, result: SCRIPTED_HELLO });
      else answer(req.method, req.params, send, req.id);
    }
  });
  const client = new HelperClient(toClient, fromClient);
  return { client, requests, die: () => toClient.end() };
}

/** A connected-on-demand HelperLink to a scripted helper. */
export function scriptedHelperLink(h: ReturnType<typeof scriptedHelper>): HelperLink {
  return createClientHelperLink({ transport: 'stdio', start: async () => ((h.client.hello = await h.client.request('hello', {})), h.client) });
}
