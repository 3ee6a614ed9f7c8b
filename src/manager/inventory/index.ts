// Shell, replaced by its owner this session.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { TaskEngine } from '../tasks/engine.js';

export type Inventory = Record<string, never>;

export function createInventory(_db: Kysely<Database>, _tasks: TaskEngine): Inventory {
  return {};
}
