/**
 * The classic pcap file format (tcpdump's `-w`, what Wireshark opens): an
 * incremental reader for the stream `tcpdump -w -` writes (chunks may split a
 * record anywhere) and a writer that rebuilds a file from captured records.
 * Both byte orders, micro- and nanosecond magic. Pure: Uint8Array and DataView.
 */

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Link types the decoder reads (pcap LINKTYPE_*). */
export const LINKTYPE = { ethernet: 1, raw: 101, linuxSll: 113, linuxSll2: 276 } as const;

export interface PcapHeader {
  linktype: number;
  snaplen: number;
  nanos: boolean;
  littleEndian: boolean;
}

export interface PcapRecord {
  /** seconds since the epoch (fraction included) */
  time: number;
  /** bytes on the wire */
  origLen: number;
  /** bytes captured (≤ snaplen) */
  data: Uint8Array;
}

/** Largest record the reader accepts: a record claiming more is a broken stream. */
const MAX_RECORD = 262_144;

export class PcapStreamReader {
  private buf: Uint8Array = new Uint8Array(0);
  header?: PcapHeader;

  /** Feed bytes; returns the records completed by them. Throws on a stream that is not pcap. */
  push(chunk: Uint8Array): PcapRecord[] {
    this.buf = concat(this.buf, chunk);
    const out: PcapRecord[] = [];
    let off = 0;
    const view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    if (!this.header) {
      if (this.buf.length < 24) return out;
      const le = view.getUint32(0, true);
      const be = view.getUint32(0, false);
      const magic = le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS ? le : be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS ? be : 0;
      if (!magic) throw new Error('not a pcap stream (bad magic)');
      const littleEndian = le === magic;
      this.header = {
        littleEndian,
        nanos: magic === PCAP_MAGIC_NS,
        snaplen: view.getUint32(16, littleEndian),
        linktype: view.getUint32(20, littleEndian) & 0x0fffffff,
      };
      off = 24;
    }
    const { littleEndian: le, nanos } = this.header;
    while (this.buf.length - off >= 16) {
      const inclLen = view.getUint32(off + 8, le);
      if (inclLen > MAX_RECORD) throw new Error(`pcap record of ${inclLen} bytes: not a pcap stream`);
      if (this.buf.length - off - 16 < inclLen) break;
      const sec = view.getUint32(off, le);
      const frac = view.getUint32(off + 4, le);
      out.push({ time: sec + frac / (nanos ? 1e9 : 1e6), origLen: view.getUint32(off + 12, le), data: this.buf.slice(off + 16, off + 16 + inclLen) });
      off += 16 + inclLen;
    }
    this.buf = this.buf.slice(off);
    return out;
  }

  /** Bytes held that do not make a whole record yet. */
  get pending(): number {
    return this.buf.length;
  }
}

/** Read a whole pcap file. */
export function readPcap(bytes: Uint8Array): { header: PcapHeader; records: PcapRecord[] } {
  const r = new PcapStreamReader();
  const records = r.push(bytes);
  if (!r.header) throw new Error('not a pcap file (shorter than its header)');
  if (r.pending) throw new Error(`pcap file ends inside a record (${r.pending} bytes left)`);
  return { header: r.header, records };
}

/** A pcap file (little-endian, microseconds) of `records`. */
export function writePcap(linktype: number, records: readonly PcapRecord[], snaplen = 65_535): Uint8Array {
  const size = 24 + records.reduce((n, r) => n + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC_US, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linktype, true);
  let off = 24;
  for (const r of records) {
    let sec = Math.floor(r.time);
    let usec = Math.round((r.time - sec) * 1e6);
    if (usec >= 1e6) {
      sec += 1;
      usec -= 1e6;
    }
    v.setUint32(off, sec, true);
    v.setUint32(off + 4, usec, true);
    v.setUint32(off + 8, r.data.length, true);
    v.setUint32(off + 12, r.origLen, true);
    out.set(r.data, off + 16);
    off += 16 + r.data.length;
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
