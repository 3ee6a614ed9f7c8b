// The temporary capacity ledger: every credit and every metered debit is one appended entry,
// written in the same transaction as the complex's balance and its "metered until"
// watermark. A debit covers [watermark, now) and moves the watermark to now only if it is
// still where the debit began, so a crash (before or after the commit) neither loses a
// second nor charges one twice: the next run meters from wherever the watermark stands.
import type { Kysely } from 'kysely';
import type { ExhaustionAction } from '../../api/capacity.js';
import type { Database } from '../db/schema.js';
import type { Notice } from '../notify/service.js';
import { bySystem, type LogEntry } from './activation-log.js';
import { assessTemporary, meterStep, planDeactivation } from './meter.js';
import { coresInUse, sumOf } from './rules.js';
import { appendLedger, setIntended, snapshotOf, type ComplexState, type LedgerAppend } from './store.js';

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** Charges the whole seconds since the watermark at the cores in use now (inside the caller's locked transaction). */
export async function meterLocked(trx: Kysely<Database>, st: ComplexState, now: number, nowIso: string): Promise<void> {
  const excess = coresInUse(snapshotOf(st));
  const step = meterStep(Number(st.row.metered_until), now, excess);
  if (!step) return;
  const balance = Number(st.row.temp_balance) - step.amount;
  if (step.amount > 0) {
    await appendLedger(trx, st.row.id, { kind: 'meter', amount: -step.amount, balanceAfter: balance, from: step.from, to: step.to, excess }, nowIso);
  }
  const moved = await trx.updateTable('capacity_complexes')
    .set({ temp_balance: balance, metered_until: step.to })
    .where('id', '=', st.row.id)
    .where('metered_until', '=', step.from)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) throw new Error(`the meter watermark of complex ${st.row.name} moved while it was locked`);
  st.row = { ...st.row, temp_balance: balance, metered_until: step.to };
}

/** Adds temporary capacity: Instant Access Capacity or a temporary capacity codeword. */
export async function creditLocked(trx: Kysely<Database>, st: ComplexState, credit: Pick<LedgerAppend, 'kind' | 'amount' | 'codewordSequence'>, nowIso: string): Promise<void> {
  const balance = Number(st.row.temp_balance) + credit.amount;
  await appendLedger(trx, st.row.id, { ...credit, balanceAfter: balance }, nowIso);
  await trx.updateTable('capacity_complexes').set({ temp_balance: balance }).where('id', '=', st.row.id).execute();
  st.row = { ...st.row, temp_balance: balance };
}

export interface Settled {
  /** To send after the commit. */
  notices: Notice[];
  /** The exhaustion, and what its action deactivated, for the activation log: the manager's own changes. */
  log: LogEntry[];
}

/**
 * After metering or a change: the depletion warning once its period is reached, and once the
 * balance is gone while cores are in use beyond the rights, the complex's exhaustion action
 * (deactivate back to the rights, or only notify).
 */
export async function settleLocked(trx: Kysely<Database>, st: ComplexState, now: number): Promise<Settled> {
  const snap = snapshotOf(st);
  const excess = coresInUse(snap);
  const balance = Number(st.row.temp_balance);
  const flags = { warned: st.row.temp_warned === 1, exhausted: st.row.temp_exhausted === 1 };
  const a = assessTemporary(balance, excess, st.row.warning_period_s, now, flags);
  const complex = { id: st.row.id, name: st.row.name };
  const notices: Notice[] = [];
  const log: LogEntry[] = [];
  if (a.warn && a.projected !== null) {
    notices.push({
      kind: 'warning',
      complex,
      subject: `temporary capacity of ${st.row.name} runs out at ${iso(a.projected)}`,
      text: `Complex ${st.row.name} (serial ${st.row.serial}) uses ${excess} core(s) beyond its ${snap.rights.cores} core usage rights.\n`
        + `${balance} core-seconds of temporary capacity are left: at this use they run out at ${iso(a.projected)}.\n`
        + `When they do, the configured action is: ${st.row.exhaustion_action}.\n`
        + 'Apply a temporary capacity or right-to-use codeword, or deactivate cores, to avoid it.\n',
      data: { balanceSeconds: balance, coresInUse: excess, projectedExpiry: iso(a.projected) },
    });
  }
  if (a.exhaust) {
    const action = st.row.exhaustion_action as ExhaustionAction;
    const changes: string[] = [];
    if (action === 'deactivate') {
      const over = sumOf(snap.systems.map((s) => s.intended), 'cores') - snap.rights.cores;
      const plan = planDeactivation(snap.systems.map((s) => ({ id: s.id, name: s.name, cores: s.intended.cores })), over);
      for (const s of snap.systems) {
        const cores = plan.get(s.id);
        if (cores === undefined) continue;
        await setIntended(trx, s.id, { ...s.intended, cores });
        changes.push(`${s.name}: ${s.intended.cores} → ${cores} cores intended active`);
        log.push({
          action: 'exhaustion-deactivate', ...bySystem(`temporary capacity of ${st.row.name} exhausted: ${s.intended.cores - cores} core(s) deactivated on ${s.name}, back to the usage rights`),
          system: { id: s.id, name: s.name }, before: { cores: s.intended.cores }, after: { cores }, codewordSequence: null,
        });
      }
    }
    log.unshift({
      action: 'temporary-exhausted',
      ...bySystem(action === 'deactivate'
        ? `temporary capacity of ${st.row.name} exhausted with ${excess} core(s) beyond the ${snap.rights.cores} core usage rights: deactivated back to the rights`
        : `temporary capacity of ${st.row.name} exhausted with ${excess} core(s) beyond the ${snap.rights.cores} core usage rights: out of compliance (exhaustion action: notify)`),
      system: null, before: null, after: { balanceSeconds: balance, coresInUse: excess }, codewordSequence: null,
    });
    notices.push({
      kind: 'exception',
      complex,
      subject: `temporary capacity of ${st.row.name} is exhausted`,
      text: `Complex ${st.row.name} (serial ${st.row.serial}) has ${balance} core-seconds of temporary capacity left `
        + `while ${excess} core(s) are active beyond its ${snap.rights.cores} core usage rights.\n`
        + (action === 'deactivate'
          ? `Cores were deactivated back to the usage rights:\n${changes.map((c) => `  ${c}\n`).join('')}`
          : 'The complex is out of compliance until cores are deactivated or capacity is applied.\n'),
      data: { balanceSeconds: balance, coresInUse: excess, action, changes },
    });
  }
  if (a.flags.warned !== flags.warned || a.flags.exhausted !== flags.exhausted) {
    await trx.updateTable('capacity_complexes')
      .set({ temp_warned: a.flags.warned ? 1 : 0, temp_exhausted: a.flags.exhausted ? 1 : 0 })
      .where('id', '=', st.row.id)
      .execute();
  }
  return { notices, log };
}
