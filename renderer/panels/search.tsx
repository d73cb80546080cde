/** Ctrl+F: find namespaces, interfaces and addresses; matches are selected and brought into view. */
import { useEffect, useRef, useState } from 'react';
import { searchIds } from '../commands';
import { uiStore, useUi } from '../store/ui-store';

export function SearchBox() {
  const open = useUi((s) => s.searchOpen);
  const [q, setQ] = useState('');
  const [count, setCount] = useState<number | undefined>();
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (open) ref.current?.focus();
  }, [open]);
  if (!open) return null;
  const run = (text: string) => {
    const ids = searchIds(text);
    setCount(text ? ids.length : undefined);
    uiStore.getState().setSelection(ids);
    if (ids.length) uiStore.getState().requestFit(ids);
  };
  return (
    <div className="search" role="search">
      <input
        ref={ref}
        data-testid="search-input"
        aria-label="search by name or address"
        placeholder="name or address"
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          run(e.target.value);
        }}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') uiStore.setState({ searchOpen: false });
          if (e.key === 'Enter') run(q);
        }}
      />
      <span className="muted" data-testid="search-count">
        {count === undefined ? '' : `${count} found`}
      </span>
      <button type="button" aria-label="close search" data-testid="search-close" onClick={() => uiStore.setState({ searchOpen: false })}>
        ✕
      </button>
    </div>
  );
}
