// Shell, replaced by its owner this session.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.js';

export class TaskEngine {
  constructor(readonly db: Kysely<Database>, readonly log: Logger) {}
}
