// The CRUD pattern every inventory resource shares: found by id or name, names unique,
// removal refused for the default and for resources still in use, a page at a time.
import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import { CapstanError, type ErrorCode } from '../../api/errors.js';
import type { Page } from '../../api/resources.js';
import type { Database } from '../db/schema.js';

export type NamedTable = 'relocation_domains' | 'wpar_groups' | 'systems' | 'wpars';

/** The columns every named table has: enough for one generic query over any of them. */
type NamedDb = Record<NamedTable, { id: string; name: string }>;

export interface RemovalRules {
  /** Refused with CAP-E0300. */
  defaultId?: string;
  /** What still uses the resource: refused with `code` while it counts more than zero; `hint` says what to do. */
  inUse?: { code: Extract<ErrorCode, 'CAP-E0301' | 'CAP-E0004'>; what: string; hint?: string; count(db: Kysely<Database>, id: string): Promise<number> };
  /** Runs in the removal's transaction before what uses it is counted (it may let go of it, or refuse). */
  prepare?: (trx: Kysely<Database>, id: string) => Promise<void>;
}

export class NamedResources<T extends NamedTable> {
  constructor(
    private readonly db: Kysely<Database>,
    readonly table: T,
    /** How messages name one of them, e.g. "relocation domain". */
    readonly what: string,
  ) {}

  async find(ref: string, db: Kysely<Database> = this.db): Promise<Selectable<Database[T]> | undefined> {
    const rows = await (db as unknown as Kysely<NamedDb>).selectFrom(this.table as NamedTable).selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
      .execute();
    // An id wins over another resource's name that happens to look like it.
    return (rows.find((r) => r.id === ref) ?? rows[0]) as Selectable<Database[T]> | undefined;
  }

  /** Throws CAP-E0002 when no resource has this id or name. */
  async require(ref: string, db: Kysely<Database> = this.db): Promise<Selectable<Database[T]>> {
    return this.found(await this.find(ref, db), ref);
  }

  /** A row read for `ref`; CAP-E0002 when it is not there (e.g. removed meanwhile). */
  found<R>(row: R | undefined, ref: string): R {
    if (row === undefined) throw new CapstanError('CAP-E0002', `${this.what} ${ref}`);
    return row;
  }

  /** Throws CAP-E0003 when another resource has this name. */
  async assertNameFree(name: string, exceptId?: string, db: Kysely<Database> = this.db): Promise<void> {
    let q = (db as unknown as Kysely<NamedDb>).selectFrom(this.table as NamedTable).select('id').where('name', '=', name);
    if (exceptId) q = q.where('id', '!=', exceptId);
    if (await q.executeTakeFirst()) throw new CapstanError('CAP-E0003', `${this.what} ${name}`);
  }

  /**
   * Runs a write in a transaction after checking the name is free; a concurrent writer that
   * took the name first still ends in CAP-E0003 (the unique index), never in a 500.
   */
  async write<R>(name: string | undefined, exceptId: string | undefined, work: (trx: Kysely<Database>) => Promise<R>): Promise<R> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        if (name !== undefined) await this.assertNameFree(name, exceptId, trx);
        return work(trx);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new CapstanError('CAP-E0003', `${this.what} ${name ?? ''}`.trim());
      throw e;
    }
  }

  /** Deletes the resource unless the rules refuse; nothing changes when they do. */
  async remove(ref: string, rules: RemovalRules): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.require(ref, trx) as { id: string; name: string };
      if (row.id === rules.defaultId) throw new CapstanError('CAP-E0300', `${this.what} ${row.name}`);
      await rules.prepare?.(trx, row.id);
      if (rules.inUse) {
        const n = await rules.inUse.count(trx, row.id);
        if (n > 0) throw new CapstanError(rules.inUse.code, `${this.what} ${row.name} has ${n} ${rules.inUse.what}${rules.inUse.hint ? `: ${rules.inUse.hint}` : ''}`);
      }
      await (trx as unknown as Kysely<NamedDb>).deleteFrom(this.table as NamedTable).where('id', '=', row.id).execute();
    });
  }
}

/** Runs a listing query for one page and counts all its matches. */
export async function pageOf<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: { limit: number; offset: number },
): Promise<Page<O>> {
  const [items, count] = await Promise.all([
    query.limit(page.limit).offset(page.offset).execute(),
    query.clearSelect().clearOrderBy().select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  // PostgreSQL counts in bigint, which its driver returns as a string.
  return { items, total: Number((count as { n: unknown }).n) };
}

/** Counts rows of a table whose column equals a value (members, deployed WPARs). */
export async function countWhere(db: Kysely<Database>, table: 'systems' | 'wpars', column: 'domain_id' | 'group_id' | 'system_id', value: string): Promise<number> {
  const row = await (db as unknown as Kysely<Record<string, Record<string, string>>>).selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where(column, '=', value)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  // SQLite (better-sqlite3) and PostgreSQL (23505) spell it differently.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
