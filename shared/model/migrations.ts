/**
 * Named, append-only migrations of the topology file format. An old file is
 * upgraded step by step (each migration knows the version it reads and the one it
 * writes) until it reaches API_VERSION, so files written by any earlier release
 * keep opening. Never edit a published migration: add a new one.
 *
 * Migrations work on the YAML Document, not on plain data, so that renamed keys
 * keep their place in the text (errors still point at the right line) and a
 * load → edit → save round trip of an old file keeps its comments.
 *
 * When a new version is due: a change that renames, removes or changes the
 * meaning of a field gets a new apiVersion and a migration here. A new optional
 * field that changes nothing for files without it (policy `rules` and `tables`,
 * `nat`, `external`, `nodad`, `acceptForward`) stays in the version, because
 *  - every file of the version still loads unchanged: a migration would be the
 *    identity, and there is nothing for it to lift;
 *  - the saver writes API_VERSION into every file it saves, so a bump would make
 *    a release from before it refuse every file saved after it, policy routing or
 *    not, where now it refuses only a file that uses the new field, naming the
 *    field at its line (an unknown key is an error: the schema is strict);
 *  - a file without the new field never names it, not even empty
 *    (../yaml/defaults.ts `saysNothing`), so such files stay readable by the
 *    older release. Tests: ./migrations.test.ts.
 */
import { Document, isMap, isScalar, isSeq, YAMLMap, YAMLSeq } from 'yaml';
import { API_VERSION } from './schema';

export interface Migration {
  /** Stable name, for logs and tests. */
  name: string;
  from: string;
  to: string;
  /** Rewrites the document in place. The loader sets `apiVersion` to `to` afterwards. */
  migrate(doc: Document): void;
}

/** Renames a key of a YAML map in place (keeps its comments and source position). */
function renameKey(map: unknown, from: string, to: string): void {
  if (!isMap(map)) return;
  const pair = map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === from);
  if (!pair || map.has(to)) return;
  if (isScalar(pair.key)) pair.key.value = to;
  else pair.key = to;
}

function eachItem(seq: unknown, fn: (item: unknown) => void): void {
  if (isSeq(seq)) for (const item of seq.items) fn(item);
}

/**
 * netns-studio/v0alpha1 (the prototype's format) named things differently:
 * top-level `netns:` for `namespaces:`, `ns`/`ifname` for `namespace`/`name`,
 * and a veth as two keys `a:` and `b:` instead of the `ends:` pair.
 */
const v0alpha1ToV1: Migration = {
  name: 'v0alpha1-to-v1: netns→namespaces, ns→namespace, ifname→name, veth a/b→ends',
  from: 'netns-studio/v0alpha1',
  to: 'netns-studio/v1',
  migrate(doc) {
    const root = doc.contents;
    if (!isMap(root)) return;
    renameKey(root, 'netns', 'namespaces');
    const renameEnd = (end: unknown) => {
      renameKey(end, 'ns', 'namespace');
      renameKey(end, 'ifname', 'name');
    };
    eachItem(root.get('bridges', true), renameEnd);
    eachItem(root.get('veths', true), (veth) => {
      if (!isMap(veth)) return;
      const a = veth.get('a', true);
      const b = veth.get('b', true);
      if (a !== undefined && b !== undefined && !veth.has('ends')) {
        const ends = new YAMLSeq();
        ends.items.push(a, b);
        // Put `ends` where `a` was, so the text keeps its order.
        const idx = veth.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === 'a');
        veth.delete('a');
        veth.delete('b');
        const pair = doc.createPair('ends', ends);
        veth.items.splice(Math.max(0, idx), 0, pair);
      }
      eachItem(veth.get('ends', true), renameEnd);
    });
    eachItem(root.get('forwarders', true), (fw) => {
      if (!isMap(fw)) return;
      renameEnd(fw.get('listen', true));
      renameEnd(fw.get('target', true));
    });
  },
};

/** Every migration ever published, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [v0alpha1ToV1];

export const KNOWN_VERSIONS: readonly string[] = [...MIGRATIONS.map((m) => m.from), API_VERSION];

export type MigrationResult =
  { ok: true; from: string; applied: string[] } | { ok: false; code: 'unknown-api-version' | 'missing-api-version'; message: string };

/** Upgrades `doc` in place to API_VERSION. */
export function migrateDocument(doc: Document, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  const root = doc.contents;
  const raw = isMap(root) ? root.get('apiVersion') : undefined;
  if (raw === undefined || raw === null) {
    return { ok: false, code: 'missing-api-version', message: `missing apiVersion: a topology file starts with \`apiVersion: ${API_VERSION}\`` };
  }
  const from = String(raw);
  const applied: string[] = [];
  let version = from;
  const seen = new Set<string>();
  while (version !== API_VERSION) {
    const m = migrations.find((x) => x.from === version);
    if (!m || seen.has(version)) {
      const known = [...migrations.map((x) => x.from), API_VERSION].join(', ');
      return { ok: false, code: 'unknown-api-version', message: `unsupported apiVersion ${JSON.stringify(from)}: this version reads ${known}` };
    }
    seen.add(version);
    m.migrate(doc);
    (doc.contents as YAMLMap).set('apiVersion', m.to);
    applied.push(m.name);
    version = m.to;
  }
  return { ok: true, from, applied };
}
