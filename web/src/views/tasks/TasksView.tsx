// Task management: every task, newest first, live; filter by status; page back in time.
import { useState } from 'react';
import { TASK_STATUSES, type TaskStatus } from '../../../../src/api/tasks.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Field } from '../../components/Field.js';
import { LoadError } from '../../components/LoadError.js';
import { usePoll } from '../../lib/usePoll.js';
import { TaskTable } from './TaskTable.js';

const PAGE = 50;

export default function TasksView() {
  const [status, setStatus] = useState<TaskStatus | ''>('');
  /** The last task of each earlier page, to come back. */
  const [cursors, setCursors] = useState<string[]>([]);
  const before = cursors[cursors.length - 1];
  const list = usePoll(() => call(routes.tasks.list, { query: { status: status || undefined, limit: PAGE, before } }), [status, before]);
  const items = list.data?.items ?? [];

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      <Field label="Status">
        <select value={status} onChange={(e) => { setStatus(e.target.value as TaskStatus | ''); setCursors([]); }}>
          <option value="">Any</option>
          {TASK_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </Field>
      <LoadError error={list.error} />
      <TaskTable tasks={items} caption="Tasks, newest first" />
      <div className="buttons">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <button type="button" disabled={items.length < PAGE} onClick={() => setCursors([...cursors, items[items.length - 1]!.id])}>Older</button>
      </div>
    </section>
  );
}
