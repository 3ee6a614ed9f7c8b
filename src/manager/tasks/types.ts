// What a task kind implements and what it gets while it runs. Task kinds (WPAR actions,
// backups, relocations…) are registered with the engine by the services that own them.
import type { TaskTarget } from '../../api/tasks.js';

export type { TaskTarget };

export interface OperationHandle {
  /** Appends a line to the operation's output (persisted, and streamed to subscribers); text with newlines is one line each. */
  log(line: string): void;
}

export interface TaskContext<P = unknown> {
  taskId: string;
  params: P;
  /** 1 on the first run; above 1 when resumed after a manager restart. */
  attempt: number;
  /**
   * Runs one step of the task as an operation, recorded pending → running → succeeded or
   * failed, with its output and error; what `fn` throws is rethrown.
   */
  operation<T>(name: string, fn: (op: OperationHandle) => Promise<T>): Promise<T>;
  /** Records how far the task is (0 to 1) and, optionally, what it is doing. */
  progress(fraction: number, message?: string): Promise<void>;
  /** Aborted when the task is cancelled or the manager shuts down. */
  signal: AbortSignal;
}

export interface TaskKind<P = unknown> {
  kind: string;
  /** What to do with a task found unfinished at start: run it again (its run must be idempotent) or fail it with the reason. */
  onRestart: 'resume' | 'fail';
  /** Its result is stored as JSON; a thrown CapstanError gives the task's error code and message. */
  run(ctx: TaskContext<P>): Promise<unknown>;
  /**
   * Called when a task of this kind ends failed or cancelled (including 'fail' on restart), to
   * repair what it was acting on (e.g. mark a WPAR Broken, release its busy claim).
   */
  onFailed?(info: { taskId: string; params: P; target: TaskTarget | null; error: { code: string; message: string } }): Promise<void>;
}
