/**
 * The root supervisor's end of a helper's confirmation channel (issue 15; the
 * contract: shared/protocol/confirmation.ts): each ask the helper sends is put
 * to the person (serve's terminal: ./terminal-confirmation.ts) and the answer
 * goes back with its number. The web server never holds this channel, so
 * nothing it sends the helper can answer for the person.
 */
import type { Duplex } from 'node:stream';
import { parseAsk, type ConfirmChange, type SupervisorAnswer } from '../shared/protocol/confirmation';
import { encodeLine, readLines } from '../helper/transport/ndjson';

export function answerHelperAsks(channel: Duplex, confirm: ConfirmChange, log: (line: string) => void = () => {}): void {
  const send = (a: SupervisorAnswer) => {
    if (!channel.destroyed && channel.writable) channel.write(encodeLine(a));
  };
  readLines(channel, {
    onLine: (line) => {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        return log("netns-studio: an unreadable line on the helper's confirmation channel was ignored");
      }
      const ask = parseAsk(raw);
      if (!ask) {
        const n = (raw as { ask?: unknown })?.ask;
        if (Number.isInteger(n)) send({ answer: n as number, confirmed: false, why: 'the supervisor could not read what to confirm' });
        return;
      }
      void confirm(ask.change).then(
        (c) => send({ answer: ask.ask, ...c }),
        (e: unknown) => send({ answer: ask.ask, confirmed: false, why: `asking failed: ${(e as Error)?.message ?? String(e)}` }),
      );
    },
    onOversize: () => log("netns-studio: an oversized line on the helper's confirmation channel was ignored"),
  });
  channel.on('error', () => {});
}
