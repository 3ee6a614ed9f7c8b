// The tasks started from this console, with live progress, in a labelled region of the page.
import { ENDED_STATUSES } from '../../../src/api/tasks.js';
import { Link } from '../app/router.js';
import { dismissEnded, label, useTrackedTasks } from '../lib/tracked-tasks.js';
import { StateBadge } from './StateBadge.js';

export function TaskTray() {
  const tasks = useTrackedTasks();
  if (tasks.length === 0) return null;
  const anyEnded = tasks.some((t) => ENDED_STATUSES.includes(t.status));
  return (
    <section className="task-tray" aria-label="Your recent tasks">
      <h2 className="tray-title">Your recent tasks</h2>
      <ul className="plain">
        {tasks.map((t) => (
          <li key={t.id} className="tray-item">
            <Link to={`/tasks/${t.id}`}>{label(t)}</Link> <StateBadge state={t.status} />
            <progress max={1} value={t.progress} aria-label={`Progress of ${label(t)}`} />
            {t.error && <div className="field-error">{t.error.code}: {t.error.message}</div>}
          </li>
        ))}
      </ul>
      {anyEnded && <button type="button" className="link-button" onClick={dismissEnded}>Clear ended tasks</button>}
    </section>
  );
}
