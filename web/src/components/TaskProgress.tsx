// A submitted task's live progress where it was started (a dialog): its status and progress
// message, each operation with its state, the error with its stable code, and whatever the
// caller makes of the task as it goes (e.g. where a relocated WPAR runs now). It reads the
// task tray's store, which already follows the task: no second event stream is opened.
import type { ReactNode } from 'react';
import type { TaskView } from '../../../src/api/tasks.js';
import { Link } from '../app/router.js';
import { useTrackedTask } from '../lib/tracked-tasks.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  /** The task as the manager answered when it was submitted. */
  task: TaskView;
  /** Names the progress bar and the list of steps, e.g. "Relocation of web1". */
  label: string;
  children?: (task: TaskView) => ReactNode;
}

export function TaskProgress({ task: submitted, label, children }: Props) {
  const task = useTrackedTask(submitted);
  return (
    <div className="task-progress">
      <div role="status" className="task-status">
        Status: <StateBadge state={task.status} />
        {task.progressMessage ? ` — ${task.progressMessage}` : ''}
      </div>
      <progress max={1} value={task.progress} aria-label={`Progress: ${label}`} className="wide" />
      {task.operations.length > 0 && (
        <ol className="plain steps-done" aria-label={`Steps: ${label}`}>
          {task.operations.map((o) => (
            <li key={o.seq}>
              {o.name} <StateBadge state={o.status} />
              {o.error && <span className="field-error"> {o.error.code}: {o.error.message}</span>}
            </li>
          ))}
        </ol>
      )}
      {task.error && <p className="form-error">{task.error.code}: {task.error.message}</p>}
      {children?.(task)}
      <p><Link to={`/tasks/${task.id}`}>Task details</Link></p>
    </div>
  );
}
