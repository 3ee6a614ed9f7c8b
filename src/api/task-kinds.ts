// Every kind of task the manager runs and the parameters it takes. The task engine's register
// and submit are typed by this registry: a task submitted, or a handler registered, with the
// wrong parameters fails the type check.
import type { ImageTransport, MemoryMethod } from './relocation.js';
import type { Permission } from './roles.js';
import type { AgentAction, WparState } from './wpar-states.js';
import type { WparSpec } from './wpar.js';

/** A WPAR's definition: what the manager keeps whether or not it is deployed. */
export interface DefinitionParams {
  wparId: string;
  spec: WparSpec;
  groupId: string;
}

/** An action on a WPAR's system. */
export interface SystemActionParams {
  wparId: string;
  systemId: string;
  action: AgentAction;
  /** The state before the action (modify leaves it unchanged). */
  fromState: WparState;
  /** deploy of a WPAR created by the same request: its definition. */
  define?: DefinitionParams;
  /** modify: the new definition. */
  spec?: WparSpec;
  groupId?: string;
  changed?: string[];
  start?: boolean;
  preserveFileSystems?: boolean;
  deleteDefinition?: boolean;
}

export interface RelocationParams {
  relocationId: string;
  wparId: string;
  name: string;
  fromId: string;
  toId: string;
  method: MemoryMethod;
  transport: ImageTransport;
  /** End the WPAR's open sessions (clogin, console) before it freezes; without it they refuse the move. */
  endSessions?: boolean;
}

export interface SystemParams {
  systemId: string;
}

export interface BackupParams {
  /** The backup's file name, fixed at submission so a resumed run writes the same file. */
  name: string;
}

export const DEFINITION_TASK = { create: 'wpar.create', modify: 'wpar.modify', delete: 'wpar.delete' } as const;

/** The task of each action on a WPAR's system. */
export const SYSTEM_ACTION_TASK = {
  deploy: 'wpar.deploy',
  start: 'wpar.start',
  stop: 'wpar.stop',
  pause: 'wpar.pause',
  freeze: 'wpar.freeze',
  resume: 'wpar.resume',
  endProcesses: 'wpar.endProcesses',
  remove: 'wpar.remove',
  // Changing a deployed WPAR's properties on its system (the seed's chwpar through the agent).
  modify: 'wpar.reconfigure',
} as const satisfies Record<AgentAction, string>;

export const RELOCATE_TASK = 'wpar.relocate';
export const AGENT_REPORT_TASK = { discover: 'system.discover', updateProfile: 'system.updateProfile' } as const;
export const EVACUATE_TASK = 'system.evacuate';
/** Removing a system with its WPARs: each removed from it and deleted, then the system. */
export const SYSTEM_REMOVE_TASK = 'system.remove';
export const BACKUP_TASK = 'db.backup';

/** The registry: each task kind and its parameters. */
export type TaskParamsByKind =
  & {
    [DEFINITION_TASK.create]: DefinitionParams;
    [DEFINITION_TASK.modify]: DefinitionParams;
    [DEFINITION_TASK.delete]: { wparId: string };
    [RELOCATE_TASK]: RelocationParams;
    [AGENT_REPORT_TASK.discover]: SystemParams;
    [AGENT_REPORT_TASK.updateProfile]: SystemParams;
    [EVACUATE_TASK]: SystemParams;
    [SYSTEM_REMOVE_TASK]: SystemParams;
    [BACKUP_TASK]: BackupParams;
  }
  & { [K in (typeof SYSTEM_ACTION_TASK)[AgentAction]]: SystemActionParams };

export type TaskKindName = keyof TaskParamsByKind;

/**
 * What cancelling a task of each kind needs: what starting it needs. A WPARUser cancels WPAR
 * tasks, never an evacuation, a backup, a discovery or a profile update.
 */
export const TASK_CANCEL_PERMISSION: Record<TaskKindName, Permission> = {
  ...(Object.fromEntries(Object.values(DEFINITION_TASK).map((k) => [k, 'wpar.manage'])) as Record<(typeof DEFINITION_TASK)[keyof typeof DEFINITION_TASK], Permission>),
  ...(Object.fromEntries(Object.values(SYSTEM_ACTION_TASK).map((k) => [k, 'wpar.manage'])) as Record<(typeof SYSTEM_ACTION_TASK)[AgentAction], Permission>),
  [RELOCATE_TASK]: 'wpar.manage',
  [AGENT_REPORT_TASK.discover]: 'system.manage',
  [AGENT_REPORT_TASK.updateProfile]: 'system.manage',
  [EVACUATE_TASK]: 'system.manage',
  [SYSTEM_REMOVE_TASK]: 'system.manage',
  [BACKUP_TASK]: 'system.manage',
};
