// WPAR groups and their relocation policies: every WPAR belongs to one; the default one
// always exists. The policy is stored here and read by the policy engine.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Value } from 'typebox/value';
import { CapstanError } from '../../api/errors.js';
import { policyProblems, RelocationPolicy, type CreateGroupRequest, type GroupListQuery, type GroupView, type ModifyGroupRequest } from '../../api/groups.js';
import type { Page } from '../../api/resources.js';
import { DEFAULTS } from '../db/migrations.js';
import type { Database } from '../db/schema.js';
import type { DomainService } from './domains.js';
import { countWhere, NamedResources, pageOf } from './named.js';

export class GroupService {
  readonly named: NamedResources<'wpar_groups'>;

  constructor(private readonly db: Kysely<Database>, private readonly domains?: DomainService) {
    this.named = new NamedResources(db, 'wpar_groups', 'WPAR group');
  }

  async list(query: GroupListQuery): Promise<Page<GroupView>> {
    const page = await pageOf(this.views().orderBy('name'), query);
    return { total: page.total, items: page.items.map(toView) };
  }

  async get(ref: string): Promise<GroupView> {
    const { id } = await this.named.require(ref);
    return toView(this.named.found(await this.views().where('id', '=', id).executeTakeFirst(), ref));
  }

  async create(req: CreateGroupRequest): Promise<GroupView> {
    const id = randomUUID();
    const policy = await this.storedPolicy(req.policy ?? {});
    await this.named.write(req.name, undefined, (trx) =>
      trx.insertInto('wpar_groups')
        .values({ id, name: req.name, description: req.description ?? '', policy, created_at: new Date().toISOString() })
        .execute());
    return this.get(id);
  }

  async modify(ref: string, req: ModifyGroupRequest): Promise<GroupView> {
    const { id } = await this.named.require(ref);
    const policy = req.policy && await this.storedPolicy(req.policy);
    await this.named.write(req.name, id, (trx) =>
      trx.updateTable('wpar_groups').set({ name: req.name, description: req.description, policy }).where('id', '=', id).execute());
    return this.get(id);
  }

  async remove(ref: string): Promise<void> {
    await this.named.remove(ref, {
      defaultId: DEFAULTS.groupId,
      inUse: { code: 'CAP-E0301', what: 'WPAR(s)', count: (db, id) => countWhere(db, 'wpars', 'group_id', id) },
    });
  }

  /** The policy as stored (JSON), its relocation domain by id: a rename keeps it; CAP-E0900 when there is no such domain. */
  private async storedPolicy(input: unknown): Promise<string> {
    const policy = JSON.parse(checkedPolicy(input)) as RelocationPolicy;
    if (policy.domain !== undefined && this.domains) {
      const domain = await this.domains.named.find(policy.domain);
      if (!domain) throw new CapstanError('CAP-E0900', policy.domain);
      policy.domain = domain.id;
    }
    const id = await this.wparIds([...policy.pinned, ...policy.affinity.flat(), ...policy.antiAffinity.flat()]);
    policy.pinned = policy.pinned.map(id);
    policy.affinity = policy.affinity.map((set) => set.map(id));
    policy.antiAffinity = policy.antiAffinity.map((set) => set.map(id));
    // Names and ids of one WPAR in a set are one WPAR: checked again once resolved.
    checkedPolicy(policy);
    return JSON.stringify(policy);
  }

  /** The rules' WPARs by id: a rename keeps them; CAP-E0930 for a WPAR that does not exist. */
  private async wparIds(refs: string[]): Promise<(ref: string) => string> {
    const wanted = [...new Set(refs)];
    const rows = wanted.length === 0 ? [] : await this.db.selectFrom('wpars').select(['id', 'name'])
      .where((eb) => eb.or([eb('id', 'in', wanted), eb('name', 'in', wanted)])).execute();
    const byRef = new Map<string, string>();
    for (const r of rows) byRef.set(r.name, r.id);
    for (const r of rows) byRef.set(r.id, r.id);
    const unknown = wanted.filter((r) => !byRef.has(r));
    if (unknown.length > 0) throw new CapstanError('CAP-E0930', unknown.join(', '));
    return (ref) => byRef.get(ref)!;
  }

  private views() {
    return this.db.selectFrom('wpar_groups').selectAll()
      .select((eb) => eb.selectFrom('wpars').select(eb.fn.countAll().as('n')).whereRef('wpars.group_id', '=', 'wpar_groups.id').as('wpar_count'));
  }
}

/** The policy as stored (JSON), with defaults filled in; CAP-E0303 when its rules are broken. */
function checkedPolicy(input: unknown): string {
  const policy = withDefaults(input);
  const problems = policyProblems(policy);
  if (problems.length) throw new CapstanError('CAP-E0303', problems.join('; '), { problems });
  return JSON.stringify(policy);
}

function withDefaults(policy: unknown): RelocationPolicy {
  return Value.Default(RelocationPolicy, structuredClone(policy)) as RelocationPolicy;
}

function toView(row: { id: string; name: string; description: string; policy: string; created_at: string; wpar_count: unknown }): GroupView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    // Stored before some defaults existed (the default group's '{}'): completed on the way out.
    policy: withDefaults(JSON.parse(row.policy)),
    isDefault: row.id === DEFAULTS.groupId,
    wparCount: Number(row.wpar_count),
    createdAt: row.created_at,
  };
}
