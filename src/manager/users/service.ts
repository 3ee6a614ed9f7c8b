// Shell, replaced by its owner this session.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export class UserService {
  constructor(readonly db: Kysely<Database>) {}
}
