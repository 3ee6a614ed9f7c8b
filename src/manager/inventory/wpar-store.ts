// The WPAR record: the only module that writes the `wpars` table. Each way a WPAR changes is
// a named method that keeps the state rules of src/api/wpar-states.ts: a request claims it
// for a task (refused unless the action may run now), an action on its system takes it
// through Transitional to the state the action must leave, a relocation settles it where it
// runs, and an agent's report is reconciled into it.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { WparReport } from '../../api/agents.js';
import { CapstanError } from '../../api/errors.js';
import type { DefinitionParams } from '../../api/task-kinds.js';
import type { TaskStatus, TaskView } from '../../api/tasks.js';
import { stateAfter, type AgentAction, type WparAction, type WparState } from '../../api/wpar-states.js';
import type { WparSpec } from '../../api/wpar.js';
import { DEFAULTS } from '../db/migrations.js';
import type { Database, WparRow } from '../db/schema.js';
import { NamedResources } from './named.js';
import { planReconcile, type KnownWpar, type ReconcileStep } from './reconcile-plan.js';
import { parseStoredSpec, storeSpec } from './stored-spec.js';
import { assertActionAllowed, holderIsLive, newClaim, type WparFacts } from './wpar-rules.js';

/** A WPAR's definition: what the manager keeps whether or not it is deployed. */
export type WparDefinition = DefinitionParams;

/** An action a task has asked a WPAR's system to do, as the state rules judge its outcome. */
export interface SystemActionOutcome {
  wparId: string;
  systemId: string;
  action: AgentAction;
  /** The state before the action (modify leaves it unchanged). */
  fromState: WparState;
  start?: boolean;
  /** The spec the system acted on. */
  spec: WparSpec;
  /** modify: the new definition, stored once the system has it. */
  redefine?: { spec: WparSpec; groupId: string };
  deleteDefinition?: boolean;
}

export class WparStore {
  readonly named: NamedResources<'wpars'>;

  constructor(private readonly db: Kysely<Database>) {
    this.named = new NamedResources(db, 'wpars', 'WPAR');
  }

  // ---- reading ----

  /** The stored definition of a WPAR (CAP-E0002 when there is none). */
  async spec(ref: string): Promise<WparSpec> {
    return specOf(await this.named.require(ref));
  }

  /** What the state rules look at. */
  facts(row: WparRow): WparFacts {
    const spec = specOf(row);
    return { name: row.name, state: row.state as WparState, type: spec.type, checkpointable: spec.checkpointable };
  }

  /** The names of the WPARs on a system and their ids. */
  async idsByName(systemId: string): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('wpars').select(['id', 'name']).where('system_id', '=', systemId).execute();
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  // ---- claims: one task at a time acts on a WPAR ----

  /** The WPAR, refused unless `action` may run on it now and no other task holds it. */
  async actionable(ref: string, action: WparAction): Promise<{ row: WparRow; facts: WparFacts }> {
    const row = await this.named.require(ref);
    const facts = this.facts(row);
    assertActionAllowed(action, facts);
    await this.assertFree(row);
    return { row, facts };
  }

  /** CAP-E0204 while a live task (or a request's fresh claim) holds the WPAR. */
  async assertFree(row: WparRow): Promise<void> {
    const holder = row.busy_task_id;
    if (holder === null) return;
    const task = await this.db.selectFrom('tasks').select('status').where('id', '=', holder).executeTakeFirst();
    if (holderIsLive(holder, Date.now(), task as { status: TaskStatus } | undefined)) throw new CapstanError('CAP-E0204', `${row.name} (task ${holder})`);
  }

  /**
   * Claims the WPAR for the task `submit` creates. The claim is conditional on the row being
   * as it was checked (same holder, not updated since), so two requests racing for the same
   * WPAR cannot both pass; the loser gets CAP-E0204 and nothing is stored for it.
   */
  async claimFor(row: WparRow, submit: () => Promise<TaskView>): Promise<TaskView> {
    const claim = newClaim(Date.now(), randomUUID());
    let q = this.db.updateTable('wpars').set({ busy_task_id: claim }).where('id', '=', row.id).where('updated_at', '=', row.updated_at);
    q = row.busy_task_id === null ? q.where('busy_task_id', 'is', null) : q.where('busy_task_id', '=', row.busy_task_id);
    const claimed = await q.executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) throw new CapstanError('CAP-E0204', row.name);
    let task: TaskView;
    try {
      task = await submit();
    } catch (e) {
      await this.handOver(row.id, claim, null);
      throw e;
    }
    // The task may already have ended and released the claim: then there is nothing to name.
    await this.handOver(row.id, claim, task.id);
    return task;
  }

  /**
   * Releases an ended task's claim, and only its own: once the task has ended, another
   * request may already hold the WPAR. (A claim named after the task only later holds
   * nothing either: see holderIsLive.)
   */
  async release(wparId: string, taskId: string): Promise<void> {
    await this.handOver(wparId, taskId, null);
  }

  private async handOver(wparId: string, from: string, to: string | null): Promise<void> {
    await this.db.updateTable('wpars').set({ busy_task_id: to }).where('id', '=', wparId).where('busy_task_id', '=', from).execute();
  }

  // ---- definitions ----

  /** Creates the definition, Undeployed, unless it exists already (a task may run again after a restart). */
  async define(d: WparDefinition, holder: string | null): Promise<void> {
    const exists = await this.db.selectFrom('wpars').select('id').where('id', '=', d.wparId).executeTakeFirst();
    if (exists) return;
    const t = now();
    await this.db.insertInto('wpars')
      .values({ id: d.wparId, ...definitionColumns(d.spec, d.groupId), state: 'Undeployed', state_reason: null, exit_status: null, system_id: null, busy_task_id: holder, created_at: t, updated_at: t })
      .execute();
  }

  /** Stores a changed definition that needs nothing of its system, and ends the task's claim. */
  async redefine(d: WparDefinition): Promise<void> {
    await this.db.updateTable('wpars').set({ ...definitionColumns(d.spec, d.groupId), busy_task_id: null, updated_at: now() }).where('id', '=', d.wparId).execute();
  }

  async deleteDefinition(wparId: string): Promise<void> {
    await this.db.deleteFrom('wpars').where('id', '=', wparId).execute();
  }

  // ---- actions on a system ----

  /** The system has been asked: until it answers, the WPAR is Transitional there. */
  async beginAction(wparId: string, systemId: string): Promise<void> {
    await this.transition(wparId, { state: 'Transitional', state_reason: null, system_id: systemId });
  }

  /**
   * Records what the system reports once the action is done, which must be the state the
   * action leaves (else it throws, and the task's failure leaves the WPAR Broken); the
   * task's claim ends.
   */
  async completeAction(a: SystemActionOutcome, reported: WparState, systemName: string): Promise<WparState | 'deleted'> {
    const expected = a.action === 'modify' ? a.fromState : stateAfter(a.action, a.spec, { start: a.start });
    if (reported !== expected) throw new Error(`${systemName} reports ${a.spec.name} ${reported}; ${a.action} should leave it ${expected}`);
    if (a.deleteDefinition) {
      await this.deleteDefinition(a.wparId);
      return 'deleted';
    }
    await this.transition(a.wparId, {
      ...(a.redefine ? definitionColumns(a.redefine.spec, a.redefine.groupId) : {}),
      state: expected,
      state_reason: null,
      system_id: expected === 'Undeployed' ? null : a.systemId,
      busy_task_id: null,
    });
    return expected;
  }

  /**
   * A failed action: a WPAR still Transitional was being acted on by its system, which left
   * it in an unknown, unusable state (the seed's Broken). The task's claim ends.
   */
  async failAction(wparId: string, taskId: string, reason: string): Promise<void> {
    await this.db.updateTable('wpars').set({ state: 'Broken', state_reason: reason, updated_at: now() })
      .where('id', '=', wparId).where('state', '=', 'Transitional')
      .execute();
    await this.release(wparId, taskId);
  }

  // ---- relocation ----

  async beginRelocation(wparId: string, toName: string): Promise<void> {
    await this.transition(wparId, { state: 'Transitional', state_reason: `relocating to ${toName}` });
  }

  /** The record follows the WPAR to where it runs (or is Broken), and the relocation's claim ends. */
  async settleRelocation(wparId: string, systemId: string, state: 'Active' | 'Broken', reason: string | null): Promise<void> {
    await this.transition(wparId, { system_id: systemId, state, state_reason: reason, busy_task_id: null });
  }

  /** Lost with its system: a definition again, free to be deployed from scratch elsewhere. */
  async undeployLost(wparId: string, reason: string): Promise<void> {
    await this.transition(wparId, { system_id: null, state: 'Undeployed', state_reason: reason, busy_task_id: null });
  }

  /**
   * Its system is removed, its WPARs preserved: each a definition again, Undeployed, with its
   * spec and group; the copy on the host is left there, no longer managed. Only rows as they
   * were read (same updated_at) change: one changed meanwhile stays on the system, and the
   * removal that counts what is left refuses.
   */
  async preserveOffSystem(trx: Kysely<Database>, rows: Pick<WparRow, 'id' | 'updated_at'>[], reason: string): Promise<void> {
    const t = now();
    for (const r of rows) {
      await trx.updateTable('wpars').set({ system_id: null, state: 'Undeployed', state_reason: reason, busy_task_id: null, updated_at: t })
        .where('id', '=', r.id).where('updated_at', '=', r.updated_at)
        .execute();
    }
  }

  private async transition(wparId: string, set: Partial<Omit<WparRow, 'id' | 'updated_at'>> & { state: WparState }): Promise<void> {
    await this.db.updateTable('wpars').set({ ...set, updated_at: now() }).where('id', '=', wparId).execute();
  }

  /** A WPARAdministrator has accepted the WPAR's privileged fields. */
  async acceptPrivileges(wparId: string): Promise<void> {
    await this.db.updateTable('wpars').set({ privileges_unaccepted: 0, updated_at: now() }).where('id', '=', wparId).execute();
  }

  // ---- agents' reports ----

  /** Reads what the reconcile plan needs, plans, and applies it in one transaction. Returns the steps taken. */
  async reconcile(systemId: string, reports: WparReport[]): Promise<ReconcileStep[]> {
    return this.db.transaction().execute(async (trx) => {
      const names = reports.map((r) => r.name);
      let q = trx.selectFrom('wpars').selectAll();
      q = names.length > 0 ? q.where((eb) => eb.or([eb('system_id', '=', systemId), eb('name', 'in', names)])) : q.where('system_id', '=', systemId);
      const known: KnownWpar[] = (await q.execute()).map((r) => ({
        id: r.id,
        name: r.name,
        state: r.state as WparState,
        stateReason: r.state_reason,
        systemId: r.system_id,
        busy: r.busy_task_id !== null,
        spec: specOf(r),
        unaccepted: r.privileges_unaccepted === 1,
      }));
      const steps = planReconcile(systemId, known, reports);
      const t = now();
      for (const s of steps) {
        switch (s.kind) {
          case 'update':
          case 'adopt':
            await trx.updateTable('wpars')
              .set({ state: s.state, state_reason: s.reason, system_id: systemId, spec: storeSpec(s.spec), type: s.spec.type, privileges_unaccepted: s.unaccepted ? 1 : 0, updated_at: t })
              .where('id', '=', s.id).where('busy_task_id', 'is', null)
              .execute();
            break;
          case 'discover':
            await trx.insertInto('wpars')
              .values({
                id: randomUUID(), ...definitionColumns(s.spec, DEFAULTS.groupId),
                state: s.state, state_reason: s.reason, exit_status: null, system_id: systemId, busy_task_id: null, privileges_unaccepted: s.unaccepted ? 1 : 0, created_at: t, updated_at: t,
              })
              .execute();
            break;
          case 'vanished':
            await trx.updateTable('wpars').set({ state: 'Undeployed', state_reason: null, system_id: null, updated_at: t })
              .where('id', '=', s.id).where('busy_task_id', 'is', null)
              .execute();
            break;
          case 'conflict':
            break;
        }
      }
      return steps;
    });
  }
}

export function specOf(row: Pick<WparRow, 'spec' | 'name'>): WparSpec {
  return parseStoredSpec(row.spec, row.name);
}

function definitionColumns(spec: WparSpec, groupId: string) {
  return { name: spec.name, type: spec.type, spec: storeSpec(spec), group_id: groupId };
}

function now(): string {
  return new Date().toISOString();
}
