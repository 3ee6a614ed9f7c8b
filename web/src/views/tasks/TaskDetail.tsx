// One task's details, live over its event stream: status, progress, and each operation with
// its output and error (the seed's Task Details).
import { useEffect, useState } from 'react';
import { ENDED_STATUSES, type TaskView } from '../../../../src/api/tasks.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, describeError } from '../../api/client.js';
import { applyTaskEvent, followTask } from '../../api/task-stream.js';
import { useSession } from '../../app/session.js';
import { Properties, PropertyList } from '../../components/PropertyList.js';
import { StateBadge } from '../../components/StateBadge.js';
import { formatTime } from '../../lib/format.js';
import { announce } from '../../lib/announce.js';

const REPOLL_MS = 2000;

export default function TaskDetail({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const session = useSession();
  const [task, setTask] = useState<TaskView>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Without the stream (it broke, or a proxy ate it), waiting on the task still follows it.
    const poll = () => {
      call(routes.tasks.wait, { params: { id }, query: { timeout: REPOLL_MS / 1000 } }).then(
        (t) => {
          if (stopped) return;
          setTask(t);
          if (!ENDED_STATUSES.includes(t.status)) poll();
        },
        (e: unknown) => {
          if (stopped) return;
          setError(describeError(e));
          timer = setTimeout(poll, REPOLL_MS);
        },
      );
    };
    const close = followTask(id, {
      onSnapshot: (t) => setTask(t),
      onEvent: (e) => {
        setTask((t) => (t ? applyTaskEvent(t, e) : t));
        if (e.type === 'end') announce(`Task ${e.task.kind} ${e.task.status}`);
      },
      onError: poll,
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
      close();
    };
  }, [id]);

  if (!task) return <><h1>Task</h1>{error ? <p role="alert">{error}</p> : <p role="status">Loading…</p>}</>;
  const running = !ENDED_STATUSES.includes(task.status);
  const cancel = () => call(routes.tasks.cancel, { params: { id: task.id } }).then(setTask, (e: unknown) => setError(describeError(e)));

  return (
    <section aria-labelledby="task-title">
      <h1 id="task-title">Task {task.kind}{task.target ? ` on ${task.target.name}` : ''}</h1>
      <div role="status" aria-live="polite" className="task-status">
        Status: <StateBadge state={task.status} />
        {task.progressMessage ? ` — ${task.progressMessage}` : ''}
      </div>
      <progress max={1} value={task.progress} aria-label="Task progress" className="wide" />
      {error && <p role="alert" className="form-error">{error}</p>}
      {running && session.can('wpar.manage') && <div className="buttons"><button type="button" onClick={() => void cancel()}>Cancel task</button></div>}
      {task.error && <p className="form-error">Error {task.error.code}: {task.error.message}</p>}
      <Properties items={[
        ['Id', task.id],
        ['Target', task.target ? `${task.target.kind} ${task.target.name}` : null],
        ['Submitted by', task.createdBy],
        ['Submitted', formatTime(task.createdAt)],
        ['Started', formatTime(task.startedAt)],
        ['Ended', formatTime(task.endedAt)],
        ['Attempts', String(task.attempts)],
      ]} />
      <h2>Parameters</h2>
      <PropertyList value={task.params} />
      {task.result !== null && task.result !== undefined && <><h2>Result</h2><PropertyList value={task.result} /></>}
      <h2>Operations</h2>
      {task.operations.length === 0 && <p>No operation has started yet.</p>}
      <ol className="operations">
        {task.operations.map((o) => (
          <li key={o.seq}>
            <h3>{o.seq}. {o.name} <StateBadge state={o.status} /></h3>
            <p className="muted">{formatTime(o.startedAt)} – {formatTime(o.endedAt)}</p>
            {o.error && <p className="form-error">{o.error.code}: {o.error.message}</p>}
            <pre className="output" tabIndex={0} aria-label={`Output of ${o.name}`}>{o.output || '(no output)'}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}
