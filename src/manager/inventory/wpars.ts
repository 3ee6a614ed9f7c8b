// WPAR definitions and actions. Everything a request can be refused for is checked here,
// before any task exists: a refused request stores nothing. What passes becomes a task
// (wpar-tasks.ts) that holds the WPAR's busy claim, so one action at a time acts on a WPAR.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { Page } from '../../api/resources.js';
import { DEFINITION_TASK, SYSTEM_ACTION_TASK, type DefinitionParams, type SystemActionParams, type TaskKindName, type TaskParamsByKind } from '../../api/task-kinds.js';
import type { TaskView } from '../../api/tasks.js';
import type { WparAction } from '../../api/wpar-states.js';
import {
  normalizeWparSpec,
  type CloneWparRequest,
  type CreateWparRequest,
  type DeployRequest,
  type ModifyWparRequest,
  type RemoveRequest,
  type WparListQuery,
  type WparSpec,
  type WparStateAction,
  type WparView,
} from '../../api/wpar.js';
import { DEFAULTS } from '../db/migrations.js';
import type { Database, WparRow } from '../db/schema.js';
import type { TaskEngine } from '../tasks/engine.js';
import type { DriverRegistry } from './driver.js';
import type { GroupService } from './groups.js';
import type { NamedResources } from './named.js';
import type { Actor, PrivilegeGuard } from './privilege-guard.js';
import type { SystemService } from './systems.js';
import { specOf, type WparStore } from './wpar-store.js';
import { WparViews } from './wpar-views.js';
import { assertAddressesFree } from './address-check.js';
import { applyModification, assertChangesAllowed, changedProperties, changesTheSystem, specFromTemplate } from './wpar-rules.js';

/** Checked before a WPAR is deployed on a system (instant capacity: does it have the active capacity?); throws to refuse. */
export type DeployGuard = (wpar: { id: string; name: string; spec: WparSpec }, systemId: string) => Promise<void>;

export class WparService {
  readonly named: NamedResources<'wpars'>;
  private readonly views: WparViews;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: WparStore,
    private readonly tasks: TaskEngine,
    private readonly drivers: DriverRegistry,
    private readonly systems: SystemService,
    private readonly groups: GroupService,
    private readonly privileges: PrivilegeGuard,
    /** No guard, no check. */
    private readonly deployGuard?: DeployGuard,
  ) {
    this.named = store.named;
    this.views = new WparViews(db);
  }

  async list(query: WparListQuery): Promise<Page<WparView>> {
    const { system, group, ...rest } = query;
    return this.views.list({
      ...rest,
      systemId: system === undefined ? undefined : (await this.systems.named.require(system)).id,
      groupId: group === undefined ? undefined : (await this.groups.named.require(group)).id,
    });
  }

  async get(ref: string): Promise<WparView> {
    return this.named.found(await this.views.find((await this.named.require(ref)).id), ref);
  }

  /** A new definition; with a system, deployed there by the same task. */
  async create(req: CreateWparRequest, by: Actor): Promise<TaskView> {
    const { group, system, start, ...spec } = req;
    if (start !== undefined && system === undefined) throw new CapstanError('CAP-E0207', 'start needs a system to deploy on');
    const groupId = group === undefined ? DEFAULTS.groupId : (await this.groups.named.require(group)).id;
    return this.define(normalizeWparSpec(spec), groupId, by, system === undefined ? undefined : { system, start: start ?? false });
  }

  /** A new definition from an existing WPAR used as a template. */
  async clone(ref: string, req: CloneWparRequest, by: Actor): Promise<TaskView> {
    const template = await this.named.require(ref);
    const spec = specFromTemplate(specOf(template), req);
    const groupId = req.group === undefined ? template.group_id : (await this.groups.named.require(req.group)).id;
    return this.define(spec, groupId, by);
  }

  /** Any property while Undeployed; once deployed only what the state allows. */
  async modify(ref: string, req: ModifyWparRequest, by: Actor): Promise<TaskView> {
    const { row, facts } = await this.store.actionable(ref, 'modify');
    const { group, ...change } = req;
    const before = { spec: specOf(row), groupId: row.group_id };
    const after = {
      spec: normalizeWparSpec(applyModification(before.spec, change)),
      groupId: group === undefined ? row.group_id : (await this.groups.named.require(group)).id,
    };
    const changed = changedProperties(before, after);
    assertChangesAllowed(facts, changed);
    if (after.spec.name !== row.name) await this.named.assertNameFree(after.spec.name, row.id);
    await this.privileges.assertMayDefine(by, before.spec, after.spec, row.system_id === null ? { groupId: after.groupId } : { systemId: row.system_id });
    if (row.system_id !== null && changed.includes('privileges')) await this.privileges.assertHostCan(after.spec, row.system_id);

    if (!changesTheSystem(facts.state, changed)) {
      const params: DefinitionParams = { wparId: row.id, ...after };
      return this.submitClaimed(row, DEFINITION_TASK.modify, params, by.name);
    }
    const params: SystemActionParams = { wparId: row.id, systemId: await this.onlineSystem(row.system_id), action: 'modify', fromState: facts.state, ...after, changed };
    return this.submitClaimed(row, SYSTEM_ACTION_TASK.modify, params, by.name);
  }

  /** Removes the WPAR from its system (when deployed) and deletes its definition. */
  async delete(ref: string, by: string): Promise<TaskView> {
    return this.removeAs('delete', ref, { preserveFileSystems: false, deleteDefinition: true }, by);
  }

  async deploy(ref: string, req: DeployRequest, by: Actor): Promise<TaskView> {
    const { row } = await this.store.actionable(ref, 'deploy');
    if (req.system === undefined) throw new CapstanError('CAP-E0207');
    const systemId = await this.deployTarget(req.system);
    const wpar = { id: row.id, name: row.name, spec: specOf(row), unaccepted: row.privileges_unaccepted === 1 };
    await this.privileges.assertMayPlace(by, wpar, systemId);
    await this.assertAddressesFreeOn(systemId, row.id, wpar.spec);
    await this.deployGuard?.(wpar, systemId);
    const params: SystemActionParams = { wparId: row.id, systemId, action: 'deploy', fromState: 'Undeployed', start: req.start };
    return this.submitClaimed(row, SYSTEM_ACTION_TASK.deploy, params, by.name);
  }

  /** The seed: removing a WPAR that is only a definition removes it completely. */
  async remove(ref: string, req: RemoveRequest, by: string): Promise<TaskView> {
    return this.removeAs('remove', ref, req, by);
  }

  async act(ref: string, action: WparStateAction, by: string): Promise<TaskView> {
    const { row, facts } = await this.store.actionable(ref, action);
    const params: SystemActionParams = { wparId: row.id, systemId: await this.onlineSystem(row.system_id), action, fromState: facts.state };
    return this.submitClaimed(row, SYSTEM_ACTION_TASK[action], params, by);
  }

  private async removeAs(action: Extract<WparAction, 'remove' | 'delete'>, ref: string, req: RemoveRequest, by: string): Promise<TaskView> {
    const { row, facts } = await this.store.actionable(ref, action);
    if (req.preserveFileSystems && facts.type !== 'system') {
      throw new CapstanError('CAP-E0001', 'preserveFileSystems applies to system WPARs only');
    }
    if (facts.state === 'Undeployed') return this.submitClaimed(row, DEFINITION_TASK.delete, { wparId: row.id }, by);
    const params: SystemActionParams = {
      wparId: row.id,
      systemId: await this.onlineSystem(row.system_id),
      action: 'remove',
      fromState: facts.state,
      preserveFileSystems: req.preserveFileSystems,
      deleteDefinition: req.deleteDefinition,
    };
    return this.submitClaimed(row, SYSTEM_ACTION_TASK.remove, params, by);
  }

  private async define(spec: WparSpec, groupId: string, by: Actor, deployTo?: { system: string; start: boolean }): Promise<TaskView> {
    await this.named.assertNameFree(spec.name);
    const definition: DefinitionParams = { wparId: randomUUID(), spec, groupId };
    const target = { kind: 'wpar', id: definition.wparId, name: spec.name };
    if (!deployTo) {
      await this.privileges.assertMayDefine(by, undefined, spec, { groupId });
      return this.tasks.submit(DEFINITION_TASK.create, definition, { target, createdBy: by.name });
    }
    const systemId = await this.deployTarget(deployTo.system);
    await this.privileges.assertMayPlace(by, { name: spec.name, spec, unaccepted: false }, systemId);
    await this.assertAddressesFreeOn(systemId, definition.wparId, spec);
    await this.deployGuard?.({ id: definition.wparId, name: spec.name, spec }, systemId);
    const params: SystemActionParams = { wparId: definition.wparId, systemId, action: 'deploy', fromState: 'Undeployed', define: definition, start: deployTo.start };
    return this.tasks.submit(SYSTEM_ACTION_TASK.deploy, params, { target, createdBy: by.name });
  }

  /** The system a manual deploy names: online, and not being evacuated (CAP-E0929: what it takes now would be moved off again, or stay behind). */
  private async deployTarget(ref: string): Promise<string> {
    const system = await this.systems.get(ref);
    if (system.placementBlocked) throw new CapstanError('CAP-E0929', system.name);
    return this.onlineSystem(system.id);
  }

  /** Refuses (CAP-E0007) addresses that a WPAR on the system already uses on the same bridge. */
  private async assertAddressesFreeOn(systemId: string, wparId: string, spec: WparSpec): Promise<void> {
    if (spec.interfaces.length === 0) return;
    const others = await this.db.selectFrom('wpars').select(['name', 'spec']).where('system_id', '=', systemId).where('id', '!=', wparId).execute();
    assertAddressesFree(spec, others.map((o) => ({ name: o.name, spec: specOf(o) })));
  }

  /** The system to act on, refused with CAP-E0302 unless its driver is connected. */
  private async onlineSystem(systemId: string | null): Promise<string> {
    if (systemId === null) throw new Error('a deployed WPAR without a system: the state rules were bypassed');
    if (!this.drivers.get(systemId)) throw new CapstanError('CAP-E0302', (await this.systems.named.require(systemId)).name);
    return systemId;
  }

  /**
   * An administrator accepts the privileged fields of a WPAR discovered with them: from now
   * on it may be deployed and relocated like any other.
   */
  async acceptPrivileges(ref: string): Promise<WparView> {
    const row = await this.named.require(ref);
    await this.store.acceptPrivileges(row.id);
    return this.get(row.id);
  }

  /** Submits a task of another service (relocation) that holds the WPAR's busy claim like the inventory's own. */
  async submitClaimedTask<K extends TaskKindName>(ref: string, kind: K, params: TaskParamsByKind[K], by: string): Promise<TaskView> {
    const row = await this.named.require(ref);
    await this.store.assertFree(row);
    return this.submitClaimed(row, kind, params, by);
  }

  private submitClaimed<K extends TaskKindName>(row: WparRow, kind: K, params: TaskParamsByKind[K], by: string): Promise<TaskView> {
    return this.store.claimFor(row, () => this.tasks.submit(kind, params, { target: { kind: 'wpar', id: row.id, name: row.name }, createdBy: by }));
  }
}
