// The seed's background compatibility testing: whenever a system reports its host profile
// (registration, reconnection, "update profile"), its old results are discarded and it is
// tested against every other system with a profile, in both directions. One system at a
// time, so a burst of reports neither races nor repeats work; a system whose testing did not
// finish (a crash, a manager stop) is tested again at the next start.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { TestResult } from '../../api/compatibility.js';
import type { Database } from '../db/schema.js';
import { compare, profileDigest } from './compatibility.js';

/** Rows per insert: well under SQLite's limit on bound parameters. */
const CHUNK = 200;
/** A test that failed (e.g. a system removed half-way) is tried again this often before it waits for the next report. */
const RETRIES = 3;

export interface TestingState {
  /** Set once testing against every other system with a profile is done; null while testing (or before its agent reports). */
  testedAt: string | null;
  placementBlocked: boolean;
}

export class CompatibilityService {
  /** Systems waiting to be tested, in the order they asked. */
  private readonly queued = new Set<string>();
  private current?: string;
  private worker?: Promise<void>;
  private stopped = false;
  private readonly failures = new Map<string, number>();
  /** "Testing" marks being written: a run waits for its system's, so the mark never lands after the result. */
  private readonly marks = new Map<string, Promise<void>>();
  /** Reports being compared with the profile last tested, and their systems. */
  private readonly checks = new Set<Promise<unknown>>();
  private readonly checking = new Set<string>();

  constructor(private readonly db: Kysely<Database>, private readonly log: Logger) {}

  /**
   * A system reported its profile: test it again unless the profile is the one already tested
   * (a reconnection). Returns at once; the testing runs in the background.
   */
  request(systemId: string): void {
    if (this.stopped) return;
    // Already on it: the run to come reads the newest profile.
    if (this.pending(systemId)) return this.enqueue(systemId);
    // Pending from this moment: nothing is offered with the system until the check says its results still hold.
    this.checking.add(systemId);
    const check = this.needsTesting(systemId)
      .then((needed) => needed && this.enqueue(systemId))
      .catch((e: unknown) => this.log.warn({ err: e, systemId }, 'checking the profile for compatibility testing failed'))
      .finally(() => {
        this.checking.delete(systemId);
        this.checks.delete(check);
      });
    this.checks.add(check);
  }

  /** Resumes testing that a previous manager process did not finish, or whose profile changed since. */
  async start(): Promise<void> {
    const rows = await this.db.selectFrom('systems')
      .leftJoin('system_mobility', 'system_mobility.system_id', 'systems.id')
      .select(['systems.id', 'systems.profile', 'system_mobility.compat_tested_at', 'system_mobility.compat_digest'])
      .where('systems.profile', 'is not', null)
      .orderBy('systems.name')
      .execute();
    for (const r of rows) if (!upToDate(r)) this.enqueue(r.id);
  }

  /** Stops taking requests and waits for the system being tested. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queued.clear();
    await this.worker;
  }

  /** Resolves once no report is being looked at and nothing is queued or being tested. */
  async idle(): Promise<void> {
    while (this.checks.size > 0 || this.worker) {
      await Promise.all([...this.checks]);
      await this.worker;
    }
  }

  /** Just reported, queued or being tested: its stored results may be stale, so nothing is offered with it. */
  pending(systemId: string): boolean {
    return this.checking.has(systemId) || this.queued.has(systemId) || this.current === systemId;
  }

  /** The system is gone (its rows go with it: foreign keys). */
  forget(systemId: string): void {
    this.queued.delete(systemId);
    this.checking.delete(systemId);
    this.failures.delete(systemId);
    this.marks.delete(systemId);
  }

  /** Where testing and placement stand for every system that has a row. */
  async states(): Promise<Map<string, TestingState>> {
    const rows = await this.db.selectFrom('system_mobility').select(['system_id', 'compat_tested_at', 'placement_blocked']).execute();
    return new Map(rows.map((r) => [r.system_id, {
      testedAt: this.pending(r.system_id) ? null : r.compat_tested_at,
      placementBlocked: Number(r.placement_blocked) === 1,
    }]));
  }

  /** Stored results of the tests from `departure` to `arrival`, for every pair that involves one of `systemIds` (all pairs when absent). */
  async results(systemIds?: string[]): Promise<Map<string, { results: TestResult[]; testedAt: string }>> {
    let q = this.db.selectFrom('compatibility_results').selectAll();
    if (systemIds) {
      if (systemIds.length === 0) return new Map();
      q = q.where((eb) => eb.or([eb('departure_id', 'in', systemIds), eb('arrival_id', 'in', systemIds)]));
    }
    const rows = await q.execute();
    return new Map(rows.map((r) => [pairKey(r.departure_id, r.arrival_id), { results: JSON.parse(r.results) as TestResult[], testedAt: r.tested_at }]));
  }

  /** Marks a system as taking no relocated WPARs (evacuation) or taking them again. */
  async setPlacementBlocked(systemId: string, blocked: boolean): Promise<void> {
    const placement_blocked = blocked ? 1 : 0;
    await this.db.insertInto('system_mobility').values({ system_id: systemId, compat_tested_at: null, compat_digest: null, placement_blocked })
      .onConflict((oc) => oc.column('system_id').doUpdateSet({ placement_blocked }))
      .execute();
  }

  private enqueue(systemId: string): void {
    if (this.stopped) return;
    if (!this.queued.has(systemId)) {
      this.queued.add(systemId);
      // Visible at once as "testing", even while other systems are tested first.
      this.marks.set(systemId, this.markTesting(systemId).catch((e: unknown) => this.log.warn({ err: e, systemId }, 'marking compatibility testing failed')));
    }
    this.kick();
  }

  private async needsTesting(systemId: string): Promise<boolean> {
    const row = await this.row(systemId);
    return row !== undefined && !upToDate(row);
  }

  private row(systemId: string) {
    return this.db.selectFrom('systems')
      .leftJoin('system_mobility', 'system_mobility.system_id', 'systems.id')
      .select(['systems.profile', 'system_mobility.compat_tested_at', 'system_mobility.compat_digest'])
      .where('systems.id', '=', systemId)
      .executeTakeFirst();
  }

  private kick(): void {
    if (this.worker || this.stopped) return;
    this.worker = this.drain().finally(() => {
      this.worker = undefined;
      // A request that came after the loop's last look must not wait for the next one.
      if (this.queued.size > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (let next = first(this.queued); next !== undefined && !this.stopped; next = first(this.queued)) {
      this.queued.delete(next);
      this.current = next;
      try {
        await this.test(next);
        this.failures.delete(next);
      } catch (e) {
        const n = (this.failures.get(next) ?? 0) + 1;
        this.failures.set(next, n);
        this.log.error({ err: e, systemId: next, attempt: n }, 'compatibility testing failed');
        if (n < RETRIES && !this.stopped) this.queued.add(next);
      } finally {
        this.current = undefined;
      }
    }
  }

  private async markTesting(systemId: string): Promise<void> {
    await this.db.insertInto('system_mobility').values({ system_id: systemId, compat_tested_at: null, compat_digest: null, placement_blocked: 0 })
      .onConflict((oc) => oc.column('system_id').doUpdateSet({ compat_tested_at: null }))
      .execute()
      // The system may be gone already (foreign key): then there is nothing to mark.
      .catch(async (e: unknown) => {
        if (await this.exists(systemId)) throw e;
      });
  }

  private async exists(systemId: string): Promise<boolean> {
    return (await this.db.selectFrom('systems').select('id').where('id', '=', systemId).executeTakeFirst()) !== undefined;
  }

  /** Tests one system against all others with a profile, both directions. */
  private async test(systemId: string): Promise<void> {
    await this.marks.get(systemId);
    this.marks.delete(systemId);
    const row = await this.row(systemId);
    if (!row) return;
    const profile: unknown = row.profile === null ? null : JSON.parse(row.profile);
    const digest = profile === null ? null : profileDigest(profile);

    // The seed: results of an earlier profile are discarded first. From here until the end a
    // crash leaves the system untested, and the next start tests it again.
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('compatibility_results').where((eb) => eb.or([eb('departure_id', '=', systemId), eb('arrival_id', '=', systemId)])).execute();
      await trx.insertInto('system_mobility').values({ system_id: systemId, compat_tested_at: null, compat_digest: null, placement_blocked: 0 })
        .onConflict((oc) => oc.column('system_id').doUpdateSet({ compat_tested_at: null, compat_digest: null }))
        .execute();
    });
    if (profile === null) return;

    const started = Date.now();
    const testedAt = new Date().toISOString();
    const pairs = await this.db.transaction().execute(async (trx) => {
      const others = await trx.selectFrom('systems').select(['id', 'profile']).where('id', '!=', systemId).where('profile', 'is not', null).execute();
      const rows = others.flatMap((o) => {
        const other: unknown = JSON.parse(o.profile ?? 'null');
        return [
          { departure_id: systemId, arrival_id: o.id, results: JSON.stringify(compare(profile as never, other as never)), tested_at: testedAt },
          { departure_id: o.id, arrival_id: systemId, results: JSON.stringify(compare(other as never, profile as never)), tested_at: testedAt },
        ];
      });
      for (let i = 0; i < rows.length; i += CHUNK) {
        await trx.insertInto('compatibility_results').values(rows.slice(i, i + CHUNK))
          .onConflict((oc) => oc.columns(['departure_id', 'arrival_id']).doUpdateSet((eb) => ({ results: eb.ref('excluded.results'), tested_at: eb.ref('excluded.tested_at') })))
          .execute();
      }
      await trx.updateTable('system_mobility').set({ compat_tested_at: testedAt, compat_digest: digest }).where('system_id', '=', systemId).execute();
      return others.length;
    });
    this.log.info({ systemId, pairs, ms: Date.now() - started }, 'compatibility testing done');
  }
}

/** Tested, and with the profile it has now. */
function upToDate(r: { profile: string | null; compat_tested_at: string | null; compat_digest: string | null }): boolean {
  return r.profile !== null && r.compat_tested_at !== null && r.compat_digest === profileDigest(JSON.parse(r.profile));
}

export function pairKey(departureId: string, arrivalId: string): string {
  return `${departureId}>${arrivalId}`;
}

function first<T>(set: Set<T>): T | undefined {
  for (const v of set) return v;
  return undefined;
}
