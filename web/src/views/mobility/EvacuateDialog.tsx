// Evacuate a system: says first what it does (every WPAR relocated off it live, then nothing
// placed on it until it is restored), then follows the task: its progress WPAR by WPAR, and
// what moved where and what stayed, with the reason.
import type { TaskView } from '../../../../src/api/tasks.js';
import type { WparView } from '../../../../src/api/wpar.js';
import { DataTable } from '../../components/DataTable.js';
import { Dialog } from '../../components/Dialog.js';
import { FormError } from '../../components/Field.js';
import { TaskProgress } from '../../components/TaskProgress.js';
import { track } from '../../lib/tracked-tasks.js';
import { useFollowedTask } from '../../lib/use-followed-task.js';
import { useFormSubmit } from '../../lib/use-form-submit.js';
import { serverErrors } from '../../lib/validation.js';
import { evacuate, evacuationOutcome } from './evacuation.js';

interface Props {
  system: { id: string; name: string };
  /** The WPARs on it now, to name them; null when not known here. */
  wpars: readonly WparView[] | null;
  onClose: () => void;
}

export function EvacuateDialog({ system, wpars, onClose }: Props) {
  const { task, setTask, heading } = useFollowedTask();
  const { errors, setErrors, busy, run } = useFormSubmit();

  const confirm = () => run(null, {}, async () => {
    const t = await evacuate(system);
    track(t);
    setTask(t);
  }, (e) => setErrors({ '': serverErrors(e)[''] ?? 'Refused.' }));

  const on = wpars === null ? '' : wpars.length === 0 ? ' (it has no WPAR now)' : ` (${wpars.map((w) => w.name).join(', ')})`;
  return (
    <Dialog title={`Evacuate ${system.name}`} onClose={onClose} wide>
      {!task ? (
        <>
          <p>
            Every WPAR on {system.name}{on} is relocated live, one at a time, to the best fully compatible system of its group's
            relocation domain with room for it. From the start, nothing is placed on {system.name} until you restore it.
          </p>
          <p>A WPAR that cannot be relocated (not Active, not checkpointable, no eligible system) stays on {system.name}; the result says why.</p>
          <FormError message={errors['']} />
          <div className="buttons">
            <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>Evacuate</button>
            <button type="button" onClick={onClose}>Cancel</button>
          </div>
        </>
      ) : (
        <>
          <h3 ref={heading} tabIndex={-1}>Evacuating {system.name}</h3>
          <TaskProgress task={task} label={`evacuation of ${system.name}`}>
            {(t) => <EvacuationResult task={t} system={system.name} />}
          </TaskProgress>
          <div className="buttons">
            <button type="button" onClick={onClose}>Close</button>
          </div>
        </>
      )}
    </Dialog>
  );
}

/** What moved where and what stayed, as far as the task has gone. */
export function EvacuationResult({ task, system }: { task: TaskView; system: string }) {
  const { moved, left } = evacuationOutcome(task);
  if (moved.length === 0 && left.length === 0) return task.status === 'succeeded' ? <p>{system} held no WPAR.</p> : null;
  return (
    <>
      <h4>Moved</h4>
      <DataTable
        caption={`WPARs moved off ${system}`}
        rows={moved}
        rowKey={(m) => m.wpar}
        empty="None."
        columns={[{ key: 'wpar', header: 'WPAR', cell: (m) => m.wpar }, { key: 'to', header: 'Now on', cell: (m) => m.to }]}
      />
      <h4>Left on {system}</h4>
      <DataTable
        caption={`WPARs left on ${system}`}
        rows={left}
        rowKey={(l) => l.wpar}
        empty="None."
        columns={[{ key: 'wpar', header: 'WPAR', cell: (l) => l.wpar }, { key: 'reason', header: 'Why', cell: (l) => l.reason }]}
      />
    </>
  );
}
