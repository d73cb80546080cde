/** "Save changes first?" before New or Open replaces a document with unsaved changes. */
import { useBackend } from '../backend-context';
import { saveDocument } from '../files';
import { editorStore, isDirty, useEditor } from '../store/editor-store';
import { uiStore, useUi } from '../store/ui-store';

export function UnsavedDialog() {
  const backend = useBackend();
  const pending = useUi((s) => s.unsaved);
  const name = useEditor((s) => s.fileName ?? s.doc.metadata.name ?? 'untitled');
  if (!pending) return null;
  const close = () => uiStore.setState({ unsaved: undefined });
  // proceed runs inside the click: the browser lets a file picker open only from a user's gesture
  const discard = () => {
    close();
    pending.proceed();
  };
  const save = async () => {
    close();
    await saveDocument(backend);
    if (!isDirty(editorStore.getState())) pending.proceed();
  };
  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && close()}>
      <div className="modal unsaved" role="alertdialog" aria-modal="true" aria-label="unsaved changes" data-testid="unsaved-dialog">
        <h2>Save changes to {name}?</h2>
        <p>{pending.action} replaces the document; your changes are lost unless you save them.</p>
        <div className="modal-foot">
          <button type="button" data-testid="unsaved-cancel" onClick={close}>
            Cancel
          </button>
          <button type="button" data-testid="unsaved-discard" onClick={discard}>
            Don't Save
          </button>
          <button type="button" className="primary" data-testid="unsaved-save" onClick={() => void save()} autoFocus>
            Save
          </button>
        </div>
      </div>
    </div>
  );
}
