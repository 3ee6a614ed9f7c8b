// The WPAR state model of the seed, shared by manager and engine.
// The engine knows the states a WPAR has on a host (D A P F B T L); the manager adds
// Undeployed for definitions that exist only in its database.

export const WPAR_STATES = ['Undeployed', 'Defined', 'Active', 'Paused', 'Frozen', 'Broken', 'Transitional', 'Loaded'] as const;
export type WparState = (typeof WPAR_STATES)[number];

/** The letters lswpar shows. Undeployed has none: it exists on no host. */
export const STATE_LETTER: Record<Exclude<WparState, 'Undeployed'>, string> = {
  Defined: 'D',
  Active: 'A',
  Paused: 'P',
  Frozen: 'F',
  Broken: 'B',
  Transitional: 'T',
  Loaded: 'L',
};

export const WPAR_ACTIONS = ['deploy', 'start', 'stop', 'pause', 'freeze', 'checkpoint', 'resume', 'endProcesses', 'remove', 'modify', 'delete'] as const;
export type WparAction = (typeof WPAR_ACTIONS)[number];

/** Which states an action may start from (before type and checkpointable checks). */
export const ACTION_FROM: Record<WparAction, readonly WparState[]> = {
  deploy: ['Undeployed'],
  start: ['Defined'],
  stop: ['Active', 'Broken'],
  pause: ['Active', 'Frozen'],
  freeze: ['Active'],
  checkpoint: ['Active', 'Frozen', 'Paused'],
  resume: ['Paused', 'Frozen'],
  endProcesses: ['Paused'],
  remove: ['Defined', 'Active', 'Broken', 'Undeployed'],
  modify: ['Undeployed', 'Defined', 'Active', 'Paused', 'Frozen', 'Broken'],
  delete: ['Undeployed', 'Defined', 'Active', 'Broken'],
};

/** Actions that need a checkpointable WPAR. */
export const NEEDS_CHECKPOINTABLE: ReadonlySet<WparAction> = new Set(['pause', 'freeze', 'checkpoint']);
/** Actions only system WPARs have (application WPARs never sit in Defined). */
export const SYSTEM_ONLY: ReadonlySet<WparAction> = new Set(['start']);

export type ActionRefusal = 'state' | 'type' | 'checkpointable';

/** Pure check of whether an action may run; null when allowed. */
export function refuseAction(
  action: WparAction,
  wpar: { state: WparState; type: 'system' | 'application'; checkpointable: boolean },
): ActionRefusal | null {
  if (SYSTEM_ONLY.has(action) && wpar.type !== 'system') return 'type';
  if (NEEDS_CHECKPOINTABLE.has(action) && !wpar.checkpointable) return 'checkpointable';
  if (!ACTION_FROM[action].includes(wpar.state)) return 'state';
  return null;
}

/** The state an action leaves a WPAR in when it succeeds. */
export function stateAfter(
  action: WparAction,
  wpar: { type: 'system' | 'application' },
  opts: { start?: boolean; keepDefinition?: boolean } = {},
): WparState | 'deleted' {
  const app = wpar.type === 'application';
  switch (action) {
    case 'deploy':
      return app || opts.start ? 'Active' : 'Defined';
    case 'start':
    case 'resume':
      return 'Active';
    case 'stop':
    case 'endProcesses':
      return app ? 'Undeployed' : 'Defined';
    case 'pause':
      return 'Paused';
    case 'freeze':
      return 'Frozen';
    case 'checkpoint':
      return 'Active';
    case 'remove':
      return 'Undeployed';
    case 'delete':
      return 'deleted';
    case 'modify':
      throw new Error('modify does not change the state');
  }
}

/** Properties that may change while deployed, by state. Anything else only while Undeployed. */
export const MODIFIABLE_WHILE_DEPLOYED: Partial<Record<WparState, readonly string[]>> = {
  Defined: ['resources', 'privileges', 'mounts', 'interfaces', 'hostname', 'checkpointable', 'group', 'command'],
  Active: ['resources', 'group'],
  Paused: ['group'],
  Frozen: ['group'],
  Broken: ['group'],
};
