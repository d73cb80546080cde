/**
 * Newline-delimited JSON framing over any byte stream, with a hard line limit:
 * a line longer than `maxBytes` is dropped (reported once through `onOversize`)
 * and reading resumes at the next newline, so one bad message never kills the link.
 */
import type { Readable } from 'node:stream';
import { MAX_MESSAGE_BYTES } from '../../shared/protocol/wire';

export interface LineReaderHandlers {
  onLine(line: string): void;
  /** a line exceeded the limit; `bytes` is how much was seen before giving up */
  onOversize(bytes: number): void;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** inside an oversized line: discard until the next newline */
  private skipping = false;

  constructor(
    private readonly handlers: LineReaderHandlers,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.skipping) {
        const piece = chunk.subarray(start, end);
        this.size += piece.length;
        if (this.size > this.maxBytes) {
          this.handlers.onOversize(this.size);
          this.parts = [];
          this.size = 0;
          this.skipping = true;
        } else if (piece.length) this.parts.push(piece);
      }
      if (nl === -1) break;
      if (!this.skipping) {
        const line = Buffer.concat(this.parts).toString('utf8');
        this.parts = [];
        this.size = 0;
        if (line.trim()) this.handlers.onLine(line);
      }
      this.skipping = false;
      start = nl + 1;
    }
  }
}

export function readLines(stream: Readable, handlers: LineReaderHandlers, maxBytes = MAX_MESSAGE_BYTES): void {
  const splitter = new LineSplitter(handlers, maxBytes);
  stream.on('data', (chunk: Buffer | string) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
}

/** Serialize one message as one line. Throws when it exceeds the limit (the caller turns that into an error reply). */
export function encodeLine(message: unknown, maxBytes = MAX_MESSAGE_BYTES): string {
  const text = JSON.stringify(message);
  if (Buffer.byteLength(text) > maxBytes) throw new RangeError(`message of ${Buffer.byteLength(text)} bytes exceeds ${maxBytes}`);
  return text + '\n';
}
