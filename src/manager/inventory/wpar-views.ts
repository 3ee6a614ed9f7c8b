// The read side of WPARs: one row with its group and system names, as the API shows it,
// and the filtered, sorted, paged listing (indexed: it stays fast with 10,000 rows).
import type { Kysely } from 'kysely';
import type { Page } from '../../api/resources.js';
import type { WparState } from '../../api/wpar-states.js';
import type { WparListQuery, WparSortKey, WparView } from '../../api/wpar.js';
import type { Database, WparRow } from '../db/schema.js';
import { pageOf } from './named.js';
import { specOf } from './wpar-store.js';

/** The list filters with their references already resolved to ids. */
export type WparFilters = Omit<WparListQuery, 'system' | 'group'> & { systemId?: string; groupId?: string };

const SORT_COLUMN: Record<WparSortKey, 'wpars.name' | 'wpars.state' | 'wpars.type' | 'systems.name' | 'wpar_groups.name' | 'wpars.created_at' | 'wpars.updated_at'> = {
  name: 'wpars.name',
  state: 'wpars.state',
  type: 'wpars.type',
  system: 'systems.name',
  group: 'wpar_groups.name',
  createdAt: 'wpars.created_at',
  updatedAt: 'wpars.updated_at',
};

export class WparViews {
  constructor(private readonly db: Kysely<Database>) {}

  async find(id: string): Promise<WparView | undefined> {
    const row = await this.query().where('wpars.id', '=', id).executeTakeFirst();
    return row && toView(row);
  }

  async list(f: WparFilters): Promise<Page<WparView>> {
    let q = this.query();
    if (f.state?.length) q = q.where('wpars.state', 'in', f.state);
    if (f.type) q = q.where('wpars.type', '=', f.type);
    if (f.systemId) q = q.where('wpars.system_id', '=', f.systemId);
    if (f.groupId) q = q.where('wpars.group_id', '=', f.groupId);
    // Undeployed WPARs have no system: last either way, on both databases (their defaults differ).
    q = q.orderBy(SORT_COLUMN[f.sort], (ob) => (f.order === 'asc' ? ob.asc() : ob.desc()).nullsLast());
    // Names are unique: a stable order among equal sort keys, so pages do not overlap.
    if (f.sort !== 'name') q = q.orderBy('wpars.name', f.order);
    const page = await pageOf(q, f);
    return { total: page.total, items: page.items.map(toView) };
  }

  private query() {
    return this.db.selectFrom('wpars')
      .innerJoin('wpar_groups', 'wpar_groups.id', 'wpars.group_id')
      .leftJoin('systems', 'systems.id', 'wpars.system_id')
      .selectAll('wpars')
      .select(['wpar_groups.name as group_name', 'systems.name as system_name']);
  }
}

function toView(row: WparRow & { group_name: string; system_name: string | null }): WparView {
  const spec = specOf(row);
  return {
    ...spec,
    id: row.id,
    state: row.state as WparState,
    stateReason: row.state_reason,
    exitStatus: row.exit_status,
    system: row.system_id === null ? null : { id: row.system_id, name: row.system_name ?? '' },
    group: { id: row.group_id, name: row.group_name },
    busyTaskId: row.busy_task_id,
    privilegesUnaccepted: row.privileges_unaccepted === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
