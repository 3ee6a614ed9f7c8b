// Options and confirmation for the actions that need them: where to deploy, what removing
// keeps, and a second look before stopping, ending processes or deleting.
import { useState, type FormEvent } from 'react';
import type { WparView } from '../../../../src/api/wpar.js';
import { Dialog } from '../../components/Dialog.js';
import { Field } from '../../components/Field.js';
import type { ActionDef, ActionOptions } from './actions.js';
import { useChoices } from './choices.js';

interface Props {
  def: ActionDef;
  wpars: readonly WparView[];
  onCancel: () => void;
  onConfirm: (opts: ActionOptions) => void;
}

export function ActionDialog({ def, wpars, onCancel, onConfirm }: Props) {
  const { systems } = useChoices();
  const [system, setSystem] = useState('');
  const [start, setStart] = useState(false);
  const [systemError, setSystemError] = useState<string>();
  const [preserve, setPreserve] = useState(false);
  const [deleteDefinition, setDeleteDefinition] = useState(false);
  const names = wpars.map((w) => w.name).join(', ');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (def.dialog === 'deploy') {
      if (!system) return setSystemError('Choose the system to deploy on.');
      return onConfirm({ deploy: { system, start } });
    }
    if (def.dialog === 'remove') return onConfirm({ remove: { preserveFileSystems: preserve, deleteDefinition } });
    onConfirm({});
  };

  return (
    <Dialog title={`${def.label}: ${names}`} onClose={onCancel}>
      <form onSubmit={submit} noValidate>
        {def.dialog === 'deploy' && (
          <>
            <Field label="Managed system" error={systemError}>
              <select value={system} onChange={(e) => { setSystem(e.target.value); setSystemError(undefined); }}>
                <option value="">Choose a system</option>
                {systems.map((s) => <option key={s.id} value={s.name}>{s.name} ({s.state})</option>)}
              </select>
            </Field>
            {wpars.some((w) => w.type === 'system') && (
              <label className="inline"><input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} /> Start once deployed</label>
            )}
          </>
        )}
        {def.dialog === 'remove' && (
          <>
            <p>Removes the WPAR from its system; it stays in the manager, Undeployed, unless you also delete its definition.</p>
            <label className="inline"><input type="checkbox" checked={preserve} onChange={(e) => setPreserve(e.target.checked)} /> Preserve the file systems</label>
            <label className="inline"><input type="checkbox" checked={deleteDefinition} onChange={(e) => setDeleteDefinition(e.target.checked)} /> Also delete the definition</label>
          </>
        )}
        {def.dialog === 'confirm' && <p>{def.label} {wpars.length === 1 ? 'this WPAR' : `these ${wpars.length} WPARs`}: {names}?</p>}
        <div className="buttons">
          <button type="submit" className="primary">{def.label}</button>
          <button type="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
