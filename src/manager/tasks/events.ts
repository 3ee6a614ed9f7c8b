// Live task events for subscribers (the events stream, wait): in memory, in the order the
// engine emits them, which is after each change is committed.
import type { Logger } from 'pino';
import type { TaskEvent } from '../../api/tasks.js';

type TaskListener = (e: TaskEvent) => void;

export class TaskEvents {
  private readonly listeners = new Map<string, Set<TaskListener>>();

  constructor(private readonly log: Logger) {}

  subscribe(taskId: string, listener: TaskListener): () => void {
    let set = this.listeners.get(taskId);
    if (!set) {
      set = new Set();
      this.listeners.set(taskId, set);
    }
    set.add(listener);
    return () => {
      const s = this.listeners.get(taskId);
      s?.delete(listener);
      if (s?.size === 0) this.listeners.delete(taskId);
    };
  }

  emit(e: TaskEvent): void {
    const set = this.listeners.get(e.taskId);
    if (!set) return;
    // A copy: listeners may unsubscribe while being called.
    for (const listener of [...set]) {
      try {
        listener(e);
      } catch (err) {
        // One broken subscriber must not stop the task or the other subscribers.
        this.log.error({ err, taskId: e.taskId }, 'task event listener failed');
      }
    }
    // Nothing follows an end: forget the task's subscribers.
    if (e.type === 'end') this.listeners.delete(e.taskId);
  }
}
