// The groups and systems a WPAR form offers, kept fresh while the form is open.
import type { GroupView } from '../../../../src/api/groups.js';
import type { SystemView } from '../../../../src/api/systems.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { usePoll } from '../../lib/usePoll.js';

const SLOW_MS = 15_000;

export function useChoices(): { groups: GroupView[]; systems: SystemView[] } {
  const groups = usePoll(() => call(routes.groups.list, { query: { limit: 1000 } }), [], SLOW_MS);
  const systems = usePoll(() => call(routes.systems.list, { query: { limit: 1000 } }), [], SLOW_MS);
  return { groups: groups.data?.items ?? [], systems: systems.data?.items ?? [] };
}
