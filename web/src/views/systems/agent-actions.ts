// The system actions that ask its agent to report again: Discover (its WPARs) and Update
// profile (its host). Each answers a task, followed in the task tray like any other.
import { routes } from '../../../../src/api/routes/index.js';
import { call, describeError } from '../../api/client.js';
import { announce } from '../../lib/announce.js';
import { track } from '../../lib/tracked-tasks.js';

export type AgentAction = 'discover' | 'update-profile';
export const AGENT_ACTION_LABELS: Record<AgentAction, string> = { discover: 'Discover', 'update-profile': 'Update profile' };
const AGENT_ACTION_ROUTES = { discover: routes.systems.discover, 'update-profile': routes.systems.updateProfile } as const satisfies Record<AgentAction, unknown>;

/** Submits the action on each system; a refusal is announced and returned as text. */
export async function askAgents(action: AgentAction, systems: { id: string; name: string }[]): Promise<string | undefined> {
  const results = await Promise.allSettled(systems.map((s) => call(AGENT_ACTION_ROUTES[action], { params: { id: s.id } })));
  const refused: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') track(r.value);
    else refused.push(`${systems[i]!.name}: ${describeError(r.reason)}`);
  });
  if (refused.length === 0) return undefined;
  const message = `${AGENT_ACTION_LABELS[action]} refused for ${refused.join('; ')}`;
  announce(message);
  return message;
}
