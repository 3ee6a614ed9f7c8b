// Follows one task live over the manager's Server-Sent Events: the snapshot, then each event
// until the end. The stream closes itself after "end"; callers close it when they unmount.
import type { TaskEvent, TaskView } from '../../../src/api/tasks.js';
import { routes } from '../../../src/api/routes/index.js';
import { routeUrl } from './client.js';

export interface TaskFollower {
  onSnapshot(task: TaskView): void;
  onEvent(event: TaskEvent): void;
  /** The stream failed before the end (the task may still run: poll it). */
  onError?(): void;
}

const EVENT_TYPES = ['status', 'operation', 'output', 'progress', 'end'] as const;

export function followTask(id: string, f: TaskFollower): () => void {
  const source = new EventSource(routeUrl(routes.tasks.events, { params: { id } }), { withCredentials: true });
  let ended = false;
  source.addEventListener('snapshot', (m) => f.onSnapshot(JSON.parse((m as MessageEvent<string>).data) as TaskView));
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (m) => {
      const event = JSON.parse((m as MessageEvent<string>).data) as TaskEvent;
      if (event.type === 'end') {
        ended = true;
        source.close();
      }
      f.onEvent(event);
    });
  }
  // EventSource would reconnect forever; a task stream that broke is handed to the caller.
  source.onerror = () => {
    source.close();
    if (!ended) f.onError?.();
  };
  return () => source.close();
}

/** Applies one event to a task view (the manager's stream sends each change once). */
export function applyTaskEvent(task: TaskView, e: TaskEvent): TaskView {
  switch (e.type) {
    case 'status':
      return { ...task, status: e.status, attempts: e.attempt };
    case 'progress':
      return { ...task, progress: e.progress, progressMessage: e.message };
    case 'operation': {
      const others = task.operations.filter((o) => o.seq !== e.operation.seq);
      return { ...task, operations: [...others, e.operation].sort((a, b) => a.seq - b.seq) };
    }
    case 'output':
      return {
        ...task,
        // The manager stores each line with its newline; the event carries it without.
        operations: task.operations.map((o) => (o.seq === e.seq ? { ...o, output: `${o.output}${e.line}\n` } : o)),
      };
    case 'end':
      return e.task;
  }
}
