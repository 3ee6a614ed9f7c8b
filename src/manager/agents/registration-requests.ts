// Registrations that would take a system over from its registered agent wait here for an
// administrator: one per system name (a newer request replaces a waiting one), approved or
// refused by name. The agent asks again with the same certificate request until decided.
import type { Kysely } from 'kysely';
import type { RegisterRequest, RegistrationRequestView } from '../../api/agents.js';
import { CapstanError } from '../../api/errors.js';
import type { AgentRegistrationRequestsTable, Database } from '../db/schema.js';

/** Waiting requests beyond which new ones are refused (each holds a row and an administrator's attention). */
export const MAX_WAITING_REQUESTS = 100;

export type RegistrationRequestRow = AgentRegistrationRequestsTable;

export class RegistrationRequests {
  constructor(private readonly db: Kysely<Database>) {}

  async find(name: string): Promise<RegistrationRequestRow | undefined> {
    return this.db.selectFrom('agent_registration_requests').selectAll().where('system_name', '=', name).executeTakeFirst();
  }

  /** Records `req` as waiting (replacing whatever was asked under its name before). CAP-E0617 when too many wait. */
  async wait(req: RegisterRequest, keyFingerprint: string, source: string): Promise<void> {
    const row: RegistrationRequestRow = {
      system_name: req.name, csr: req.csr, key_fingerprint: keyFingerprint, host: req.host, agent_port: req.agentPort,
      source, state: 'pending', created_at: new Date().toISOString(), decided_at: null, decided_by: null,
    };
    await this.db.transaction().execute(async (trx) => {
      const waiting = await trx.selectFrom('agent_registration_requests').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', '=', 'pending').where('system_name', '!=', req.name).executeTakeFirstOrThrow();
      if (Number(waiting.n) >= MAX_WAITING_REQUESTS) throw new CapstanError('CAP-E0617');
      await trx.deleteFrom('agent_registration_requests').where('system_name', '=', req.name).execute();
      await trx.insertInto('agent_registration_requests').values(row).execute();
    });
  }

  /** Approves or refuses the request waiting under `name` (CAP-E0615 when none waits). */
  async decide(name: string, decision: 'approved' | 'refused', by: string): Promise<RegistrationRequestView> {
    const r = await this.db.updateTable('agent_registration_requests').set({ state: decision, decided_at: new Date().toISOString(), decided_by: by })
      .where('system_name', '=', name).where('state', '=', 'pending').executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new CapstanError('CAP-E0615', name);
    return viewOf((await this.find(name))!);
  }

  /** Done with: the approved agent has its certificate. */
  async remove(name: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.deleteFrom('agent_registration_requests').where('system_name', '=', name).execute();
  }

  async list(): Promise<RegistrationRequestView[]> {
    const rows = await this.db.selectFrom('agent_registration_requests').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map(viewOf);
  }
}

function viewOf(r: RegistrationRequestRow): RegistrationRequestView {
  return {
    systemName: r.system_name, keyFingerprint: r.key_fingerprint, host: r.host, agentPort: r.agent_port, source: r.source,
    state: r.state, requestedAt: r.created_at, decidedAt: r.decided_at, decidedBy: r.decided_by,
  };
}
