// Managed systems: added by name and host (Unknown until their agent reports), moved between
// relocation domains, removed once no WPAR is deployed on them (or with what becomes of them).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Page } from '../../api/resources.js';
import type { AddSystemRequest, ModifySystemRequest, SystemListQuery, SystemState, SystemView } from '../../api/systems.js';
import type { HostProfile } from '../../api/agents.js';
import { DEFAULTS } from '../db/migrations.js';
import type { Database } from '../db/schema.js';
import type { DomainService } from './domains.js';
import { countWhere, NamedResources, pageOf } from './named.js';
import { systemProfileId } from './system-profile.js';

export class SystemService {
  readonly named: NamedResources<'systems'>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly domains: DomainService,
    /** Told of every system removed (its agent is revoked, its compatibility forgotten). */
    private readonly removed?: (systemId: string) => Promise<void>,
  ) {
    this.named = new NamedResources(db, 'systems', 'managed system');
  }

  async list(query: SystemListQuery): Promise<Page<SystemView>> {
    let q = this.views().orderBy('systems.name');
    if (query.state) q = q.where('systems.state', '=', query.state);
    if (query.domain) q = q.where('systems.domain_id', '=', (await this.domains.named.require(query.domain)).id);
    const page = await pageOf(q, query);
    return { total: page.total, items: page.items.map(toView) };
  }

  async get(ref: string): Promise<SystemView> {
    const { id } = await this.named.require(ref);
    return toView(this.named.found(await this.views().where('systems.id', '=', id).executeTakeFirst(), ref));
  }

  /** Adds a system by name and host; it stays Unknown until its agent reports. */
  async create(req: AddSystemRequest): Promise<SystemView> {
    const id = randomUUID();
    const now = new Date().toISOString();
    await this.named.write(req.name, undefined, async (trx) => {
      const domainId = req.domain ? (await this.domains.named.require(req.domain, trx)).id : DEFAULTS.domainId;
      const state: SystemState = 'Unknown';
      await trx.insertInto('systems')
        .values({ id, name: req.name, host: req.host, state, domain_id: domainId, profile: null, created_at: now, updated_at: now, last_seen_at: null })
        .execute();
    });
    return this.get(id);
  }

  async modify(ref: string, req: ModifySystemRequest): Promise<SystemView> {
    const { id } = await this.named.require(ref);
    await this.named.write(req.name, id, async (trx) => {
      const domainId = req.domain ? (await this.domains.named.require(req.domain, trx)).id : undefined;
      await trx.updateTable('systems').set({ name: req.name, domain_id: domainId, updated_at: new Date().toISOString() }).where('id', '=', id).execute();
    });
    return this.get(id);
  }

  /**
   * Refused (CAP-E0004) while WPARs are deployed on it, unless `prepare` (in the removal's
   * transaction) lets go of them: see system-removal.ts for the seed's two choices.
   */
  async remove(ref: string, prepare?: (trx: Kysely<Database>, systemId: string) => Promise<void>): Promise<void> {
    const { id } = await this.named.require(ref);
    await this.named.remove(ref, {
      prepare,
      inUse: {
        code: 'CAP-E0004',
        what: 'deployed WPAR(s)',
        hint: 'choose to preserve them as Undeployed definitions (capstan system remove --preserve-wpars, wpars=preserve) or to remove them all (--remove-wpars, wpars=remove)',
        count: (db, id) => countWhere(db, 'wpars', 'system_id', id),
      },
    });
    await this.removed?.(id);
  }

  private views() {
    return this.db.selectFrom('systems')
      .innerJoin('relocation_domains', 'relocation_domains.id', 'systems.domain_id')
      .leftJoin('system_mobility', 'system_mobility.system_id', 'systems.id')
      .selectAll('systems')
      .select(['relocation_domains.name as domain_name', 'system_mobility.compat_tested_at', 'system_mobility.placement_blocked'])
      .select((eb) => eb.selectFrom('wpars').select(eb.fn.countAll().as('n')).whereRef('wpars.system_id', '=', 'systems.id').as('wpar_count'));
  }
}

function toView(row: Database['systems'] & { domain_name: string; wpar_count: unknown; compat_tested_at: string | null; placement_blocked: number | null }): SystemView {
  const profile = row.profile === null ? null : (JSON.parse(row.profile) as HostProfile);
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    state: row.state as SystemState,
    profile,
    systemProfile: systemProfileId(row.domain_id, profile),
    domain: { id: row.domain_id, name: row.domain_name },
    wparCount: Number(row.wpar_count),
    lastSeenAt: row.last_seen_at,
    compatibilityTestedAt: row.compat_tested_at,
    placementBlocked: Number(row.placement_blocked ?? 0) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
