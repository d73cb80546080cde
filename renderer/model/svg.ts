/**
 * A picture of the document as a standalone SVG (Export › SVG, and the source of
 * the PNG export): boxes, ports and veth lines drawn from the same derivation
 * as the canvas, so the image shows what the canvas shows.
 */
import type { Topology } from '../../shared/model/schema';
import { toFlow } from './to-flow';
import type { NamespaceData, BridgeData, ForwarderData, VrfData } from './to-flow';
import { BR_H, NS_W, memberChip, portY } from './geometry';

/** PNG export renders the SVG at this scale: sharp on high-density screens and in documents. */
export const PNG_SCALE = 2;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function topologySvg(doc: Topology): { svg: string; width: number; height: number } {
  const flow = toFlow(doc);
  const abs = new Map<string, { x: number; y: number }>();
  for (const n of flow.nodes) {
    const parent = n.parentId ? abs.get(n.parentId) : undefined;
    abs.set(n.id, parent ? { x: parent.x + n.position.x, y: parent.y + n.position.y } : n.position);
  }
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of flow.nodes) {
    const p = abs.get(n.id)!;
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x + (n.width ?? 0));
    maxY = Math.max(maxY, p.y + (n.height ?? 0));
  }
  if (!flow.nodes.length) [minX, minY, maxX, maxY] = [0, 0, 100, 100];
  const pad = 20;
  const width = Math.ceil(maxX - minX + 2 * pad);
  const height = Math.ceil(maxY - minY + 2 * pad);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${minX - pad} ${minY - pad} ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect x="${minX - pad}" y="${minY - pad}" width="${width}" height="${height}" fill="#ffffff"/>`);
  for (const l of flow.lines) {
    const [a, b] = l;
    if (l.length === 2) out.push(`<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="#4f7cac" stroke-width="2"/>`);
    else out.push(`<polyline points="${l.map((p) => `${p.x},${p.y}`).join(' ')}" fill="none" stroke="#4f7cac" stroke-width="2"/>`);
  }
  for (const n of flow.nodes) {
    const p = abs.get(n.id)!;
    const w = n.width ?? 0;
    const h = n.height ?? 0;
    if (n.type === 'namespace') {
      const d = n.data as NamespaceData;
      out.push(`<rect x="${p.x}" y="${p.y}" width="${w}" height="${h}" rx="8" fill="#f4f7fb" stroke="#5a6b80"/>`);
      out.push(`<text x="${p.x + 10}" y="${p.y + 21}" font-weight="bold">${esc(d.name)}</text>`);
      d.ports.forEach((port, i) => {
        const y = p.y + portY(i);
        out.push(`<circle cx="${p.x + 14}" cy="${y}" r="4" fill="${port.up ? '#2e9d55' : '#c0392b'}"/>`);
        out.push(`<text x="${p.x + 24}" y="${y + 4}">${esc(port.ifname)}  ${esc(port.addresses.join(' '))}</text>`);
      });
    } else if (n.type === 'bridge' || n.type === 'vrf') {
      const d = n.data as BridgeData | VrfData;
      out.push(`<rect x="${p.x}" y="${p.y}" width="${w}" height="${h}" rx="6" fill="#e8eef9" stroke="#4f7cac"/>`);
      const extra = 'addresses' in d ? (d as BridgeData).addresses.join(' ') : `table ${(d as VrfData).table}`;
      out.push(`<text x="${p.x + 10}" y="${p.y + 18}">${n.type === 'bridge' ? '⇌' : 'VRF'} ${esc(d.name)}  ${esc(extra)}</text>`);
      // the member chips, where the canvas draws them (each veth's line ends at its chip)
      const members = n.type === 'bridge' ? (d as BridgeData).members : [];
      members.forEach((m, k) => {
        const c = memberChip(k, members.length);
        out.push(
          `<rect x="${p.x + c.x}" y="${p.y + BR_H - 21}" width="${c.width}" height="16" rx="7" fill="#ffffff" stroke="${m.up ? '#2e9d55' : '#c0392b'}"/>`,
        );
        if (c.width >= 14)
          out.push(
            `<text x="${p.x + c.x + 4}" y="${p.y + BR_H - 9}" font-size="10" font-family="monospace" textLength="${Math.max(1, Math.min(c.width - 8, m.ifname.length * 6))}" lengthAdjust="spacingAndGlyphs">${esc(m.ifname)}</text>`,
          );
      });
    } else if (n.type === 'forwarder') {
      const d = n.data as ForwarderData;
      out.push(`<rect x="${p.x}" y="${p.y}" width="${w}" height="${h}" rx="6" fill="#fff6e6" stroke="#c98a1a" stroke-dasharray="4 3"/>`);
      out.push(`<text x="${p.x + 8}" y="${p.y + 18}">↪ ${esc(d.name)} (${esc(d.protocol)})</text>`);
    }
  }
  out.push('</svg>');
  void NS_W;
  return { svg: out.join('\n'), width, height };
}
