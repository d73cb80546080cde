/** Drag an item onto the canvas (HTML5 drag and drop) or click it to add it in view. */
import type { DragEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import { PALETTE_KINDS, PALETTE_MIME, dropPaletteItem } from './palette-actions';
import type { PaletteKind } from './palette-actions';

const LABELS: Record<PaletteKind, { icon: string; label: string; hint: string }> = {
  namespace: { icon: '◫', label: 'Namespace', hint: 'a network namespace' },
  bridge: { icon: '⇌', label: 'Bridge', hint: 'drop on a namespace to put it there' },
  veth: { icon: '⟷', label: 'Veth pair', hint: 'drop on a namespace: one end there, one in host' },
  forwarder: { icon: '↪', label: 'Forwarder', hint: 'GOST port forward between namespaces' },
};

export function Palette() {
  const rf = useReactFlow();
  const onDragStart = (kind: PaletteKind) => (e: DragEvent) => {
    e.dataTransfer.setData(PALETTE_MIME, kind);
    e.dataTransfer.effectAllowed = 'copy';
  };
  const addInView = (kind: PaletteKind) => {
    const el = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const c = el ? rf.screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 }) : { x: 0, y: 0 };
    dropPaletteItem(kind, c);
  };
  return (
    <nav className="palette" aria-label="palette">
      <div className="panel-title">Add</div>
      {PALETTE_KINDS.map((k) => (
        <button
          key={k}
          type="button"
          className="palette-item"
          draggable
          onDragStart={onDragStart(k)}
          onClick={() => addInView(k)}
          data-testid={`palette-${k}`}
          aria-label={`add ${LABELS[k].label}`}
          title={LABELS[k].hint}
        >
          <span className="palette-icon">{LABELS[k].icon}</span>
          {LABELS[k].label}
        </button>
      ))}
      <div className="palette-hint" data-testid="palette-hint">
        Hover a namespace or bridge: drag its <b>+</b> (or a port's dot) onto another namespace or bridge to draw a veth.
      </div>
    </nav>
  );
}
