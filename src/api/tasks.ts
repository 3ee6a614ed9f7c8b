// Tasks: every long or state-changing action is a task with operations (the seed's Task
// Details), durable across manager restarts. One source of truth for the manager's views,
// the events it streams, and the CLI and console that read them.
import { Type, type Static, type TSchema } from 'typebox';

export const TASK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const TaskStatus = Type.Enum([...TASK_STATUSES]);
export type TaskStatus = Static<typeof TaskStatus>;

/** Statuses a task never leaves. */
export const ENDED_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled'];

export const OPERATION_STATUSES = ['pending', 'running', 'succeeded', 'failed'] as const;
export const OperationStatus = Type.Enum([...OPERATION_STATUSES]);
export type OperationStatus = Static<typeof OperationStatus>;

/** What a task acts on (a WPAR, a system, the database), named as it was when submitted. */
export const TaskTarget = Type.Object({ kind: Type.String(), id: Type.String(), name: Type.String() });
export type TaskTarget = Static<typeof TaskTarget>;

/** A failure, with the stable code of the error catalog. */
export const TaskError = Type.Object({ code: Type.String(), message: Type.String() });
export type TaskError = Static<typeof TaskError>;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const TaskOperationView = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  name: Type.String(),
  status: OperationStatus,
  /** Everything the operation logged, one line each. */
  output: Type.String(),
  error: Nullable(TaskError),
  startedAt: Nullable(Type.String()),
  endedAt: Nullable(Type.String()),
});
export type TaskOperationView = Static<typeof TaskOperationView>;

export const TaskView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  status: TaskStatus,
  target: Nullable(TaskTarget),
  params: Type.Unknown(),
  /** What the task produced when it succeeded. */
  result: Type.Unknown(),
  error: Nullable(TaskError),
  /** 0 to 1. */
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  progressMessage: Nullable(Type.String()),
  /** How many times the task started running: above 1 when resumed after a manager restart. */
  attempts: Type.Integer({ minimum: 0 }),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  endedAt: Nullable(Type.String()),
  operations: Type.Array(TaskOperationView),
});
export type TaskView = Static<typeof TaskView>;

/**
 * What a subscriber to a task sees, in the order it happened: the task starting, operations
 * changing state, lines of output, progress, and finally its end (with the complete view).
 * The events stream sends a "snapshot" (a TaskView) first, then only the events that snapshot
 * does not already hold, so a follower shows each operation and line exactly once.
 */
export const TaskEvent = Type.Union([
  Type.Object({ type: Type.Literal('status'), taskId: Type.String(), status: TaskStatus, attempt: Type.Integer() }),
  Type.Object({ type: Type.Literal('operation'), taskId: Type.String(), operation: TaskOperationView }),
  Type.Object({
    type: Type.Literal('output'),
    taskId: Type.String(),
    seq: Type.Integer(),
    /** The line's place in its operation's output, from 0: a follower holding that many lines already has it. */
    index: Type.Integer({ minimum: 0 }),
    /** One line, without its newline. */
    line: Type.String(),
  }),
  Type.Object({ type: Type.Literal('progress'), taskId: Type.String(), progress: Type.Number(), message: Nullable(Type.String()) }),
  Type.Object({ type: Type.Literal('end'), taskId: Type.String(), task: TaskView }),
]);
export type TaskEvent = Static<typeof TaskEvent>;

/** An operation's output as its lines: the manager stores each line with its newline. */
export function outputLines(output: string): string[] {
  const lines = output.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export const TaskListQuery = Type.Object({
  status: Type.Optional(TaskStatus),
  kind: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  targetKind: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  /** The id of the last task of the previous page: lists the tasks submitted before it. */
  before: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });
export type TaskListQuery = Static<typeof TaskListQuery>;

/** Newest first. */
export const TaskList = Type.Object({ items: Type.Array(TaskView) });
export type TaskList = Static<typeof TaskList>;

export const TaskParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const TaskWaitQuery = Type.Object({
  /** Seconds to wait for the task to end before answering with its current view. */
  timeout: Type.Number({ minimum: 0, maximum: 3600, default: 30 }),
}, { additionalProperties: false });
export type TaskWaitQuery = Static<typeof TaskWaitQuery>;
