/**
 * Files in the desktop app: native open/save dialogs, recent files. The renderer
 * never names an arbitrary path: main writes only to files the person picked in a
 * dialog, opened, or has in the recent list, and reads only those too.
 */
import type { BrowserWindow, Dialog } from 'electron';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BACKEND_ERROR, EXPORT_FORMATS } from '../shared/backend';
import type { ExportKind, OpenedFile, Result, SavedFile } from '../shared/backend';

/** Topology files are small; refuse anything that is not. */
export const MAX_OPEN_BYTES = 32 * 1024 * 1024;
export const MAX_RECENT = 10;

const TOPOLOGY_FILTERS = [
  { name: 'Topology', extensions: ['yaml', 'yml', 'json'] },
  { name: 'All files', extensions: ['*'] },
];

export interface FileOpsDeps {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;
  window: () => BrowserWindow | undefined;
  /** the recent list, most recent first (persisted by the caller) */
  recent: () => string[];
  onRecent: (paths: string[]) => void;
  defaultDir: () => string;
}

const fileError = <T>(message: string): Result<T> => ({ ok: false, error: { code: BACKEND_ERROR.file, message } });

export function createFileOps(deps: FileOpsDeps) {
  /** paths the person chose this session (dialogs); recent ones count too */
  const chosen = new Set<string>();
  const allowed = (p: string) => chosen.has(p) || deps.recent().includes(p);

  function remember(path: string) {
    chosen.add(path);
    deps.onRecent([path, ...deps.recent().filter((p) => p !== path)].slice(0, MAX_RECENT));
  }

  async function read(path: string): Promise<Result<OpenedFile>> {
    try {
      const buf = await readFile(path);
      if (buf.length > MAX_OPEN_BYTES) return fileError(`${basename(path)} is larger than ${MAX_OPEN_BYTES >> 20} MB`);
      remember(path);
      return { ok: true, value: { name: basename(path), path, text: buf.toString('utf8') } };
    } catch (e) {
      return fileError(`cannot read ${path}: ${(e as Error).message}`);
    }
  }

  async function write(path: string, data: string | Uint8Array): Promise<Result<SavedFile>> {
    try {
      await writeFile(path, data);
      return { ok: true, value: { name: basename(path), path } };
    } catch (e) {
      return fileError(`cannot write ${path}: ${(e as Error).message}`);
    }
  }

  async function askSavePath(suggested: string, filters: { name: string; extensions: string[] }[]): Promise<string | undefined> {
    const win = deps.window();
    const opts = {
      defaultPath: suggested.includes('/') ? suggested : `${deps.defaultDir()}/${suggested}`,
      filters,
      properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[],
    };
    const r = win ? await deps.dialog.showSaveDialog(win, opts) : await deps.dialog.showSaveDialog(opts);
    return r.canceled || !r.filePath ? undefined : r.filePath;
  }

  return {
    async openFile(p: { path?: string }): Promise<Result<OpenedFile | null>> {
      if (p.path !== undefined) {
        if (!allowed(p.path)) return fileError('that file was not chosen in a dialog or the recent list');
        return read(p.path);
      }
      const win = deps.window();
      const opts = { defaultPath: deps.defaultDir(), filters: TOPOLOGY_FILTERS, properties: ['openFile'] as 'openFile'[] };
      const r = win ? await deps.dialog.showOpenDialog(win, opts) : await deps.dialog.showOpenDialog(opts);
      if (r.canceled || !r.filePaths[0]) return { ok: true, value: null };
      return read(r.filePaths[0]);
    },

    async saveFile(p: { text: string; path?: string; suggestedName?: string }): Promise<Result<SavedFile | null>> {
      let path = p.path;
      if (path !== undefined && !allowed(path)) path = undefined; // not one of ours: ask instead
      path ??= await askSavePath(p.suggestedName ?? 'topology.yaml', TOPOLOGY_FILTERS);
      if (!path) return { ok: true, value: null };
      const r = await write(path, p.text);
      if (r.ok) remember(path);
      return r;
    },

    async exportFile(p: { data: string | Uint8Array; kind: ExportKind; suggestedName?: string }): Promise<Result<SavedFile | null>> {
      const f = EXPORT_FORMATS[p.kind];
      const suggested = p.suggestedName ?? `${p.kind === 'gost' ? 'gost' : 'topology'}.${f.extension}`;
      const path = await askSavePath(suggested, [{ name: f.label, extensions: [f.extension] }]);
      if (!path) return { ok: true, value: null };
      const r = await write(path, p.data);
      // shell scripts are meant to be run
      if (r.ok && p.kind === 'shell') await import('node:fs/promises').then((fs) => fs.chmod(path, 0o755)).catch(() => {});
      return r;
    },

    /** File › Open Recent */
    readRecent: read,
  };
}
