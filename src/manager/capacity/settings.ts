// Instant capacity's configuration (manager.json: "capacity") and its one run-time setting,
// kept in the settings table: whether deploying onto a system short of active capacity is
// refused or only warned about.
import type { Kysely } from 'kysely';
import type { CapacitySettings, DeployCheckMode } from '../../api/capacity.js';
import type { Database } from '../db/schema.js';

export interface CapacityConfig {
  /** Seconds between meter runs (default 10). */
  meterIntervalSeconds?: number;
  /** Trusted codeword issuers by name: raw Ed25519 public keys, base64url (beside those added through the API). */
  issuerKeys?: Record<string, string>;
}

export const DEFAULT_METER_INTERVAL_SECONDS = 10;
/** How long before projected depletion the warning goes out, unless a complex says otherwise. */
export const DEFAULT_WARNING_PERIOD_SECONDS = 24 * 3600;

const DEPLOY_CHECK_KEY = 'capacity.deployCheck';

export async function readSettings(db: Kysely<Database>): Promise<CapacitySettings> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', DEPLOY_CHECK_KEY).executeTakeFirst();
  return { deployCheck: row ? (JSON.parse(row.value) as DeployCheckMode) : 'refuse' };
}

export async function writeSettings(db: Kysely<Database>, s: CapacitySettings): Promise<CapacitySettings> {
  const value = JSON.stringify(s.deployCheck);
  await db.insertInto('settings').values({ key: DEPLOY_CHECK_KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
  return readSettings(db);
}
