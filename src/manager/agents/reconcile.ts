// Makes the database agree with what an agent reports: WPARs found on its system are
// discovered or updated, definitions deployed there that the system no longer has become
// Undeployed. The plan is a pure function of the two views; WPARs a task is acting on are
// left to that task (it records the outcome itself).
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { WparReport } from '../../api/agents.js';
import type { WparState } from '../../api/wpar-states.js';
import type { WparSpec } from '../../api/wpar.js';
import { DEFAULTS } from '../db/migrations.js';
import type { Database } from '../db/schema.js';

export interface KnownWpar {
  id: string;
  name: string;
  state: WparState;
  stateReason: string | null;
  systemId: string | null;
  busy: boolean;
  spec: WparSpec;
}

export type ReconcileStep =
  /** Known here: its state, reason or definition changed on the system. */
  | { kind: 'update'; id: string; state: WparState; reason: string | null; spec: WparSpec }
  /** Found here, and a definition of that name deployed nowhere: it is that one. */
  | { kind: 'adopt'; id: string; state: WparState; reason: string | null; spec: WparSpec }
  /** Found here and unknown to the manager (made with the local commands). */
  | { kind: 'discover'; state: WparState; reason: string | null; spec: WparSpec }
  /** Deployed here according to the manager, gone from the system. */
  | { kind: 'vanished'; id: string }
  /** Found here, but the manager has it deployed on another system. */
  | { kind: 'conflict'; name: string; otherSystemId: string };

/** `known`: every WPAR deployed on the system, and every WPAR named in the report. */
export function planReconcile(systemId: string, known: KnownWpar[], reports: WparReport[]): ReconcileStep[] {
  const byName = new Map(known.map((w) => [w.name, w]));
  const reported = new Set(reports.map((r) => r.name));
  const steps: ReconcileStep[] = [];
  for (const r of reports) {
    const reason = r.state === 'Broken' ? r.brokenReason ?? 'broken on its system' : null;
    const w = byName.get(r.name);
    if (!w) {
      steps.push({ kind: 'discover', state: r.state, reason, spec: r.spec });
    } else if (w.busy) {
      continue;
    } else if (w.systemId === systemId) {
      if (w.state !== r.state || w.stateReason !== reason || !isDeepStrictEqual(w.spec, r.spec)) {
        steps.push({ kind: 'update', id: w.id, state: r.state, reason, spec: r.spec });
      }
    } else if (w.systemId === null) {
      steps.push({ kind: 'adopt', id: w.id, state: r.state, reason, spec: r.spec });
    } else {
      steps.push({ kind: 'conflict', name: r.name, otherSystemId: w.systemId });
    }
  }
  for (const w of known) {
    if (w.systemId === systemId && !w.busy && !reported.has(w.name)) steps.push({ kind: 'vanished', id: w.id });
  }
  return steps;
}

/** Reads what the plan needs, plans, and applies it in one transaction. Returns the steps taken. */
export async function reconcileSystem(db: Kysely<Database>, log: Logger, systemId: string, reports: WparReport[]): Promise<ReconcileStep[]> {
  return db.transaction().execute(async (trx) => {
    const names = reports.map((r) => r.name);
    let q = trx.selectFrom('wpars').select(['id', 'name', 'state', 'state_reason', 'system_id', 'busy_task_id', 'spec']);
    q = names.length > 0 ? q.where((eb) => eb.or([eb('system_id', '=', systemId), eb('name', 'in', names)])) : q.where('system_id', '=', systemId);
    const rows = await q.execute();
    const known: KnownWpar[] = rows.map((r) => ({
      id: r.id,
      name: r.name,
      state: r.state as WparState,
      stateReason: r.state_reason,
      systemId: r.system_id,
      busy: r.busy_task_id !== null,
      spec: JSON.parse(r.spec) as WparSpec,
    }));
    const steps = planReconcile(systemId, known, reports);
    const now = new Date().toISOString();
    for (const s of steps) {
      switch (s.kind) {
        case 'update':
        case 'adopt':
          await trx.updateTable('wpars')
            .set({ state: s.state, state_reason: s.reason, system_id: systemId, spec: JSON.stringify(s.spec), type: s.spec.type, updated_at: now })
            .where('id', '=', s.id).where('busy_task_id', 'is', null)
            .execute();
          break;
        case 'discover':
          await trx.insertInto('wpars')
            .values({
              id: randomUUID(), name: s.spec.name, type: s.spec.type, spec: JSON.stringify(s.spec), group_id: DEFAULTS.groupId,
              state: s.state, state_reason: s.reason, exit_status: null, system_id: systemId, busy_task_id: null, created_at: now, updated_at: now,
            })
            .execute();
          break;
        case 'vanished':
          await trx.updateTable('wpars').set({ state: 'Undeployed', state_reason: null, system_id: null, updated_at: now })
            .where('id', '=', s.id).where('busy_task_id', 'is', null)
            .execute();
          break;
        case 'conflict':
          log.warn({ systemId, wpar: s.name, otherSystemId: s.otherSystemId }, 'a WPAR of this name is deployed on another system; not discovered');
          break;
      }
    }
    return steps;
  });
}
