// What a running task sees: its operations (recorded as they start, log and end), its
// progress, and its abort signal. A state change is committed before its event is emitted;
// output lines are streamed at once and persisted just behind.
import type { Logger } from 'pino';
import type { TaskStore } from './store.js';
import type { TaskEvents } from './events.js';
import { taskErrorOf } from './failure.js';
import type { OperationHandle, TaskContext } from './types.js';
import type { TaskError, TaskOperationView } from '../../api/tasks.js';

export interface RunDeps {
  store: TaskStore;
  events: TaskEvents;
  log: Logger;
}

export class RunContext<P> implements TaskContext<P> {
  private nextSeq: number;
  private message: string | null;
  /** Operations from running until their end is recorded, by seq. */
  private readonly open = new Map<number, OperationOutput>();

  constructor(
    readonly taskId: string,
    readonly params: P,
    readonly attempt: number,
    readonly signal: AbortSignal,
    first: { seq: number; progressMessage: string | null },
    private readonly deps: RunDeps,
  ) {
    this.nextSeq = first.seq;
    this.message = first.progressMessage;
  }

  async operation<T>(name: string, fn: (op: OperationHandle) => Promise<T>): Promise<T> {
    // Taken before any await: operations started together get distinct numbers.
    const seq = this.nextSeq++;
    const { store } = this.deps;
    this.emitOperation(await store.addOperation(this.taskId, seq, name));
    this.emitOperation(await store.operationRunning(this.taskId, seq));
    const output = new OperationOutput(this.taskId, seq, this.deps);
    this.open.set(seq, output);
    try {
      let result: T;
      try {
        result = await fn(output);
      } catch (e) {
        try {
          this.emitOperation(await output.close(taskErrorOf(e)));
        } catch (recordErr) {
          // The operation's own error matters more than failing to record it.
          this.deps.log.error({ err: recordErr, taskId: this.taskId, seq }, 'could not record a failed operation');
        }
        throw e;
      }
      this.emitOperation(await output.close(null));
      return result;
    } finally {
      this.open.delete(seq);
    }
  }

  /**
   * The whole output so far of each operation whose end is not yet recorded, by seq: what a
   * view read from the database may lack, since lines are persisted behind their events.
   */
  liveOutput(): Map<number, string> {
    return new Map([...this.open].map(([seq, o]) => [seq, o.written()]));
  }

  async progress(fraction: number, message?: string): Promise<void> {
    const p = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
    if (message !== undefined) this.message = message;
    await this.deps.store.progress(this.taskId, p, this.message);
    this.deps.events.emit({ type: 'progress', taskId: this.taskId, progress: p, message: this.message });
  }

  private emitOperation(operation: TaskOperationView): void {
    this.deps.events.emit({ type: 'operation', taskId: this.taskId, operation });
  }
}

/**
 * An operation's output: streamed line by line at once, persisted in the background with
 * at most one write in flight (lines logged meanwhile go together in the next one), and
 * written completely when the operation ends.
 */
class OperationOutput implements OperationHandle {
  /** Every line logged, each with its newline. */
  private text = '';
  private lines = 0;
  private persisted = 0;
  private ended = false;
  private flushing: Promise<void> | null = null;

  constructor(private readonly taskId: string, private readonly seq: number, private readonly deps: RunDeps) {}

  log(line: string): void {
    if (this.ended) {
      this.deps.log.warn({ taskId: this.taskId, seq: this.seq, line }, 'output logged after its operation ended');
      return;
    }
    // One event per stored line, so an event's index is its line's place in the output.
    for (const one of line.replace(/\n$/, '').split('\n')) {
      this.text += one + '\n';
      this.deps.events.emit({ type: 'output', taskId: this.taskId, seq: this.seq, index: this.lines++, line: one });
    }
    this.flushing ??= this.flush();
  }

  written(): string {
    return this.text;
  }

  async close(error: TaskError | null): Promise<TaskOperationView> {
    this.ended = true;
    await this.flushing;
    return this.deps.store.operationEnd(this.taskId, this.seq, this.text, error);
  }

  private async flush(): Promise<void> {
    try {
      while (this.persisted < this.text.length && !this.ended) {
        const chunk = this.text.slice(this.persisted);
        await this.deps.store.appendOutput(this.taskId, this.seq, chunk);
        this.persisted += chunk.length;
      }
    } catch (err) {
      // The end of the operation writes the whole output again; only the live copy is late.
      this.deps.log.warn({ err, taskId: this.taskId, seq: this.seq }, 'could not persist operation output');
    } finally {
      this.flushing = null;
    }
  }
}
