// Reading and writing a complex's rows. Every change to a complex runs in one transaction that
// first takes the complex's row lock (an update of the row: a real lock on PostgreSQL, the
// single writer on SQLite), so two changes — or a change and the meter — never interleave.
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { Components } from '../../api/capacity.js';
import type { CapacitySystemRow, ComplexRow, Database } from '../db/schema.js';
import { hostCores, hostMemoryGiB, installed } from './profile.js';
import type { ComplexSnapshot, SystemSnapshot } from './rules.js';

export interface MemberRow extends CapacitySystemRow {
  name: string;
  state: string;
  profile: string | null;
}

export interface ComplexState {
  row: ComplexRow;
  members: MemberRow[];
}

export async function findComplex(db: Kysely<Database>, ref: string): Promise<ComplexRow> {
  const rows = await db.selectFrom('capacity_complexes').selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref), eb('serial', '=', ref)]))
    .execute();
  const row = rows.find((r) => r.id === ref) ?? rows.find((r) => r.name === ref) ?? rows[0];
  if (!row) throw new CapstanError('CAP-E0002', `complex ${ref}`);
  return row;
}

export async function findSystem(db: Kysely<Database>, ref: string): Promise<{ id: string; name: string }> {
  const rows = await db.selectFrom('systems').select(['id', 'name'])
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .execute();
  const row = rows.find((r) => r.id === ref) ?? rows[0];
  if (!row) throw new CapstanError('CAP-E0002', `managed system ${ref}`);
  return row;
}

/** The complex a system belongs to; CAP-E0808 when none. */
export async function complexOfSystem(db: Kysely<Database>, systemId: string, systemName: string): Promise<string> {
  const m = await db.selectFrom('capacity_systems').select('complex_id').where('system_id', '=', systemId).executeTakeFirst();
  if (!m) throw new CapstanError('CAP-E0808', systemName);
  return m.complex_id;
}

export async function loadComplex(db: Kysely<Database>, id: string): Promise<ComplexState> {
  const row = await db.selectFrom('capacity_complexes').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new CapstanError('CAP-E0002', `complex ${id}`);
  const members = await db.selectFrom('capacity_systems')
    .innerJoin('systems', 'systems.id', 'capacity_systems.system_id')
    .selectAll('capacity_systems')
    .select(['systems.name', 'systems.state', 'systems.profile'])
    .where('capacity_systems.complex_id', '=', id)
    .orderBy('systems.name')
    .execute();
  return { row, members };
}

/** Takes the complex's row lock for the rest of the transaction, then reads it. */
export async function lockComplex(trx: Kysely<Database>, id: string, nowIso: string): Promise<ComplexState> {
  const r = await trx.updateTable('capacity_complexes').set({ updated_at: nowIso }).where('id', '=', id).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new CapstanError('CAP-E0002', `complex ${id}`);
  return loadComplex(trx, id);
}

const nullableComponents = (cores: number | null, memoryGiB: number | null, cells: number | null): Components | null =>
  cores === null ? null : { cores, memoryGiB, cells };

export function snapshotOf(st: ComplexState): ComplexSnapshot {
  const { row, members } = st;
  const profiles = members.map((m) => (m.profile === null ? null : (JSON.parse(m.profile) as unknown)));
  const systems: SystemSnapshot[] = members.map((m, i) => ({
    id: m.system_id,
    name: m.name,
    intended: { cores: m.ia_cores, memoryGiB: m.ia_memory_gib, cells: m.ia_cells },
    actual: nullableComponents(m.aa_cores, m.aa_memory_gib, m.aa_cells),
    hostCores: hostCores(profiles[i]),
  }));
  return {
    rights: { cores: row.rights_cores, memoryGiB: row.rights_memory_gib, cells: row.rights_cells },
    totals: {
      cores: installed(row.total_cores, systems.map((s) => s.hostCores)),
      memoryGiB: row.rights_memory_gib === null ? null : installed(row.total_memory_gib, profiles.map(hostMemoryGiB)),
      cells: row.rights_cells === null ? null : row.total_cells,
    },
    balance: Number(row.temp_balance),
    systems,
  };
}

export async function setIntended(trx: Kysely<Database>, systemId: string, c: Components): Promise<void> {
  await trx.updateTable('capacity_systems')
    .set({ ia_cores: c.cores, ia_memory_gib: c.memoryGiB, ia_cells: c.cells })
    .where('system_id', '=', systemId)
    .execute();
}

export interface LedgerAppend {
  kind: 'instant-access' | 'codeword' | 'meter';
  amount: number;
  balanceAfter: number;
  from?: number;
  to?: number;
  excess?: number;
  codewordSequence?: number;
}

/** Appends one entry to the complex's ledger (inside the caller's locked transaction). */
export async function appendLedger(trx: Kysely<Database>, complexId: string, e: LedgerAppend, nowIso: string): Promise<void> {
  const last = await trx.selectFrom('capacity_ledger').select((eb) => eb.fn.max('seq').as('seq')).where('complex_id', '=', complexId).executeTakeFirst();
  await trx.insertInto('capacity_ledger').values({
    complex_id: complexId,
    seq: Number(last?.seq ?? 0) + 1,
    kind: e.kind,
    amount: e.amount,
    balance_after: e.balanceAfter,
    from_s: e.from ?? null,
    to_s: e.to ?? null,
    excess_cores: e.excess ?? null,
    codeword_sequence: e.codewordSequence ?? null,
    created_at: nowIso,
  }).execute();
}

export function listOf(json: string): string[] {
  return JSON.parse(json) as string[];
}
