// Following a task: its view, then exactly what happens after it. A view read from the
// database can be behind or ahead of the events around it (a change is committed before its
// event is emitted, a line of output is emitted before it is persisted), so the follower
// subscribes first, takes the unpersisted output with the subscription, and then hands on
// only the events that add to what it has already handed on.
import { ENDED_STATUSES, outputLines, type OperationStatus, type TaskEvent, type TaskView } from '../../api/tasks.js';

export interface TaskFollow {
  /** The task's view when the follow began, with every line of output logged until then. */
  snapshot: TaskView;
  /**
   * Hands on, in order, each later event the snapshot does not already hold, ending with the
   * end (at once when the snapshot has ended); progress events are handed on as they come.
   */
  listen(listener: (e: TaskEvent) => void): void;
  /** Stops following (also done after the end). */
  close(): void;
}

export interface FollowSource {
  subscribe(listener: (e: TaskEvent) => void): () => void;
  /** The output of the operations still running, by seq, not necessarily persisted yet. */
  liveOutput(): ReadonlyMap<number, string> | undefined;
  /** The task's view from the database. */
  read(): Promise<TaskView>;
}

export async function followTask(source: FollowSource): Promise<TaskFollow> {
  let backlog: TaskEvent[] | undefined = [];
  let deliver: (e: TaskEvent) => void = () => undefined;
  const unsubscribe = source.subscribe((e) => (backlog ? backlog.push(e) : deliver(e)));
  // In the same turn as the subscription: a line logged before it is here, one logged after
  // it comes as an event.
  const live = source.liveOutput();
  let view: TaskView;
  try {
    view = await source.read();
  } catch (e) {
    unsubscribe();
    throw e;
  }
  const snapshot: TaskView = {
    ...view,
    operations: view.operations.map((o) => {
      // Both are the start of the same output: the longer one holds more of it.
      const text = live?.get(o.seq);
      return text !== undefined && text.length > o.output.length ? { ...o, output: text } : o;
    }),
  };
  const held = new Held(snapshot);
  let closed = false;
  const close = (): void => {
    closed = true;
    backlog = undefined;
    unsubscribe();
  };
  return {
    snapshot,
    listen(listener) {
      if (closed) return;
      deliver = (e) => {
        if (closed || !held.admit(e)) return;
        listener(e);
        if (e.type === 'end') close();
      };
      const pending = backlog ?? [];
      backlog = undefined;
      if (held.ended) deliver({ type: 'end', taskId: snapshot.id, task: snapshot });
      for (const e of pending) deliver(e);
    },
    close,
  };
}

const RANK: Record<OperationStatus, number> = { pending: 0, running: 1, succeeded: 2, failed: 2 };

/** What the follower has handed on so far, to tell an event that adds to it from one that does not. */
class Held {
  private attempts: number;
  private endSent = false;
  /** By seq: how far the operation's state is, and how many of its lines are held. */
  private readonly operations = new Map<number, { rank: number; lines: number }>();
  readonly ended: boolean;

  constructor(snapshot: TaskView) {
    this.attempts = snapshot.attempts;
    this.ended = ENDED_STATUSES.includes(snapshot.status);
    for (const o of snapshot.operations) this.operations.set(o.seq, { rank: RANK[o.status], lines: outputLines(o.output).length });
  }

  /** Whether `e` adds to what is held; if so, it is held from now on. */
  admit(e: TaskEvent): boolean {
    if (this.endSent) return false;
    switch (e.type) {
      case 'status':
        // Each start counts an attempt: a start the snapshot has counted is in it.
        if (e.attempt <= this.attempts) return false;
        this.attempts = e.attempt;
        return true;
      case 'operation': {
        const held = this.operations.get(e.operation.seq);
        const rank = RANK[e.operation.status];
        if (held && rank <= held.rank) return false;
        this.operations.set(e.operation.seq, { rank, lines: Math.max(held?.lines ?? 0, outputLines(e.operation.output).length) });
        return true;
      }
      case 'output': {
        const held = this.operations.get(e.seq) ?? { rank: RANK.running, lines: 0 };
        if (e.index < held.lines) return false;
        this.operations.set(e.seq, { ...held, lines: e.index + 1 });
        return true;
      }
      case 'progress':
        // Only a number and a message, without an order to tell an old one by: harmless to repeat.
        return true;
      case 'end':
        this.endSent = true;
        return true;
    }
  }
}
