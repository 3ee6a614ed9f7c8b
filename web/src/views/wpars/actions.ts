// The WPAR actions the console offers, when each is allowed (the shared state rules), and
// how each is asked of the manager. Every one answers with a task, followed in the tray.
import type { TaskView } from '../../../../src/api/tasks.js';
import { refuseAction, type WparAction } from '../../../../src/api/wpar-states.js';
import type { DeployRequest, RemoveRequest, WparView } from '../../../../src/api/wpar.js';
import { routes, wparStateActionRoutes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { track } from '../../lib/tracked-tasks.js';

export type ConsoleAction = Exclude<WparAction, 'checkpoint' | 'modify'>;

export interface ActionDef {
  action: ConsoleAction;
  label: string;
  /** Asks for options or a confirmation first. */
  dialog?: 'deploy' | 'remove' | 'confirm';
}

export const ACTIONS: ActionDef[] = [
  { action: 'deploy', label: 'Deploy', dialog: 'deploy' },
  { action: 'start', label: 'Start' },
  { action: 'stop', label: 'Stop', dialog: 'confirm' },
  { action: 'pause', label: 'Pause' },
  { action: 'freeze', label: 'Freeze' },
  { action: 'resume', label: 'Resume' },
  { action: 'endProcesses', label: 'End processes', dialog: 'confirm' },
  { action: 'remove', label: 'Remove', dialog: 'remove' },
  { action: 'delete', label: 'Delete', dialog: 'confirm' },
];

const REASONS = { state: 'not in a state that allows it', type: 'only system WPARs', checkpointable: 'needs relocation enabled (checkpointable)' } as const;

/** Null when the action may run on every one of the WPARs; else why not. */
export function whyNot(action: ConsoleAction, wpars: readonly WparView[]): string | null {
  if (wpars.length === 0) return 'select one or more WPARs';
  for (const w of wpars) {
    if (w.busyTaskId) return `${w.name} is busy with a task`;
    const refusal = refuseAction(action, w);
    if (refusal) return `${w.name}: ${REASONS[refusal]}`;
  }
  return null;
}

/** Null when the WPARs may be relocated (live: one at a time, Active, checkpointable); else why not. */
export function whyNotRelocate(wpars: readonly WparView[]): string | null {
  if (wpars.length !== 1) return 'select one WPAR to relocate';
  const w = wpars[0]!;
  if (w.busyTaskId) return `${w.name} is busy with a task`;
  if (!w.checkpointable) return `${w.name}: ${REASONS.checkpointable}`;
  if (w.state !== 'Active' || !w.system) return `${w.name}: only an Active WPAR is relocated live`;
  return null;
}

export interface ActionOptions {
  deploy?: DeployRequest;
  remove?: RemoveRequest;
}

// Without options, the manager's defaults, spelt out: the request types require them.
const DEPLOY_DEFAULTS: DeployRequest = { start: false };
const REMOVE_DEFAULTS: RemoveRequest = { preserveFileSystems: false, deleteDefinition: false };

function request(action: ConsoleAction, w: WparView, opts: ActionOptions): Promise<TaskView> {
  const params = { id: w.id };
  switch (action) {
    case 'deploy': return call(routes.wpars.deploy, { params, body: opts.deploy ?? DEPLOY_DEFAULTS });
    case 'remove': return call(routes.wpars.remove, { params, body: opts.remove ?? REMOVE_DEFAULTS });
    case 'delete': return call(routes.wpars.delete, { params });
    default: return call(wparStateActionRoutes[action], { params });
  }
}

/** Asks for the action on each WPAR; the refusals, by WPAR name. */
export async function runAction(action: ConsoleAction, wpars: readonly WparView[], opts: ActionOptions): Promise<string[]> {
  const results = await Promise.allSettled(wpars.map((w) => request(action, w, opts)));
  const refusals: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') track(r.value);
    else refusals.push(`${wpars[i]!.name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
  });
  return refusals;
}
