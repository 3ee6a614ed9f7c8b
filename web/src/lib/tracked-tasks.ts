// The tasks this console started and follows live until they end (the task tray): over the
// task's event stream while few are open, else (and when a stream breaks) by polling the task.
// Browsers allow about six HTTP/1.1 connections per host, and each stream holds one: an
// action on many WPARs must not starve the console's other requests.
import { useRef, useSyncExternalStore } from 'react';
import type { TaskView } from '../../../src/api/tasks.js';
import { ENDED_STATUSES } from '../../../src/api/tasks.js';
import { routes } from '../../../src/api/routes/index.js';
import { call } from '../api/client.js';
import { applyTaskEvent, followTask } from '../api/task-stream.js';
import { announce } from './announce.js';
import { announceChange } from './changes.js';

/** Ended tasks stay in the tray this long, so the outcome can be read. */
const KEEP_ENDED = 10;
const REPOLL_MS = 2000;
const MAX_STREAMS = 2;
let streams = 0;

let tasks: TaskView[] = [];
const listeners = new Set<() => void>();

function update(task: TaskView): void {
  tasks = tasks.map((t) => (t.id === task.id ? task : t));
  listeners.forEach((l) => l());
}

function ended(task: TaskView): void {
  update(task);
  announce(`Task ${label(task)} ${task.status}${task.error ? `: ${task.error.code} ${task.error.message}` : ''}`);
  announceChange();
  // Only the newest ended ones stay.
  const done = tasks.filter((t) => ENDED_STATUSES.includes(t.status));
  if (done.length > KEEP_ENDED) {
    const drop = new Set(done.slice(KEEP_ENDED).map((t) => t.id));
    tasks = tasks.filter((t) => !drop.has(t.id));
    listeners.forEach((l) => l());
  }
}

function poll(id: string): void {
  const again = () => setTimeout(() => poll(id), REPOLL_MS);
  call(routes.tasks.get, { params: { id } }).then(
    (t) => (ENDED_STATUSES.includes(t.status) ? ended(t) : (update(t), again())),
    again,
  );
}

export function label(task: TaskView): string {
  return `${task.kind}${task.target ? ` ${task.target.name}` : ''}`;
}

/** Follows a task that was just submitted. */
export function track(task: TaskView): void {
  tasks = [task, ...tasks.filter((t) => t.id !== task.id)];
  listeners.forEach((l) => l());
  announceChange();
  if (streams >= MAX_STREAMS) return poll(task.id);
  streams++;
  let current = task;
  followTask(task.id, {
    onSnapshot: (t) => update((current = t)),
    onEvent: (e) => {
      current = applyTaskEvent(current, e);
      if (e.type !== 'end') return update(current);
      streams--;
      ended(current);
    },
    onError: () => {
      streams--;
      poll(task.id);
    },
  });
}

export function dismissEnded(): void {
  tasks = tasks.filter((t) => !ENDED_STATUSES.includes(t.status));
  listeners.forEach((l) => l());
}

export function useTrackedTasks(): TaskView[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    () => tasks,
  );
}

/**
 * One task this console submitted, as the tray's store has it now (no second stream): the
 * submitted view until the store has news, and the last view seen once the store drops it.
 */
export function useTrackedTask(submitted: TaskView): TaskView {
  const live = useTrackedTasks().find((t) => t.id === submitted.id);
  const last = useRef(submitted);
  if (live) last.current = live;
  else if (last.current.id !== submitted.id) last.current = submitted;
  return last.current;
}
