/**
 * Files in the browser mode: open = a file input, save/export = a download. The
 * page never learns paths, and the server never touches the user's files.
 */
import { BACKEND_ERROR, EXPORT_FORMATS } from '../../shared/backend';
import type { DocumentState, ExportKind, OpenedFile, Result, SavedFile } from '../../shared/backend';
import type { ShellOps } from './rpc-backend';

const OPEN_ACCEPT = '.yaml,.yml,.json,application/yaml,application/json,text/yaml';

/** `my topology` + `yaml` → `my-topology.yaml` (no path separators, nothing hidden). */
export function fileNameFor(suggested: string | undefined, extension: string): string {
  const base =
    (suggested ?? 'topology')
      .replace(/\.[A-Za-z0-9]{1,5}$/, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[.-]+/, '') || 'topology';
  return `${base}.${extension}`;
}

function download(data: string | Uint8Array, name: string, mime: string): void {
  const blob = new Blob([data as BlobPart], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the click starts the download synchronously; free the blob a little later
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function pickFile(): Promise<Result<OpenedFile | null>> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = OPEN_ACCEPT;
    input.style.display = 'none';
    input.setAttribute('data-testid', 'backend-file-input');
    const done = (r: Result<OpenedFile | null>) => {
      input.remove();
      resolve(r);
    };
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (!file) return done({ ok: true, value: null });
      file.text().then(
        (text) => done({ ok: true, value: { name: file.name, text } }),
        (e: unknown) => done({ ok: false, error: { code: BACKEND_ERROR.file, message: `cannot read ${file.name}: ${String(e)}` } }),
      );
    });
    input.addEventListener('cancel', () => done({ ok: true, value: null }));
    document.body.appendChild(input);
    input.click();
  });
}

let beforeUnload: ((e: BeforeUnloadEvent) => void) | undefined;

export function browserShellOps(): ShellOps {
  return {
    openFile: async (path) =>
      path === undefined ? pickFile() : { ok: false, error: { code: BACKEND_ERROR.unsupported, message: 'the browser cannot open files by path' } },
    async saveFile(text, opts = {}): Promise<Result<SavedFile | null>> {
      const name = fileNameFor(opts.suggestedName ?? opts.path?.split('/').pop(), 'yaml');
      download(text, name, EXPORT_FORMATS.yaml.mime);
      return { ok: true, value: { name } };
    },
    async exportFile(data, kind: ExportKind, suggestedName): Promise<Result<SavedFile | null>> {
      const f = EXPORT_FORMATS[kind];
      const name = fileNameFor(kind === 'gost' && !suggestedName ? 'gost' : suggestedName, f.extension);
      download(data, name, f.mime);
      return { ok: true, value: { name } };
    },
    setDocumentState(state: DocumentState) {
      document.title = `${state.dirty ? '• ' : ''}${state.title} — Netns Studio`;
      // The browser's own "leave site?" prompt stands in for the desktop's unsaved-changes dialog.
      if (state.dirty && !beforeUnload) {
        beforeUnload = (e) => e.preventDefault();
        window.addEventListener('beforeunload', beforeUnload);
      } else if (!state.dirty && beforeUnload) {
        window.removeEventListener('beforeunload', beforeUnload);
        beforeUnload = undefined;
      }
    },
    closeWindow() {
      /* a tab closes itself only when the user says so */
    },
    // a web page cannot start a desktop program: the pcap download is the way to Wireshark
    canOpenInWireshark: async () => false,
    openInWireshark: async () => ({
      ok: false,
      error: { code: 'unsupported', message: 'Open in Wireshark is a desktop app feature; download the pcap instead' },
    }),
  };
}
