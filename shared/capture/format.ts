/** A captured packet as one line of text (the CLI) and its time of day (the app's list too). */
import type { CapturedPacket } from '../protocol/methods';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `HH:MM:SS.mmmmmm`, local time. */
export function timeOfDay(epochSeconds: number): string {
  const d = new Date(Math.floor(epochSeconds * 1000));
  const micros = Math.round((epochSeconds - Math.floor(epochSeconds)) * 1e6) % 1e6;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`;
}

export function packetLine(p: Omit<CapturedPacket, 'data'>): string {
  const ends = p.src || p.dst ? `${p.src} > ${p.dst}` : '';
  return [timeOfDay(p.time), p.proto, ends, `len ${p.len}`, p.summary].filter(Boolean).join('  ');
}
