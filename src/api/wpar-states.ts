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

interface ActionRule {
  /** The states it may start from (before type and checkpointable checks). */
  from: readonly WparState[];
  /** The manager asks the WPAR's system (its agent) to do it. */
  onSystem?: true;
  /** Moves a deployed WPAR to another state and takes no options (an action route of its own). */
  stateAction?: true;
  /** Needs a checkpointable WPAR. */
  checkpointable?: true;
  /** Only system WPARs have it (application WPARs never sit in Defined). */
  systemOnly?: true;
}

/**
 * Every WPAR action and its rules: the one list the manager's checks, its routes, the agent
 * protocol and the CLI derive theirs from. A new action is added here (and in stateAfter).
 */
export const WPAR_ACTION_RULES = {
  deploy: { from: ['Undeployed'], onSystem: true },
  start: { from: ['Defined'], onSystem: true, stateAction: true, systemOnly: true },
  stop: { from: ['Active', 'Broken'], onSystem: true, stateAction: true },
  pause: { from: ['Active', 'Frozen'], onSystem: true, stateAction: true, checkpointable: true },
  freeze: { from: ['Active'], onSystem: true, stateAction: true, checkpointable: true },
  checkpoint: { from: ['Active', 'Frozen', 'Paused'], checkpointable: true },
  resume: { from: ['Paused', 'Frozen'], onSystem: true, stateAction: true },
  endProcesses: { from: ['Paused'], onSystem: true, stateAction: true },
  remove: { from: ['Defined', 'Active', 'Broken', 'Undeployed'], onSystem: true },
  modify: { from: ['Undeployed', 'Defined', 'Active', 'Paused', 'Frozen', 'Broken'], onSystem: true },
  delete: { from: ['Undeployed', 'Defined', 'Active', 'Broken'] },
} as const satisfies Record<string, ActionRule>;

type Rules = typeof WPAR_ACTION_RULES;
export type WparAction = keyof Rules;
type ActionsWith<F extends keyof ActionRule> = { [A in WparAction]: Rules[A] extends Record<F, true> ? A : never }[WparAction];
/** What the manager asks of a system's agent. */
export type AgentAction = ActionsWith<'onSystem'>;
/** Actions on a deployed WPAR that take no options. */
export type StateAction = ActionsWith<'stateAction'>;

export const WPAR_ACTIONS = Object.keys(WPAR_ACTION_RULES) as readonly WparAction[];

function actionsWith<F extends keyof ActionRule>(flag: F): readonly ActionsWith<F>[] {
  return WPAR_ACTIONS.filter((a): a is ActionsWith<F> => (WPAR_ACTION_RULES[a] as ActionRule)[flag] === true);
}

export const AGENT_ACTIONS = actionsWith('onSystem');
export const STATE_ACTIONS = actionsWith('stateAction');

export type ActionRefusal = 'state' | 'type' | 'checkpointable';

/** Pure check of whether an action may run; null when allowed. */
export function refuseAction(
  action: WparAction,
  wpar: { state: WparState; type: 'system' | 'application'; checkpointable: boolean },
): ActionRefusal | null {
  const rule: ActionRule = WPAR_ACTION_RULES[action];
  if (rule.systemOnly && wpar.type !== 'system') return 'type';
  if (rule.checkpointable && !wpar.checkpointable) return 'checkpointable';
  if (!rule.from.includes(wpar.state)) return 'state';
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
