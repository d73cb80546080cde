/**
 * The application menu. Items do nothing themselves: each sends a command to the
 * renderer over the typed event channel (the renderer owns the document, its undo
 * stack and the canvas). Text editing roles stay native so inputs keep cut/copy/paste.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { basename } from 'node:path';
import type { MenuCommand, MenuCommandName } from '../shared/backend';

export interface MenuDeps {
  send(cmd: MenuCommand): void;
  recent: string[];
  openRecent(path: string): void;
  clearRecent(): void;
  dev?: boolean;
}

export function menuTemplate(deps: MenuDeps): MenuItemConstructorOptions[] {
  const cmd = (label: string, command: MenuCommandName, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    // registerAccelerator false: the renderer handles its own shortcuts (so they work in the browser too)
    registerAccelerator: false,
    click: () => deps.send({ command }),
  });
  const recent: MenuItemConstructorOptions[] = deps.recent.length
    ? [
        ...deps.recent.map((p) => ({ label: basename(p), sublabel: p, click: () => deps.openRecent(p) })),
        { type: 'separator' as const },
        { label: 'Clear Recent', click: () => deps.clearRecent() },
      ]
    : [{ label: 'No recent files', enabled: false }];

  return [
    {
      label: '&File',
      submenu: [
        cmd('New', 'new', 'CmdOrCtrl+N'),
        cmd('Open…', 'open', 'CmdOrCtrl+O'),
        { label: 'Open Recent', submenu: recent },
        { type: 'separator' },
        cmd('Save', 'save', 'CmdOrCtrl+S'),
        cmd('Save As…', 'save-as', 'CmdOrCtrl+Shift+S'),
        { type: 'separator' },
        {
          label: 'Export',
          submenu: [
            cmd('Topology YAML…', 'export-yaml'),
            cmd('Shell Script…', 'export-shell'),
            cmd('GOST YAML…', 'export-gost'),
            cmd('SVG Image…', 'export-svg'),
            cmd('PNG Image…', 'export-png'),
          ],
        },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        cmd('Undo', 'undo', 'CmdOrCtrl+Z'),
        cmd('Redo', 'redo', 'CmdOrCtrl+Shift+Z'),
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        cmd('Delete', 'delete', 'Delete'),
        cmd('Select All', 'select-all', 'CmdOrCtrl+A'),
      ],
    },
    {
      label: '&View',
      submenu: [
        cmd('Fit to Window', 'fit', 'Shift+1'),
        cmd('Auto-layout', 'auto-layout', 'CmdOrCtrl+L'),
        cmd('Live View On/Off', 'toggle-live', 'CmdOrCtrl+Shift+L'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
        ...(deps.dev ? [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }, { role: 'reload' as const }] : []),
      ],
    },
    { label: '&Help', submenu: [cmd('About Netns Studio', 'about')] },
  ];
}
