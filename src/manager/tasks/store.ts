// The durable side of tasks: rows in `tasks` and `task_operations`. Every state change is
// one transaction, and the conditional ones (start, end) only move a task forward, so a
// late writer never resurrects a task that has already ended.
import { sql, type Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import {
  ENDED_STATUSES,
  type OperationStatus,
  type TaskError,
  type TaskOperationView,
  type TaskStatus,
  type TaskTarget,
  type TaskView,
} from '../../api/tasks.js';
import type { Database, TaskOperationRow, TaskRow } from '../db/schema.js';

export interface TaskFilter {
  status?: TaskStatus;
  kind?: string;
  targetKind?: string;
  targetId?: string;
  limit?: number;
  /** The id of a task: lists the tasks submitted before it. */
  before?: string;
}

export type TaskOutcome =
  | { status: 'succeeded'; result: unknown }
  | { status: 'failed' | 'cancelled'; error: TaskError };

const UNFINISHED: TaskStatus[] = ['queued', 'running'];
const DEFAULT_LIMIT = 100;

export class TaskStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(t: { id: string; kind: string; params: unknown; target: TaskTarget | null; createdBy: string | null }): Promise<TaskView> {
    const row: TaskRow = {
      id: t.id,
      kind: t.kind,
      status: 'queued',
      target_kind: t.target?.kind ?? null,
      target_id: t.target?.id ?? null,
      target_name: t.target?.name ?? null,
      params: JSON.stringify(t.params ?? null),
      result: null,
      error_code: null,
      error: null,
      progress: 0,
      progress_message: null,
      attempts: 0,
      created_by: t.createdBy,
      created_at: now(),
      started_at: null,
      ended_at: null,
    };
    await this.db.insertInto('tasks').values(row).execute();
    return viewOf(row, []);
  }

  /** queued → running, counting the attempt; undefined when the task is no longer queued. */
  async start(id: string): Promise<TaskRow | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || row.status !== 'queued') return undefined;
      const started = { status: 'running', attempts: row.attempts + 1, started_at: row.started_at ?? now() };
      await tx.updateTable('tasks').set(started).where('id', '=', id).where('status', '=', 'queued').execute();
      return { ...row, ...started };
    });
  }

  /**
   * Ends a queued or running task; false if it had already ended. Operations left unfinished
   * (a step the task did not wait for) end failed with the task, so the record stays coherent.
   */
  async finish(id: string, outcome: TaskOutcome, onlyIf: TaskStatus[] = UNFINISHED): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const t = now();
      const ended = outcome.status === 'succeeded'
        ? { status: outcome.status, result: JSON.stringify(outcome.result ?? null), progress: 1, ended_at: t }
        : { status: outcome.status, error_code: outcome.error.code, error: outcome.error.message, ended_at: t };
      const res = await tx.updateTable('tasks').set(ended).where('id', '=', id).where('status', 'in', onlyIf).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      const abandoned = outcome.status === 'succeeded'
        ? { code: 'CAP-E0404', message: 'the task ended before this operation did' }
        : outcome.error;
      await tx.updateTable('task_operations')
        .set({ status: 'failed', error_code: abandoned.code, error: abandoned.message, ended_at: t })
        .where('task_id', '=', id)
        .where('status', 'in', ['pending', 'running'])
        .execute();
      return true;
    });
  }

  async progress(id: string, fraction: number, message: string | null): Promise<void> {
    await this.db.updateTable('tasks').set({ progress: fraction, progress_message: message }).where('id', '=', id).execute();
  }

  async nextSeq(taskId: string): Promise<number> {
    const r = await this.db.selectFrom('task_operations').select((eb) => eb.fn.max('seq').as('seq')).where('task_id', '=', taskId).executeTakeFirst();
    return Number(r?.seq ?? 0) + 1;
  }

  async addOperation(taskId: string, seq: number, name: string): Promise<TaskOperationView> {
    const row: TaskOperationRow = { task_id: taskId, seq, name, status: 'pending', output: '', error: null, error_code: null, started_at: null, ended_at: null };
    await this.db.insertInto('task_operations').values(row).execute();
    return operationViewOf(row);
  }

  async operationRunning(taskId: string, seq: number): Promise<TaskOperationView> {
    await this.db.updateTable('task_operations').set({ status: 'running', started_at: now() })
      .where('task_id', '=', taskId).where('seq', '=', seq).execute();
    return this.operation(taskId, seq);
  }

  async appendOutput(taskId: string, seq: number, text: string): Promise<void> {
    await this.db.updateTable('task_operations').set({ output: sql<string>`output || ${text}` })
      .where('task_id', '=', taskId).where('seq', '=', seq).execute();
  }

  async operationEnd(taskId: string, seq: number, output: string, error: TaskError | null): Promise<TaskOperationView> {
    const status: OperationStatus = error ? 'failed' : 'succeeded';
    await this.db.updateTable('task_operations')
      .set({ status, output, error_code: error?.code ?? null, error: error?.message ?? null, ended_at: now() })
      .where('task_id', '=', taskId).where('seq', '=', seq)
      .execute();
    return this.operation(taskId, seq);
  }

  /**
   * After a manager restart: the task will run again. Operations the dead manager left
   * unfinished are failed as interrupted, and a note says why the task runs again.
   */
  async requeue(id: string, note: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const t = now();
      await tx.updateTable('task_operations')
        .set({ status: 'failed', error_code: 'CAP-E0401', error: 'interrupted by a manager restart', ended_at: t })
        .where('task_id', '=', id)
        .where('status', 'in', ['pending', 'running'])
        .execute();
      const last = await tx.selectFrom('task_operations').select((eb) => eb.fn.max('seq').as('seq')).where('task_id', '=', id).executeTakeFirst();
      await tx.insertInto('task_operations')
        .values({ task_id: id, seq: Number(last?.seq ?? 0) + 1, name: 'recovery', status: 'succeeded', output: note + '\n', error: null, error_code: null, started_at: t, ended_at: t })
        .execute();
      await tx.updateTable('tasks').set({ status: 'queued' }).where('id', '=', id).where('status', 'in', UNFINISHED).execute();
    });
  }

  async row(id: string): Promise<TaskRow | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async unfinished(): Promise<TaskRow[]> {
    return this.db.selectFrom('tasks').selectAll().where('status', 'in', UNFINISHED).orderBy('created_at').orderBy('id').execute();
  }

  async view(id: string): Promise<TaskView> {
    const row = await this.row(id);
    if (!row) throw new CapstanError('CAP-E0002', `task ${id}`);
    const ops = await this.db.selectFrom('task_operations').selectAll().where('task_id', '=', id).orderBy('seq').execute();
    return viewOf(row, ops);
  }

  /** Newest first. */
  async list(f: TaskFilter): Promise<TaskView[]> {
    let q = this.db.selectFrom('tasks').selectAll();
    if (f.status) q = q.where('status', '=', f.status);
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.targetKind) q = q.where('target_kind', '=', f.targetKind);
    if (f.targetId) q = q.where('target_id', '=', f.targetId);
    if (f.before) {
      const cursor = await this.db.selectFrom('tasks').select(['created_at', 'id']).where('id', '=', f.before).executeTakeFirst();
      if (!cursor) throw new CapstanError('CAP-E0002', `task ${f.before}`);
      q = q.where((eb) => eb.or([
        eb('created_at', '<', cursor.created_at),
        eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)]),
      ]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit ?? DEFAULT_LIMIT).execute();
    if (rows.length === 0) return [];
    const ops = await this.db.selectFrom('task_operations').selectAll()
      .where('task_id', 'in', rows.map((r) => r.id))
      .orderBy('task_id').orderBy('seq')
      .execute();
    const byTask = new Map<string, TaskOperationRow[]>();
    for (const o of ops) {
      const list = byTask.get(o.task_id);
      if (list) list.push(o);
      else byTask.set(o.task_id, [o]);
    }
    return rows.map((r) => viewOf(r, byTask.get(r.id) ?? []));
  }

  private async operation(taskId: string, seq: number): Promise<TaskOperationView> {
    const row = await this.db.selectFrom('task_operations').selectAll().where('task_id', '=', taskId).where('seq', '=', seq).executeTakeFirstOrThrow();
    return operationViewOf(row);
  }
}

export function isEnded(status: string): boolean {
  return (ENDED_STATUSES as readonly string[]).includes(status);
}

export function targetOf(row: TaskRow): TaskTarget | null {
  return row.target_kind !== null && row.target_id !== null
    ? { kind: row.target_kind, id: row.target_id, name: row.target_name ?? row.target_id }
    : null;
}

function viewOf(row: TaskRow, ops: TaskOperationRow[]): TaskView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as TaskStatus,
    target: targetOf(row),
    params: JSON.parse(row.params) as unknown,
    result: row.result === null ? null : JSON.parse(row.result) as unknown,
    error: row.error_code !== null ? { code: row.error_code, message: row.error ?? '' } : null,
    progress: Number(row.progress),
    progressMessage: row.progress_message,
    attempts: Number(row.attempts),
    createdBy: row.created_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    operations: ops.map(operationViewOf),
  };
}

function operationViewOf(row: TaskOperationRow): TaskOperationView {
  return {
    seq: Number(row.seq),
    name: row.name,
    status: row.status as OperationStatus,
    output: row.output,
    error: row.error_code !== null ? { code: row.error_code, message: row.error ?? '' } : null,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

function now(): string {
  return new Date().toISOString();
}
