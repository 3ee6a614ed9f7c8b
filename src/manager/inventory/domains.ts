// Relocation domains: every system belongs to one; the default one always exists.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CreateDomainRequest, DomainListQuery, DomainView, ModifyDomainRequest } from '../../api/domains.js';
import { NO_ALLOWANCE, normalPath, type DomainAllowance } from '../../api/privileges.js';
import type { Page } from '../../api/resources.js';
import { DEFAULTS } from '../db/migrations.js';
import type { Database } from '../db/schema.js';
import { countWhere, NamedResources, pageOf } from './named.js';

export class DomainService {
  readonly named: NamedResources<'relocation_domains'>;

  constructor(private readonly db: Kysely<Database>) {
    this.named = new NamedResources(db, 'relocation_domains', 'relocation domain');
  }

  async list(query: DomainListQuery): Promise<Page<DomainView>> {
    const page = await pageOf(this.views().orderBy('name'), query);
    return { total: page.total, items: page.items.map(toView) };
  }

  async get(ref: string): Promise<DomainView> {
    const { id } = await this.named.require(ref);
    return toView(this.named.found(await this.views().where('id', '=', id).executeTakeFirst(), ref));
  }

  async create(req: CreateDomainRequest): Promise<DomainView> {
    const id = randomUUID();
    await this.named.write(req.name, undefined, (trx) =>
      trx.insertInto('relocation_domains')
        .values({ id, name: req.name, description: req.description ?? '', allowance: storeAllowance(req.allowance ?? NO_ALLOWANCE), created_at: new Date().toISOString() })
        .execute());
    return this.get(id);
  }

  async modify(ref: string, req: ModifyDomainRequest): Promise<DomainView> {
    const { id } = await this.named.require(ref);
    const allowance = req.allowance && storeAllowance({ ...(await this.allowance(id)), ...req.allowance });
    await this.named.write(req.name, id, (trx) =>
      trx.updateTable('relocation_domains')
        .set({ name: req.name, description: req.description, allowance })
        .where('id', '=', id).execute());
    return this.get(id);
  }

  async remove(ref: string): Promise<void> {
    await this.named.remove(ref, {
      defaultId: DEFAULTS.domainId,
      inUse: { code: 'CAP-E0301', what: 'system(s)', count: (db, id) => countWhere(db, 'systems', 'domain_id', id) },
    });
  }

  /** What any WPAR user may grant on the systems of a domain. */
  async allowance(domainId: string): Promise<DomainAllowance> {
    const row = await this.db.selectFrom('relocation_domains').select('allowance').where('id', '=', domainId).executeTakeFirst();
    return row ? parseAllowance(row.allowance) : NO_ALLOWANCE;
  }

  private views() {
    return this.db.selectFrom('relocation_domains').selectAll()
      .select((eb) => eb.selectFrom('systems').select(eb.fn.countAll().as('n')).whereRef('systems.domain_id', '=', 'relocation_domains.id').as('system_count'));
  }
}

/** Paths normalised (a prefix is compared component by component), each entry once. */
function storeAllowance(a: DomainAllowance): string {
  const unique = (xs: string[]) => [...new Set(xs)].sort();
  return JSON.stringify({ mountSources: unique(a.mountSources.map(normalPath)), capabilities: unique(a.capabilities) });
}

function parseAllowance(text: string): DomainAllowance {
  const a = JSON.parse(text) as Partial<DomainAllowance>;
  return { mountSources: a.mountSources ?? [], capabilities: a.capabilities ?? [] };
}

function toView(row: { id: string; name: string; description: string; allowance: string; created_at: string; system_count: unknown }): DomainView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isDefault: row.id === DEFAULTS.domainId,
    systemCount: Number(row.system_count),
    allowance: parseAllowance(row.allowance),
    createdAt: row.created_at,
  };
}
