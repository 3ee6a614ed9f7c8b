// The action toolbar over one or many WPARs: every action is shown; those the user's roles
// or the WPARs' states do not allow are disabled, with the reason as their description.
// Relocate (one Active WPAR at a time) opens its own dialog, which follows the task.
import { useState } from 'react';
import type { WparView } from '../../../../src/api/wpar.js';
import { describeError } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { RelocateDialog } from '../mobility/RelocateDialog.js';
import { ActionDialog } from './ActionDialog.js';
import { ACTIONS, runAction, whyNot, whyNotRelocate, type ActionDef, type ActionOptions } from './actions.js';

export function ActionBar({ wpars, label }: { wpars: readonly WparView[]; label: string }) {
  const session = useSession();
  const mayManage = session.can('wpar.manage');
  const [open, setOpen] = useState<ActionDef | null>(null);
  /** The WPAR as it was when Relocate was pressed: the dialog keeps it while the list changes. */
  const [relocating, setRelocating] = useState<WparView | null>(null);
  const relocateReason = mayManage ? whyNotRelocate(wpars) : 'your roles do not allow WPAR actions';
  const [refusals, setRefusals] = useState<string[]>([]);

  const run = async (def: ActionDef, opts: ActionOptions = {}) => {
    setOpen(null);
    try {
      setRefusals(await runAction(def.action, wpars, opts));
    } catch (e) {
      setRefusals([describeError(e)]);
    }
  };

  return (
    <>
      <div role="toolbar" aria-label={label} className="toolbar">
        {ACTIONS.map((def) => {
          const reason = mayManage ? whyNot(def.action, wpars) : 'your roles do not allow WPAR actions';
          return (
            <button
              key={def.action}
              type="button"
              disabled={reason !== null}
              title={reason ?? undefined}
              onClick={() => (def.dialog ? setOpen(def) : void run(def))}
            >
              {def.label}
            </button>
          );
        })}
        <button type="button" disabled={relocateReason !== null} title={relocateReason ?? undefined} onClick={() => setRelocating(wpars[0] ?? null)}>
          Relocate
        </button>
      </div>
      {refusals.length > 0 && (
        <div role="alert" className="form-error">
          <p>The manager refused:</p>
          <ul>{refusals.map((r) => <li key={r}>{r}</li>)}</ul>
        </div>
      )}
      {relocating && <RelocateDialog wpar={relocating} onClose={() => setRelocating(null)} />}
      {open && <ActionDialog def={open} wpars={wpars} onCancel={() => setOpen(null)} onConfirm={(opts) => void run(open, opts)} />}
    </>
  );
}
