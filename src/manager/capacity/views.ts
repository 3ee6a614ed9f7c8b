// How a complex and its ledger are shown: the seed's status (rights, IA and AA per system,
// active and inactive counts, temporary capacity and its projected expiry, compliance).
import type { CapacitySystemView, ComplexView, ComponentCounts, Components, LedgerEntry } from '../../api/capacity.js';
import type { Database } from '../db/schema.js';
import { projectedDepletion } from './meter.js';
import { complianceOf, coresInUse, effective, sumOf, type Component } from './rules.js';
import { listOf, snapshotOf, type ComplexState } from './store.js';

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

const same = (a: Components, b: Components | null): boolean =>
  b !== null && a.cores === b.cores && a.memoryGiB === b.memoryGiB && a.cells === b.cells;

export function complexView(st: ComplexState, now: number): ComplexView {
  const snap = snapshotOf(st);
  const active = snap.systems.map(effective);
  const counts = (c: Component): ComponentCounts => {
    const total = snap.totals[c];
    const n = sumOf(active, c);
    return { total, rights: snap.rights[c] ?? 0, active: n, inactive: total === null ? null : total - n };
  };
  const inUse = coresInUse(snap);
  const projected = projectedDepletion(snap.balance, inUse, now);
  const systems: CapacitySystemView[] = st.members.map((m, i) => {
    const s = snap.systems[i] as (typeof snap.systems)[number];
    return {
      id: s.id,
      name: s.name,
      state: m.state,
      intended: s.intended,
      actual: s.actual,
      pending: !same(s.intended, s.actual),
      actualReportedAt: m.aa_reported_at,
      hostCores: s.hostCores,
    };
  });
  return {
    id: st.row.id,
    name: st.row.name,
    serial: st.row.serial,
    cores: counts('cores'),
    memoryGiB: snap.rights.memoryGiB === null ? null : counts('memoryGiB'),
    cells: snap.rights.cells === null ? null : counts('cells'),
    temporary: {
      balanceSeconds: snap.balance,
      coresInUse: inUse,
      projectedExpiry: projected === null ? null : iso(projected),
      meteredUntil: iso(Number(st.row.metered_until)),
      warningPeriodSeconds: st.row.warning_period_s,
      exhaustionAction: st.row.exhaustion_action as ComplexView['temporary']['exhaustionAction'],
    },
    compliance: complianceOf(snap),
    systems,
    lastSequence: st.row.last_sequence,
    contacts: listOf(st.row.contacts),
    webhooks: listOf(st.row.webhooks),
    createdAt: st.row.created_at,
  };
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function ledgerEntryView(r: Database['capacity_ledger']): LedgerEntry {
  const from = num(r.from_s);
  const to = num(r.to_s);
  return {
    seq: r.seq,
    kind: r.kind as LedgerEntry['kind'],
    amount: Number(r.amount),
    balanceAfter: Number(r.balance_after),
    from: from === null ? null : iso(from),
    to: to === null ? null : iso(to),
    excessCores: r.excess_cores,
    codewordSequence: r.codeword_sequence,
    createdAt: r.created_at,
  };
}
