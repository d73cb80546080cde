/**
 * Reads `ip monitor all-nsid` output for the one thing we trust in it: which
 * namespace a message came from. Every message starts a line with `[nsid N]`
 * (or `[nsid current]` for the monitor's own namespace); the rest of the line and
 * the indented continuation lines are ignored, because interface names printed
 * for other namespaces are resolved in the listener's namespace and can be wrong.
 *
 * Works on raw chunks: a prefix is reported as soon as it is complete, without
 * waiting for the end of its line (ip prints some messages' newline late).
 */

export type NsidRef = number | 'current';

const PREFIX = /^\[nsid (current|\d+)\]/;
/** longest prefix we could see: `[nsid 4294967295]` */
const MAX_PREFIX = 18;

export class NsidScanner {
  private carry = '';
  /** inside a line whose start was already handled */
  private skipLine = false;

  constructor(private readonly onNsid: (nsid: NsidRef) => void) {}

  push(chunk: string): void {
    const s = this.carry + chunk;
    this.carry = '';
    let i = 0;
    while (i < s.length) {
      if (this.skipLine) {
        const nl = s.indexOf('\n', i);
        if (nl === -1) return;
        this.skipLine = false;
        i = nl + 1;
        continue;
      }
      const head = s.slice(i, i + MAX_PREFIX);
      const m = PREFIX.exec(head);
      if (m) {
        this.onNsid(m[1] === 'current' ? 'current' : Number(m[1]));
        i += m[0].length;
        this.skipLine = true;
        continue;
      }
      // a prefix cut in two by the pipe: keep it for the next chunk
      if (head.length < MAX_PREFIX && !head.includes('\n') && !head.includes(']') && '[nsid '.startsWith(head.slice(0, 6))) {
        this.carry = head;
        return;
      }
      this.skipLine = true; // a line without a prefix (continuation, or a message we do not key on)
    }
  }
}
