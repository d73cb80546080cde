/**
 * The helper's end of its supervisor's channel (`--confirm-fd N`; the contract:
 * shared/protocol/confirmation.ts): a socket the root process that started us
 * made and kept, never the pipes a client drives. An ask goes out as one line;
 * the answer with its number comes back. A channel that closes (the supervisor
 * died) refuses everything still waiting and everything after.
 */
import { Socket } from 'node:net';
import { parseAnswer, type ChangeToConfirm, type Confirmation } from '../../shared/protocol/confirmation';
import { encodeLine, readLines } from '../transport/ndjson';

export interface SupervisorChannel {
  ask(change: ChangeToConfirm, signal?: AbortSignal): Promise<Confirmation>;
}

const GONE: Confirmation = { confirmed: false, why: 'the supervisor that confirms changes is gone' };
const channels = new Map<number, SupervisorChannel>();

/** The channel on fd `fd` (opened once per process). */
export function supervisorChannel(fd: number): SupervisorChannel {
  let ch = channels.get(fd);
  if (!ch) channels.set(fd, (ch = open(fd)));
  return ch;
}

function open(fd: number): SupervisorChannel {
  const waiting = new Map<number, (c: Confirmation) => void>();
  let next = 1;
  let closed = false;
  let sock: Socket | undefined;
  try {
    sock = new Socket({ fd, readable: true, writable: true });
  } catch {
    closed = true;
  }
  const refuseAll = () => {
    closed = true;
    for (const w of waiting.values()) w(GONE);
    waiting.clear();
  };
  if (sock) {
    // the channel alone never keeps the helper running: its client's pipes do
    sock.unref();
    readLines(sock, {
      onLine: (line) => {
        let raw: unknown;
        try {
          raw = JSON.parse(line);
        } catch {
          return;
        }
        const a = parseAnswer(raw);
        const w = a && waiting.get(a.answer);
        if (!a || !w) return;
        waiting.delete(a.answer);
        w(a.confirmed ? { confirmed: true } : { confirmed: false, why: a.why });
      },
      onOversize: () => {},
    });
    sock.on('error', refuseAll);
    sock.on('close', refuseAll);
  }
  return {
    ask(change, signal) {
      if (closed || !sock || signal?.aborted) return Promise.resolve(GONE);
      const id = next++;
      return new Promise<Confirmation>((resolve) => {
        const onAbort = () => {
          waiting.delete(id);
          resolve({ confirmed: false, why: 'the client went away' });
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.set(id, (c) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(c);
        });
        sock!.write(encodeLine({ ask: id, change }));
      });
    },
  };
}
