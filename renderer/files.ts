/**
 * New, open, save, import and export. Works with or without a backend: without
 * one, files go through a file input and downloads (the browser's own ways).
 * The YAML Document of an opened file is kept so a save keeps its comments.
 */
import type { Document } from 'yaml';
import type { Backend, ExportKind, Result, SavedFile } from '../shared/backend';
import { emptyTopology, Topology as TopologySchema } from '../shared/model/schema';
import type { Topology } from '../shared/model/schema';
import { loadTopology } from '../shared/yaml/load';
import { saveTopology } from '../shared/yaml/save';
import { formatLocatedError, hasErrors } from '../shared/yaml/errors';
import { exportYaml } from '../shared/export/yaml';
import { exportGost } from '../shared/export/gost';
import { browserShellOps } from './backend/browser-files';
import { editorStore, isDirty, markSaved, replaceDocument } from './store/editor-store';
import { uiStore } from './store/ui-store';
import { PNG_SCALE, topologySvg } from './model/svg';
import { layoutGraph } from './model/layout';
import { savable } from './model/live-external';
import { movePositions } from './model/edits';

let yamlDoc: Document | undefined;
/** the text of the file as opened, and the document it gave: problems are located in it until the first edit */
let opened: { text: string; doc: Topology } | undefined;

const shell = (backend: Backend | null) => backend ?? browserShellOps();
const notify = (kind: 'info' | 'error', text: string, detail?: string[]) => uiStore.getState().setNotice({ kind, text, detail });

// The shell exporter (shared/export/shell.ts) may land after this file: glob so the build works either way.
const shellModules = import.meta.glob<{ exportShell?: (t: Topology) => string }>('../shared/export/shell.ts');

/**
 * New and Open replace the document: with unsaved changes, ask first (Save / Don't
 * Save / Cancel, as the desktop asks on close) instead of dropping the work.
 * `proceed` runs at once when there is nothing to lose.
 */
export function unlessUnsaved(action: string, proceed: () => void): void {
  if (!isDirty(editorStore.getState())) return proceed();
  uiStore.setState({ unsaved: { action, proceed } });
}

export function newDocument(): void {
  yamlDoc = undefined;
  opened = undefined;
  replaceDocument(emptyTopology());
  // not the previous document's zoom (a new namespace at 0.21 was an unlabelled rectangle)
  uiStore.getState().requestFit();
  notify('info', 'New document');
}

/** Load topology text (open or import); located errors go to the status bar. */
export function loadText(text: string, name: string, path?: string): boolean {
  const r = loadTopology(text, name);
  if (!r.ok) {
    notify('error', `${name} could not be loaded`, r.errors.map(formatLocatedError));
    return false;
  }
  yamlDoc = r.yamlDoc;
  opened = { text, doc: r.doc };
  replaceDocument(r.doc, { name, path });
  // show the whole opened graph, not the previous document's viewport
  uiStore.getState().requestFit();
  void placeUnplaced(r.doc);
  const warnings = r.errors.filter((e) => !hasErrors([e]));
  notify('info', `Opened ${name}${r.migrated ? ` (migrated from ${r.migrated.from})` : ''}`, warnings.map(formatLocatedError));
  return true;
}

/** above this a file without positions keeps the plain grid (the layout would take seconds) */
const LAYOUT_ON_OPEN_LIMIT = 1500;

/**
 * A file with no saved positions (written by hand, by `discover`, by a script) is
 * laid out with ELK once opened, so nothing overlaps; the positions count as part of
 * the opened document (not an unsaved change).
 */
async function placeUnplaced(doc: Topology): Promise<void> {
  const saved = doc.layout?.positions ?? {};
  if (Object.keys(saved).length || doc.namespaces.length > LAYOUT_ON_OPEN_LIMIT) return;
  uiStore.setState({ layingOut: true });
  const { positions, routes } = await layoutGraph(doc).finally(() => uiStore.setState({ layingOut: false }));
  const s = editorStore.getState();
  if (s.doc !== doc) return; // edited or replaced meanwhile
  uiStore.setState({ routes });
  const laid = movePositions(doc, positions);
  editorStore.setState({ doc: laid, savedDoc: laid });
  if (opened?.doc === doc) opened = { ...opened, doc: laid };
  uiStore.getState().requestFit();
}

/**
 * Open a topology applied on the host (its record keeps the document last
 * applied). The document keeps the topology's name, so planning it again plans
 * that same topology; no path, so Save asks where to write it.
 */
export function openApplied(document: unknown, topology: { name: string; file?: string }): boolean {
  const parsed = TopologySchema.safeParse(document);
  if (!parsed.success) {
    notify(
      'error',
      `The recorded document of topology ${topology.name} could not be read`,
      parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
    );
    return false;
  }
  yamlDoc = undefined;
  opened = undefined;
  const base = topology.file?.split('/').filter(Boolean).at(-1);
  replaceDocument({ ...parsed.data, name: parsed.data.name ?? topology.name }, { name: base ?? `${topology.name}.yaml` });
  uiStore.getState().requestFit();
  notify('info', `Opened applied topology ${topology.name}${topology.file ? ` (applied from ${topology.file})` : ''}`);
  return true;
}

export async function openDocument(backend: Backend | null): Promise<void> {
  const r = await shell(backend).openFile();
  if (!r.ok) return notify('error', r.error.message);
  if (r.value) loadText(r.value.text, r.value.name, r.value.path);
}

export function documentYaml(live: Topology): string {
  // positions of `inode:` objects mean nothing next time (./model/live-external.ts)
  const doc = savable(live);
  if (yamlDoc) {
    try {
      return saveTopology(yamlDoc, doc);
    } catch {
      /* fall back to a clean export */
    }
  }
  return exportYaml(doc);
}

/** The text problems are located in: the file as opened while unchanged, else what Save would write now. */
export function problemText(doc: Topology): string {
  return opened && opened.doc === doc ? opened.text : documentYaml(doc);
}

export async function saveDocument(backend: Backend | null, saveAs = false): Promise<void> {
  const s = editorStore.getState();
  const text = documentYaml(s.doc);
  const r: Result<SavedFile | null> = await shell(backend).saveFile(text, {
    path: saveAs ? undefined : s.filePath,
    suggestedName: s.fileName ?? s.doc.metadata.name ?? 'topology',
  });
  if (!r.ok) return notify('error', r.error.message);
  if (r.value) {
    markSaved(r.value);
    notify('info', `Saved ${r.value.name}`);
  }
}

async function pngOf(svg: string, width: number, height: number): Promise<Uint8Array> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * PNG_SCALE;
  canvas.height = height * PNG_SCALE;
  canvas.getContext('2d')!.drawImage(img, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/png'));
  return new Uint8Array(await blob!.arrayBuffer());
}

export async function exportAs(backend: Backend | null, kind: ExportKind): Promise<void> {
  const doc = editorStore.getState().doc;
  const base = (editorStore.getState().fileName ?? doc.metadata.name ?? 'topology').replace(/\.ya?ml$/, '');
  let data: string | Uint8Array;
  try {
    // one YAML format: Export writes exactly what Save writes (comments and order of an opened file kept)
    if (kind === 'yaml') data = documentYaml(doc);
    else if (kind === 'gost') data = exportGost(doc);
    else if (kind === 'shell') {
      const load = shellModules['../shared/export/shell.ts'];
      const mod = load ? await load() : undefined;
      if (!mod?.exportShell) return notify('error', 'The shell exporter is not available in this build');
      data = mod.exportShell(doc);
    } else {
      const { svg, width, height } = topologySvg(doc);
      data = kind === 'svg' ? svg : await pngOf(svg, width, height);
    }
  } catch (e) {
    return notify('error', `Export failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = await shell(backend).exportFile(data, kind, kind === 'gost' ? `${base}-gost` : base);
  if (!r.ok) return notify('error', r.error.message);
  if (r.value) notify('info', `Exported ${r.value.name}`);
}
