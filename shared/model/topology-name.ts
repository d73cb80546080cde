/**
 * A topology's identity on a host. Ownership, journal and history are kept per
 * topology under this name (helper/ownership/topologies.ts), so two files applied
 * on one machine never touch each other's objects. The name comes from the
 * document's top-level `name`; a file without one is named after its base name
 * (`lab-a.yaml` → `lab-a`), and the plan says so. A document with neither (the
 * app's unsaved one) goes by its title (`metadata.name`), else `untitled`. It becomes a directory name
 * under the state dir: the same safe characters as every other name.
 */
import type { Topology } from './schema';

export const TOPOLOGY_NAME_MAX = 64;
export const TOPOLOGY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** used when neither the document nor a file gives a name (an unsaved document in the app) */
export const DEFAULT_TOPOLOGY_NAME = 'untitled';

export interface TopologyIdentity {
  name: string;
  /** where the name came from: the document's `name`, the file's base name, its title, or none of them */
  from: 'document' | 'file' | 'metadata' | 'default';
  /** the file the document was read from, as the caller gave it */
  file?: string;
}

export function checkTopologyName(name: string): string | null {
  if (TOPOLOGY_NAME.test(name) && name !== '.' && name !== '..') return null;
  return `topology name ${JSON.stringify(name)} must be 1-${TOPOLOGY_NAME_MAX} letters, digits, "_", "." or "-", starting with a letter or digit (it names a directory under the state dir)`;
}

/** `lab a` → `lab-a`: unsafe characters replaced, a safe start, at most the length allowed. */
export function safeTopologyName(text: string): string | undefined {
  const safe = text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, TOPOLOGY_NAME_MAX);
  return safe && checkTopologyName(safe) === null ? safe : undefined;
}

/** `/x/lab a.yaml` → `lab-a`: the base name without its extension, unsafe characters replaced. */
export function nameFromFile(file: string): string | undefined {
  const base = file.split('/').filter(Boolean).at(-1) ?? '';
  return safeTopologyName(base.replace(/\.(ya?ml|json)$/i, ''));
}

export function topologyIdentity(doc: Pick<Topology, 'name'> & { metadata?: { name?: string } }, file?: string): TopologyIdentity {
  const f = file && file !== '-' ? file : undefined;
  const withFile = f ? { file: f } : {};
  if (doc.name !== undefined) return { name: doc.name, from: 'document', ...withFile };
  const fromFile = f ? nameFromFile(f) : undefined;
  if (fromFile) return { name: fromFile, from: 'file', file: f };
  const fromTitle = doc.metadata?.name ? safeTopologyName(doc.metadata.name) : undefined;
  if (fromTitle) return { name: fromTitle, from: 'metadata', ...withFile };
  return { name: DEFAULT_TOPOLOGY_NAME, from: 'default', ...withFile };
}

/** The plan's note when the name was not written in the document. */
export function identityNote(id: TopologyIdentity): string | undefined {
  if (id.from === 'file')
    return `this document has no top-level name: it is topology "${id.name}", after its file ${id.file} (add \`name: ${id.name}\` to keep that identity if the file is renamed)`;
  if (id.from === 'metadata')
    return `this document has no top-level name and no file: it is topology "${id.name}", after its title (add \`name: ${id.name}\` to keep that identity)`;
  if (id.from === 'default') return `this document has no top-level name and no file: it is topology "${id.name}" (add \`name:\` to give it its own)`;
  return undefined;
}
