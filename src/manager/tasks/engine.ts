// The task engine: long or state-changing actions run as durable tasks (the seed's tasks
// and operations). A task is stored before anyone hears of it, runs in the background
// with a bounded number of others, and ends succeeded, failed or cancelled. A manager that
// dies leaves its tasks queued or running in the database; at the next start recover()
// runs each again or fails it with the reason, as its kind says, so none is silently lost.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { CapstanError } from '../../api/errors.js';
import type { TaskParamsByKind } from '../../api/task-kinds.js';
import type { TaskError, TaskEvent, TaskView } from '../../api/tasks.js';
import type { Database, TaskRow } from '../db/schema.js';
import { TaskEvents } from './events.js';
import { taskErrorOf } from './failure.js';
import { followTask, type TaskFollow } from './follow.js';
import { RunContext } from './run-context.js';
import { isEnded, targetOf, TaskStore, type TaskFilter, type TaskOutcome } from './store.js';
import type { TaskKind, TaskTarget } from './types.js';

export type { OperationHandle, TaskContext, TaskKind, TaskTarget } from './types.js';
export type { TaskFilter } from './store.js';
export type { TaskFollow } from './follow.js';

export interface TaskEngineOptions {
  /** Tasks running at once; more wait queued. */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 8;

/** A task this process has taken from the queue: from before it starts until its end is recorded. */
interface Active {
  controller: AbortController;
  /** Set by cancel(): a run that then throws ends cancelled rather than failed. */
  cancelled?: CapstanError;
  done?: Promise<void>;
  /** Once it runs: its operations' output not yet persisted. */
  run?: RunContext<never>;
}

type KindOf<R> = keyof R & string;

/** `R`: the task kinds it runs and their parameters (the manager's registry, src/api/task-kinds.ts). */
export class TaskEngine<R extends object = TaskParamsByKind> {
  private readonly kinds = new Map<string, TaskKind<never>>();
  private readonly store: TaskStore;
  private readonly events: TaskEvents;
  private readonly concurrency: number;
  /** Ids waiting for a free slot, oldest first. */
  private queue: string[] = [];
  private readonly active = new Map<string, Active>();
  private stopping = false;

  constructor(readonly db: Kysely<Database>, readonly log: Logger, opts: TaskEngineOptions = {}) {
    this.store = new TaskStore(db);
    this.events = new TaskEvents(log);
    this.concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  }

  register<K extends KindOf<R>>(kind: TaskKind<R[K]> & { kind: K }): void {
    if (this.kinds.has(kind.kind)) throw new Error(`task kind ${kind.kind} is registered twice`);
    this.kinds.set(kind.kind, kind as TaskKind<never>);
  }

  /** Stores the task (queued) before returning its view; it then runs in the background. */
  async submit<K extends KindOf<R>>(kind: K, params: R[K], opts: { target?: TaskTarget; createdBy?: string } = {}): Promise<TaskView> {
    if (this.stopping) throw new CapstanError('CAP-E0405');
    if (!this.kinds.has(kind)) throw new CapstanError('CAP-E0402', kind);
    const view = await this.store.insert({ id: randomUUID(), kind, params, target: opts.target ?? null, createdBy: opts.createdBy ?? null });
    this.log.debug({ taskId: view.id, kind, target: view.target, createdBy: view.createdBy }, 'task queued');
    this.enqueue(view.id);
    return view;
  }

  /** CAP-E0002 if there is no such task. */
  get(id: string): Promise<TaskView> {
    return this.store.view(id);
  }

  /** Newest first. */
  list(filter: TaskFilter = {}): Promise<TaskView[]> {
    return this.store.list(filter);
  }

  /** Resolves with the task's view once it has ended, or at the timeout with its view then. */
  async wait(id: string, timeoutMs?: number): Promise<TaskView> {
    let unsubscribe = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<TaskView | undefined>((resolve) => {
      unsubscribe = this.subscribe(id, (e) => {
        if (e.type === 'end') resolve(e.task);
      });
      if (timeoutMs !== undefined) timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      // Subscribed first, so an end between this read and the subscription is not missed.
      const now = await this.get(id);
      if (isEnded(now.status)) return now;
      return (await ended) ?? await this.get(id);
    } finally {
      unsubscribe();
      clearTimeout(timer);
    }
  }

  /**
   * Follows a task: its view now (with output not yet persisted), then each event that adds
   * to it, until the end. CAP-E0002 if there is no such task.
   */
  follow(id: string): Promise<TaskFollow> {
    return followTask({
      subscribe: (listener) => this.subscribe(id, listener),
      liveOutput: () => this.active.get(id)?.run?.liveOutput(),
      read: () => this.get(id),
    });
  }

  /** Live events of a task, from now until its end; returns the unsubscribe function. */
  subscribe(id: string, listener: (e: TaskEvent) => void): () => void {
    return this.events.subscribe(id, listener);
  }

  /**
   * Cancels a task: a queued one ends cancelled at once; a running one has its signal
   * aborted and ends cancelled when its run gives up (one that completes anyway ends
   * succeeded: its work was done). CAP-E0400 if it has already ended.
   */
  async cancel(id: string, by?: string): Promise<TaskView> {
    const view = await this.get(id);
    if (isEnded(view.status)) throw new CapstanError('CAP-E0400', id);
    const reason = new CapstanError('CAP-E0403', by ? `by ${by}` : undefined);
    const active = this.active.get(id);
    if (active) {
      active.cancelled ??= reason;
      active.controller.abort(reason);
      return this.get(id);
    }
    // Not taken by this process: out of the queue at once (before any await), so nothing here
    // starts it; queued, or left running by a manager that died, it ends here.
    this.queue = this.queue.filter((q) => q !== id);
    const row = await this.store.row(id);
    const error = taskErrorOf(reason);
    if (!row || !await this.store.finish(id, { status: 'cancelled', error })) throw new CapstanError('CAP-E0400', id);
    await this.ended(row, error);
    return this.get(id);
  }

  /**
   * At start, before taking new work: every task the previous manager left queued or
   * running is run again if its kind resumes, else failed with CAP-E0401 and the reason
   * (and its kind's onFailed called); a task of a kind this manager does not know is
   * failed with CAP-E0402.
   */
  async recover(): Promise<void> {
    for (const row of await this.store.unfinished()) {
      if (this.active.has(row.id) || this.queue.includes(row.id)) continue;
      const was = row.status === 'running' ? `running (attempt ${row.attempts})` : 'queued';
      const kind = this.kinds.get(row.kind);
      if (!kind) {
        const error = taskErrorOf(new CapstanError('CAP-E0402', `${row.kind}: the task was ${was} when the manager stopped, and this manager cannot run it`));
        await this.failRecovered(row, error);
      } else if (kind.onRestart === 'fail') {
        const error = taskErrorOf(new CapstanError('CAP-E0401',
          `the ${row.kind} task was ${was} when the manager stopped and is not safe to run again; check what it was acting on`));
        await this.failRecovered(row, error);
      } else {
        const note = row.status === 'running'
          ? `resumed after manager restart: attempt ${row.attempts} was interrupted, running again`
          : 'started after manager restart: it was still queued when the manager stopped';
        await this.store.requeue(row.id, note);
        this.log.info({ taskId: row.id, kind: row.kind }, note);
        this.enqueue(row.id);
      }
    }
  }

  /**
   * Stops taking work and aborts the running tasks' signals, then waits for their runs to
   * return. Tasks that did not complete stay queued or running in the database, for
   * recover() at the next start.
   */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.queue = [];
    const stopping = new CapstanError('CAP-E0401', 'the manager is shutting down');
    for (const a of this.active.values()) a.controller.abort(stopping);
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
  }

  private enqueue(id: string): void {
    this.queue.push(id);
    this.pump();
  }

  private pump(): void {
    while (!this.stopping && this.active.size < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift() as string;
      const active: Active = { controller: new AbortController() };
      this.active.set(id, active);
      active.done = this.execute(id, active)
        .catch((err) => this.log.error({ err, taskId: id }, 'task engine failed to run a task'))
        .finally(() => {
          this.active.delete(id);
          this.pump();
        });
    }
  }

  private async execute(id: string, active: Active): Promise<void> {
    const row = await this.store.start(id);
    if (!row) return; // ended while queued
    // Shut down while starting: the task stays running in the database for recover().
    if (this.stopping) return;
    const kind = this.kinds.get(row.kind);
    if (!kind) throw new Error(`task ${id} of unregistered kind ${row.kind} was queued`);
    this.events.emit({ type: 'status', taskId: id, status: 'running', attempt: row.attempts });
    this.log.debug({ taskId: id, kind: row.kind, attempt: row.attempts }, 'task running');

    let outcome: TaskOutcome;
    try {
      // Cancelled while starting: its run would only be told to stop at once.
      if (active.cancelled) throw active.cancelled;
      const ctx = new RunContext<never>(id, JSON.parse(row.params) as never, row.attempts, active.controller.signal,
        { seq: await this.store.nextSeq(id), progressMessage: row.progress_message },
        { store: this.store, events: this.events, log: this.log });
      active.run = ctx;
      outcome = { status: 'succeeded', result: await kind.run(ctx) };
    } catch (e) {
      if (active.cancelled) {
        outcome = { status: 'cancelled', error: taskErrorOf(active.cancelled) };
      } else if (this.stopping) {
        // Interrupted by the shutdown: left running for recover() at the next start.
        this.log.info({ taskId: id, kind: row.kind }, 'task interrupted by shutdown');
        return;
      } else {
        outcome = { status: 'failed', error: taskErrorOf(e) };
      }
    }
    this.log.debug({ taskId: id, kind: row.kind, status: outcome.status }, 'task ended');
    if (await this.store.finish(id, outcome)) await this.ended(row, outcome.status === 'succeeded' ? null : outcome.error);
  }

  /** After a task's end is committed: its kind repairs what a failure left, then subscribers hear of it. */
  private async ended(row: TaskRow, error: TaskError | null): Promise<void> {
    const kind = this.kinds.get(row.kind);
    if (error) {
      this.log.warn({ taskId: row.id, kind: row.kind, error }, 'task did not succeed');
      if (kind?.onFailed) {
        try {
          await kind.onFailed({ taskId: row.id, params: JSON.parse(row.params) as never, target: targetOf(row), error });
        } catch (err) {
          this.log.error({ err, taskId: row.id, kind: row.kind }, 'repairing after a failed task failed');
        }
      }
    }
    this.events.emit({ type: 'end', taskId: row.id, task: await this.get(row.id) });
  }

  private async failRecovered(row: TaskRow, error: TaskError): Promise<void> {
    if (await this.store.finish(row.id, { status: 'failed', error })) await this.ended(row, error);
  }
}
