/**
 * The validator's findings as the canvas shows them: each located in the file
 * (file:line:column, from shared/validate/check.ts) and tied to the canvas object
 * it is about, so a click on a problem selects and marks that object. Pure.
 */
import type { Topology } from '../../shared/model/schema';
import { nodeId } from '../../shared/model/ids';
import type { LocatedError, Severity } from '../../shared/yaml/errors';
import { checkTopologyText } from '../../shared/validate/check';

export interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
  code: string;
  severity: Severity;
  /** the canvas id of the object it is about (a namespace box, bridge, veth edge, forwarder), if any */
  target?: string;
}

/** `veths[0].ends[1].addresses[0]` → ['veths', 0, 'ends', 1, 'addresses', 0] (shared/yaml/errors.ts formatPath, read back). */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]) as string)));
  return out;
}

/**
 * The canvas id of the object at `path`. A namespace declared again is drawn as
 * its own box `ns:NAME~k` (model/to-flow.ts), so its problem points there.
 */
export function targetOf(doc: Topology, path: readonly (string | number)[]): string | undefined {
  const [top, i, sub, j] = path;
  if (typeof i !== 'number') return undefined;
  switch (top) {
    case 'namespaces': {
      const n = doc.namespaces[i];
      if (!n) return undefined;
      if (sub === 'vrfs' && typeof j === 'number' && n.vrfs[j]) return nodeId.vrf(n.name, n.vrfs[j].name);
      const k = doc.namespaces.slice(0, i).filter((o) => o.name === n.name).length;
      return k === 0 ? nodeId.namespace(n.name) : `${nodeId.namespace(n.name)}~${k + 1}`;
    }
    case 'bridges': {
      const b = doc.bridges[i];
      return b && nodeId.bridge(b.namespace, b.name);
    }
    case 'veths': {
      const v = doc.veths[i];
      return v && nodeId.veth(v.ends[0].namespace, v.ends[0].name);
    }
    case 'forwarders': {
      const f = doc.forwarders[i];
      return f && nodeId.forwarder(f.name);
    }
    default:
      return undefined;
  }
}

export function locatedProblems(errors: readonly LocatedError[], doc: Topology | undefined): Problem[] {
  return errors.map((e) => {
    const target = doc ? targetOf(doc, parsePath(e.path)) : undefined;
    return { file: e.file, line: e.line, column: e.column, message: e.message, code: e.code, severity: e.severity, ...(target ? { target } : {}) };
  });
}

/** Every problem of a topology text, located and tied to its canvas object. */
export function problemsOfText(text: string, file: string): Problem[] {
  const r = checkTopologyText(text, file);
  return locatedProblems(r.errors, r.doc);
}

/** canvas id → the first message about it (what to-flow marks). */
export function problemsById(problems: readonly Problem[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of problems) if (p.target && !m.has(p.target)) m.set(p.target, `${p.code}: ${p.message}`);
  return m;
}
