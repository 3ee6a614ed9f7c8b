// The privilege policy, enforced before any task exists: who may give a WPAR what reaches
// its host (src/api/privileges.ts decides, this reads what it decides on), and whether a
// system can and may run a WPAR with the privileges it holds.
import type { Kysely } from 'kysely';
import type { HostProfile } from '../../api/agents.js';
import { CapstanError } from '../../api/errors.js';
import { beyondAllowance, capabilitiesLacking, describePrivilege, PRIVILEGE_REFUSALS, ungranted, type Privilege } from '../../api/privileges.js';
import { mayGrantPrivileges, PRIVILEGE_GRANTING_ROLES, type Role } from '../../api/roles.js';
import type { WparSpec } from '../../api/wpar.js';
import { DEFAULTS } from '../db/migrations.js';
import type { Database } from '../db/schema.js';
import type { DomainService } from './domains.js';

/** Who asks: the tasks it makes carry the name, the roles decide what it may grant. */
export interface Actor {
  name: string;
  roles: readonly Role[];
}

/** The manager acting on its own (evacuation, a restart after a lost host): it grants nothing new, so it may move what exists. */
export function managerActor(name: string): Actor {
  return { name, roles: PRIVILEGE_GRANTING_ROLES };
}

/** Where a definition is checked: the system it is (to be) deployed on, else its group. */
export type Placement = { systemId: string } | { groupId: string };

export class PrivilegeGuard {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly domains: DomainService,
  ) {}

  /**
   * Refuses a definition (new, or changed from `before`) that grants what the actor may not:
   * beyond its domain's allowance without the WPARAdministrator role.
   */
  async assertMayDefine(actor: Actor, before: WparSpec | undefined, after: WparSpec, where: Placement): Promise<void> {
    if (mayGrantPrivileges(actor.roles)) return;
    refuse(ungranted(before, after, await this.domains.allowance(await this.domainOf(where))));
  }

  /**
   * Refuses to deploy or relocate a WPAR onto a system that cannot give it its capabilities,
   * or whose domain does not allow what it holds unless the actor may grant it, or at all
   * while the WPAR's privileges await an administrator's acceptance.
   */
  async assertMayPlace(actor: Actor, wpar: { name: string; spec: WparSpec; unaccepted: boolean }, systemId: string): Promise<void> {
    if (wpar.unaccepted) throw new CapstanError('CAP-E0213', wpar.name);
    const system = await this.assertHostCan(wpar.spec, systemId);
    if (!mayGrantPrivileges(actor.roles)) refuse(beyondAllowance(wpar.spec, await this.domains.allowance(system.domain_id)));
  }

  /**
   * A session inside a WPAR holds what the WPAR holds: refused to an actor who could not give
   * the WPAR its privileges where it is (beyond its domain's allowance without the
   * WPARAdministrator role), or while they await an administrator's acceptance.
   */
  async assertMayEnter(actor: Actor, wpar: { name: string; spec: WparSpec; unaccepted: boolean }, where: Placement): Promise<void> {
    if (mayGrantPrivileges(actor.roles)) return;
    if (wpar.unaccepted) throw new CapstanError('CAP-E0213', wpar.name);
    refuse(beyondAllowance(wpar.spec, await this.domains.allowance(await this.domainOf(where))));
  }

  /** Refuses a spec asking for a capability the system's agent did not report among those it can give (CAP-E0212). */
  async assertHostCan(spec: WparSpec, systemId: string): Promise<{ domain_id: string }> {
    const system = await this.db.selectFrom('systems').select(['name', 'domain_id', 'profile']).where('id', '=', systemId).executeTakeFirstOrThrow();
    if (spec.privileges === undefined) return system;
    const available = system.profile === null ? [] : (JSON.parse(system.profile) as HostProfile).privileges.available;
    const lacking = capabilitiesLacking(spec, available);
    if (lacking.length > 0) {
      throw new CapstanError('CAP-E0212', `${system.name} has no ${lacking.join(', ')}${system.profile === null ? ' (it has not reported its profile yet)' : ''}`, { lacking });
    }
    return system;
  }

  private async domainOf(where: Placement): Promise<string> {
    if ('systemId' in where) {
      return (await this.db.selectFrom('systems').select('domain_id').where('id', '=', where.systemId).executeTakeFirstOrThrow()).domain_id;
    }
    const group = await this.db.selectFrom('wpar_groups').select('policy').where('id', '=', where.groupId).executeTakeFirst();
    const policy = group ? (JSON.parse(group.policy) as { domain?: string }) : {};
    return policy.domain ?? DEFAULTS.domainId;
  }
}

/** The first privilege not granted, refused with its field's code; nothing when all are. */
function refuse(denied: Privilege[]): void {
  const first = denied[0];
  if (!first) return;
  throw new CapstanError(PRIVILEGE_REFUSALS[first.kind], denied.map(describePrivilege).join('; '), { field: first.field, denied });
}
