// The balancer's mobility events as stored: recommendations (open until a WPARAdministrator
// applies or dismisses them) and the moves the balancer started. The one writer of
// balance_events.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BalanceEventView, EventStatus, MobilityProposal } from '../../api/balance.js';
import type { Page, ResourceRef } from '../../api/resources.js';
import type { BalanceEventsTable, Database } from '../db/schema.js';
import { pageOf } from '../inventory/named.js';

export interface NewEvent {
  group: ResourceRef;
  mode: 'recommend' | 'automatic';
  trigger: string;
  proposal: MobilityProposal;
  taskId: string | null;
}

type Row = BalanceEventsTable & { group_name: string };

export class BalanceEvents {
  constructor(private readonly db: Kysely<Database>, private readonly now: () => number = Date.now) {}

  async add(e: NewEvent): Promise<BalanceEventView> {
    const id = randomUUID();
    await this.db.insertInto('balance_events').values({
      id, group_id: e.group.id, created_at: new Date(this.now()).toISOString(), mode: e.mode, wpar_id: e.proposal.wpar.id,
      trigger: e.trigger, proposal: JSON.stringify(e.proposal), status: e.mode === 'automatic' ? 'started' : 'open',
      task_id: e.taskId, decided_by: null, decided_at: null,
    }).execute();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<BalanceEventView | undefined> {
    const row = await this.rows().where('balance_events.id', '=', id).executeTakeFirst();
    return row && toView(row);
  }

  async list(q: { groupId?: string; status?: EventStatus; limit: number; offset: number }): Promise<Page<BalanceEventView>> {
    let query = this.rows();
    if (q.groupId) query = query.where('balance_events.group_id', '=', q.groupId);
    if (q.status) query = query.where('balance_events.status', '=', q.status);
    const page = await pageOf(query.orderBy('balance_events.created_at', 'desc').orderBy('balance_events.id'), q);
    return { total: page.total, items: page.items.map(toView) };
  }

  /**
   * Closes an open recommendation (applied with its task, or dismissed); false when it was not
   * open any more (someone else got there first).
   */
  async close(id: string, status: 'applied' | 'dismissed', by: string, taskId: string | null = null): Promise<boolean> {
    const res = await this.db.updateTable('balance_events')
      .set({ status, decided_by: by, decided_at: new Date(this.now()).toISOString(), task_id: taskId })
      .where('id', '=', id).where('status', '=', 'open')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Why the group waits for its previous event, or null: a recommendation open, or its move still running. */
  async pending(groupId: string): Promise<string | null> {
    const open = await this.db.selectFrom('balance_events').select(['id', 'proposal'])
      .where('group_id', '=', groupId).where('status', '=', 'open').executeTakeFirst();
    if (open) return `recommendation ${open.id} (${(JSON.parse(open.proposal) as MobilityProposal).wpar.name}) waits to be applied or dismissed`;
    const moving = await this.db.selectFrom('balance_events').innerJoin('tasks', 'tasks.id', 'balance_events.task_id')
      .select(['balance_events.proposal'])
      .where('balance_events.group_id', '=', groupId).where('tasks.status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return moving ? `its move of ${(JSON.parse(moving.proposal) as MobilityProposal).wpar.name} is under way` : null;
  }

  private rows() {
    return this.db.selectFrom('balance_events')
      .innerJoin('wpar_groups', 'wpar_groups.id', 'balance_events.group_id')
      .selectAll('balance_events')
      .select('wpar_groups.name as group_name');
  }
}

function toView(r: Row): BalanceEventView {
  return {
    id: r.id,
    group: { id: r.group_id, name: r.group_name },
    at: r.created_at,
    mode: r.mode,
    trigger: r.trigger,
    proposal: JSON.parse(r.proposal) as MobilityProposal,
    status: r.status,
    taskId: r.task_id,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
  };
}
