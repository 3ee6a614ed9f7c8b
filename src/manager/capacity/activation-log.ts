// The activation log: one entry per change to a complex's capacity, appended in the change's
// own locked transaction (a crash keeps both or neither). The entries of a change are made
// from what it did: every system whose intended active components differ afterwards gets an
// entry with its values before and after, and the complex gets one when its rights, totals,
// temporary balance or settings differ. The caller says who and why; the values come from the
// rows themselves, so no change can leave the log behind what happened.
import type { Kysely } from 'kysely';
import {
  ACTIVATION_LOG_CSV_COLUMNS,
  SYSTEM_ACTOR,
  type ActivationLogAction,
  type ActivationLogEntry,
  type ActorKind,
  type CodewordKind,
  type LogValues,
} from '../../api/capacity.js';
import type { CapacityActivationLogTable, Database } from '../db/schema.js';
import { toCsv } from './csv.js';
import { listOf, type ComplexState, type MemberRow } from './store.js';

/** Who made a change and why: what a change's work says about itself. */
export interface LogIntent {
  action: ActivationLogAction;
  /** A user's name; the manager's own changes are logged as SYSTEM_ACTOR. */
  who: string;
  whoKind?: ActorKind;
  detail: string;
  codewordSequence?: number;
  /** The system the change was asked for: it gets an entry even when nothing of it changed. */
  system?: { id: string; name: string };
}

/** One entry, before it is numbered. */
export interface LogEntry {
  action: ActivationLogAction;
  who: string;
  whoKind: ActorKind;
  system: { id: string; name: string } | null;
  before: LogValues | null;
  after: LogValues | null;
  codewordSequence: number | null;
  detail: string;
}

export const bySystem = (detail: string) => ({ who: SYSTEM_ACTOR, whoKind: 'system' as const, detail });

/** A copy of a complex's state that later changes to it (or its rows) do not touch. */
export function copyState(st: ComplexState): ComplexState {
  return { row: { ...st.row }, members: st.members.map((m) => ({ ...m })) };
}

const systemValues = (m: MemberRow): LogValues => ({ cores: m.ia_cores, memoryGiB: m.ia_memory_gib, cells: m.ia_cells });

/** The complex's values a change may touch, by their API names. */
function complexValues(st: ComplexState): LogValues {
  const r = st.row;
  return {
    name: r.name,
    rightsCores: r.rights_cores,
    rightsMemoryGiB: r.rights_memory_gib,
    rightsCells: r.rights_cells,
    balanceSeconds: Number(r.temp_balance),
    totalCores: r.total_cores,
    totalMemoryGiB: r.total_memory_gib,
    totalCells: r.total_cells,
    warningPeriodSeconds: r.warning_period_s,
    exhaustionAction: r.exhaustion_action,
    contacts: listOf(r.contacts).join(', '),
    webhooks: listOf(r.webhooks).join(', '),
  };
}

/** The values that differ, each side with only those. */
function difference(before: LogValues, after: LogValues): { before: LogValues; after: LogValues } | null {
  const keys = Object.keys(after).filter((k) => before[k] !== after[k]);
  if (keys.length === 0) return null;
  return { before: Object.fromEntries(keys.map((k) => [k, before[k] ?? null])), after: Object.fromEntries(keys.map((k) => [k, after[k] ?? null])) };
}

/** Whether anything the log records differs between the two states. */
export function changedCapacity(before: ComplexState, after: ComplexState): boolean {
  if (difference(complexValues(before), complexValues(after))) return true;
  return after.members.some((m) => {
    const was = before.members.find((b) => b.system_id === m.system_id);
    return !was || difference(systemValues(was), systemValues(m)) !== null;
  });
}

/** The entries of a change that took the complex from `before` to `after`. */
export function entriesOf(intent: LogIntent, before: ComplexState, after: ComplexState): LogEntry[] {
  const base = { action: intent.action, who: intent.who, whoKind: intent.whoKind ?? 'user', codewordSequence: intent.codewordSequence ?? null, detail: intent.detail };
  const entries: LogEntry[] = [];
  const complex = difference(complexValues(before), complexValues(after));
  if (complex) entries.push({ ...base, system: null, ...complex });
  for (const m of after.members) {
    const was = before.members.find((b) => b.system_id === m.system_id);
    const diff = was ? difference(systemValues(was), systemValues(m)) : { before: null, after: systemValues(m) };
    if (diff) entries.push({ ...base, system: { id: m.system_id, name: m.name }, ...diff });
  }
  if (intent.system && !entries.some((e) => e.system?.id === intent.system?.id)) {
    const m = after.members.find((x) => x.system_id === intent.system?.id);
    const values = m ? systemValues(m) : null;
    entries.push({ ...base, system: intent.system, before: values, after: values });
  }
  if (entries.length === 0) entries.push({ ...base, system: null, before: null, after: null });
  return entries;
}

/** A new complex: its rights and settings, and each system's intended active components. */
export function createdEntries(st: ComplexState, who: string, detail: string): LogEntry[] {
  const base = { action: 'complex-created' as const, who, whoKind: 'user' as const, codewordSequence: null, detail };
  const { balanceSeconds: _credited, ...values } = complexValues(st);
  return [
    { ...base, system: null, before: null, after: values },
    ...st.members.map((m) => ({ ...base, system: { id: m.system_id, name: m.name }, before: null, after: systemValues(m) })),
  ];
}

/** A complex that goes: what it had. */
export function removedEntry(st: ComplexState, who: string): LogEntry {
  return {
    action: 'complex-removed', who, whoKind: 'user', system: null, codewordSequence: null,
    before: complexValues(st), after: null,
    detail: `complex ${st.row.name} removed by ${who}: its systems (${st.members.map((m) => m.name).join(', ') || 'none'}) are no longer governed`,
  };
}

/** Appends the entries, numbered after the complex's last one (inside its locked transaction). */
export async function appendLog(trx: Kysely<Database>, st: ComplexState, entries: LogEntry[], at: string): Promise<void> {
  if (entries.length === 0) return;
  const last = await trx.selectFrom('capacity_activation_log').select((eb) => eb.fn.max('seq').as('seq')).where('complex_id', '=', st.row.id).executeTakeFirst();
  let seq = Number(last?.seq ?? 0);
  await trx.insertInto('capacity_activation_log').values(entries.map((e): CapacityActivationLogTable => ({
    complex_id: st.row.id,
    seq: ++seq,
    at,
    actor: e.who,
    actor_kind: e.whoKind,
    action: e.action,
    complex_name: st.row.name,
    serial: st.row.serial,
    system_id: e.system?.id ?? null,
    system_name: e.system?.name ?? null,
    before: e.before === null ? null : JSON.stringify(e.before),
    after: e.after === null ? null : JSON.stringify(e.after),
    codeword_sequence: e.codewordSequence,
    detail: e.detail,
  }))).execute();
}

export interface LogFilter {
  complexId?: string;
  systemId?: string;
  since?: string;
  until?: string;
}

export interface LoggedRow extends CapacityActivationLogTable {
  cw_kind: string | null;
  cw_quantity: number | string | null;
  cw_digest: string | null;
  cw_issued_at: string | null;
}

function filtered(db: Kysely<Database>, f: LogFilter) {
  let q = db.selectFrom('capacity_activation_log as l');
  if (f.complexId !== undefined) q = q.where('l.complex_id', '=', f.complexId);
  if (f.systemId !== undefined) q = q.where('l.system_id', '=', f.systemId);
  if (f.since !== undefined) q = q.where('l.at', '>=', f.since);
  if (f.until !== undefined) q = q.where('l.at', '<', f.until);
  return q;
}

/** Entries newest first (by time, then complex, then each complex's own order), with their codewords. */
export async function readLog(db: Kysely<Database>, f: LogFilter, limit: number, offset: number): Promise<LoggedRow[]> {
  return filtered(db, f)
    .leftJoin('capacity_codeword_history as h', (j) => j.onRef('h.serial', '=', 'l.serial').onRef('h.sequence', '=', 'l.codeword_sequence'))
    .selectAll('l')
    .select(['h.kind as cw_kind', 'h.quantity as cw_quantity', 'h.digest as cw_digest', 'h.issued_at as cw_issued_at'])
    .orderBy('l.at', 'desc').orderBy('l.complex_id').orderBy('l.seq', 'desc')
    .limit(limit).offset(offset)
    .execute();
}

export async function countLog(db: Kysely<Database>, f: LogFilter): Promise<number> {
  const r = await filtered(db, f).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

const values = (json: string | null): LogValues | null => (json === null ? null : JSON.parse(json) as LogValues);

export function logEntryView(r: LoggedRow): ActivationLogEntry {
  return {
    id: `${r.complex_id}/${r.seq}`,
    at: r.at,
    who: r.actor,
    whoKind: r.actor_kind,
    action: r.action as ActivationLogAction,
    complex: { id: r.complex_id, name: r.complex_name, serial: r.serial },
    system: r.system_id === null ? null : { id: r.system_id, name: r.system_name ?? r.system_id },
    before: values(r.before),
    after: values(r.after),
    codeword: r.codeword_sequence === null || r.cw_kind === null
      ? null
      : { sequence: r.codeword_sequence, kind: r.cw_kind as CodewordKind, quantity: Number(r.cw_quantity), digest: r.cw_digest ?? '', issuedAt: r.cw_issued_at ?? '' },
    detail: r.detail,
  };
}

/** The CSV export: one row per entry, before and after as JSON objects. */
export function logCsv(entries: readonly ActivationLogEntry[]): string {
  const json = (v: LogValues | null) => (v === null ? null : JSON.stringify(v));
  return toCsv(ACTIVATION_LOG_CSV_COLUMNS, entries.map((e) => [
    e.at, e.who, e.whoKind, e.action, e.complex.name, e.complex.serial, e.system?.name ?? null, json(e.before), json(e.after),
    e.codeword?.sequence ?? null, e.codeword?.kind ?? null, e.codeword?.quantity ?? null, e.detail,
  ]));
}
