// Remove a managed system, as the seed's Remove Managed System: a system with WPARs first asks
// what becomes of them, preserved (Undeployed definitions; their copies on the host are left
// alone) or removed with it (a task, followed here WPAR by WPAR). Either way its agent is revoked.
import { useState } from 'react';
import type { SystemView, SystemWparChoice } from '../../../../src/api/systems.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Dialog } from '../../components/Dialog.js';
import { FormError } from '../../components/Field.js';
import { TaskProgress } from '../../components/TaskProgress.js';
import { announce } from '../../lib/announce.js';
import { announceChange } from '../../lib/changes.js';
import { track } from '../../lib/tracked-tasks.js';
import { useFollowedTask } from '../../lib/use-followed-task.js';
import { useFormSubmit } from '../../lib/use-form-submit.js';
import { serverErrors } from '../../lib/validation.js';

interface Props {
  system: SystemView;
  /** Called once the system is removed, or its removal task submitted. */
  onRemoved: () => void;
  onClose: () => void;
}

export function RemoveSystemDialog({ system, onRemoved, onClose }: Props) {
  const hasWpars = system.wparCount > 0;
  const [choice, setChoice] = useState<SystemWparChoice>();
  const { task, setTask, heading } = useFollowedTask();
  const { errors, setErrors, busy, run } = useFormSubmit();

  const confirm = () => run(null, {}, async () => {
    if (hasWpars && !choice) {
      setErrors({ '': 'Choose what becomes of its WPARs.' });
      return;
    }
    const t = await call(routes.systems.remove, { params: { id: system.id }, query: hasWpars ? { wpars: choice } : {} });
    onRemoved();
    if (t) {
      track(t);
      setTask(t);
      return;
    }
    announce(`${system.name} removed${choice === 'preserve' ? '; its WPARs stay as Undeployed definitions' : ''}.`);
    announceChange();
    onClose();
  }, (e) => setErrors({ '': serverErrors(e)[''] ?? 'Refused.' }));

  return (
    <Dialog title={`Remove ${system.name}`} onClose={onClose} wide={hasWpars}>
      {!task ? (
        <>
          <p>
            {system.name} leaves the manager and its agent is revoked: the agent can no longer talk to this manager, though it keeps running on
            the host until stopped there.
          </p>
          {hasWpars && (
            <fieldset>
              <legend>{system.wparCount} WPAR{system.wparCount === 1 ? ' is' : 's are'} on {system.name}: what becomes of them</legend>
              <label className="inline">
                <input type="radio" name="system-wpars" checked={choice === 'preserve'} onChange={() => { setChoice('preserve'); setErrors({}); }} />
                {' '}Preserve them: they stay as Undeployed definitions, to deploy elsewhere; what runs on the host is left alone, unmanaged
              </label>
              <label className="inline">
                <input type="radio" name="system-wpars" checked={choice === 'remove'} onChange={() => { setChoice('remove'); setErrors({}); }} />
                {' '}Remove them all: each is removed from {system.name} and deleted, then the system (it must be online)
              </label>
            </fieldset>
          )}
          <FormError message={errors['']} />
          <div className="buttons">
            <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>Remove</button>
            <button type="button" onClick={onClose}>Cancel</button>
          </div>
        </>
      ) : (
        <>
          <h3 ref={heading} tabIndex={-1}>Removing {system.name} and its WPARs</h3>
          <TaskProgress task={task} label={`removal of ${system.name}`} />
          <div className="buttons">
            <button type="button" onClick={onClose}>Close</button>
          </div>
        </>
      )}
    </Dialog>
  );
}
