// Instant capacity in the manager: complexes, codewords, activation, the meter, status, the
// deploy check, and the seam the agent channel uses (what a system must enforce; what it
// reports as applied). Every change to a complex is one transaction that locks the complex,
// meters up to now at the old configuration, makes the change, then settles warnings and
// the exhaustion action; notifications go out after the commit.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CapacityEnforcement } from '../../api/agents.js';
import { CapstanError } from '../../api/errors.js';
import type {
  ActivationLogEntry,
  ActivationLogExportQuery,
  ActivationLogQuery,
  ActivationRequest,
  AppliedCodeword,
  ApplyCodewordRequest,
  CapacitySettings,
  ComplexView,
  Components,
  CreateComplexRequest,
  DeliveryQuery,
  DeliveryView,
  LedgerEntry,
  ModifyComplexRequest,
  MoveRequest,
} from '../../api/capacity.js';
import type { Page } from '../../api/resources.js';
import type { WparSpec } from '../../api/wpar.js';
import type { Database } from '../db/schema.js';
import { specOf } from '../inventory/wpar-store.js';
import type { NotifyService } from '../notify/service.js';
import { appendLog, countLog, createdEntries, logCsv, logEntryView, readLog, removedEntry, type LogFilter } from './activation-log.js';
import { parseCodeword, serialHash, signedByAny } from './codeword.js';
import { deployShortfall, placeableActive } from './deploy-check.js';
import { configured, ComplexChanges, recipientsOf, type IntendedChanged } from './changes.js';
import { insertComplex } from './complex-create.js';
import { IssuerKeys } from './issuers.js';
import { creditLocked } from './ledger.js';
import { MeterLoop } from './meter-loop.js';
import { assertSequence, codewordEffect, planActivation, planDeactivationOf, planMove } from './rules.js';
import { DEFAULT_METER_INTERVAL_SECONDS, readSettings, writeSettings, type CapacityConfig } from './settings.js';
import { complexOfSystem, findComplex, findSystem, loadComplex, lockComplex, setIntended, snapshotOf, type ComplexState } from './store.js';
import { complexView, ledgerEntryView } from './views.js';

/** What a system's agent must enforce on the slice that holds its WPARs: its intended active components. */
export interface SystemEnforcement extends CapacityEnforcement {
  systemId: string;
  complexId: string;
}

/** A deployment's WPAR, as the inventory knows it at the deploy request. */
export interface DeployingWpar {
  id: string;
  name: string;
  spec: WparSpec;
}

export class CapacityService {
  readonly issuers: IssuerKeys;
  private readonly changes: ComplexChanges;
  private readonly loop: MeterLoop;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly notify: NotifyService,
    config: CapacityConfig,
    private readonly log: Logger,
    /** Milliseconds since the epoch; tests pass a simulated clock. */
    clock: () => number = Date.now,
    /** Told the systems whose intended active components (or complex membership) changed: their agents must enforce anew. */
    intendedChanged?: IntendedChanged,
  ) {
    this.changes = new ComplexChanges(db, notify, log, clock, intendedChanged);
    this.issuers = new IssuerKeys(db, config.issuerKeys);
    const interval = (config.meterIntervalSeconds ?? DEFAULT_METER_INTERVAL_SECONDS) * 1000;
    this.loop = new MeterLoop(() => this.meterAll(), interval, log);
  }

  // ---- status ----

  async list(): Promise<ComplexView[]> {
    const rows = await this.db.selectFrom('capacity_complexes').select('id').orderBy('name').execute();
    const t = this.changes.now();
    return Promise.all(rows.map(async (r) => complexView(await loadComplex(this.db, r.id), t.sec)));
  }

  async get(ref: string): Promise<ComplexView> {
    const row = await findComplex(this.db, ref);
    return complexView(await loadComplex(this.db, row.id), this.changes.now().sec);
  }

  async ledger(ref: string, limit: number): Promise<LedgerEntry[]> {
    const row = await findComplex(this.db, ref);
    const rows = await this.db.selectFrom('capacity_ledger').selectAll().where('complex_id', '=', row.id).orderBy('seq', 'desc').limit(limit).execute();
    return rows.map(ledgerEntryView);
  }

  // ---- the activation log ----

  /** Every capacity change, newest first, a page at a time. */
  async activationLog(query: ActivationLogQuery): Promise<Page<ActivationLogEntry>> {
    const f = await this.logFilter(query);
    const [rows, total] = await Promise.all([readLog(this.db, f, query.limit, query.offset), countLog(this.db, f)]);
    return { items: rows.map(logEntryView), total };
  }

  /** The same entries as CSV (at most `limit`, newest first). */
  async activationLogCsv(query: ActivationLogExportQuery): Promise<string> {
    const rows = await readLog(this.db, await this.logFilter(query), query.limit, 0);
    return logCsv(rows.map(logEntryView));
  }

  /**
   * The filters, by id: a complex or system that exists now by its id, name or serial; else
   * one known only to the log (removed since) by what the log names it; else CAP-E0002.
   */
  private async logFilter(q: { complex?: string; system?: string; since?: string; until?: string }): Promise<LogFilter> {
    const instant = (text: string | undefined) => (text === undefined ? undefined : new Date(text).toISOString());
    const f: LogFilter = { since: instant(q.since), until: instant(q.until) };
    if (f.since !== undefined && f.until !== undefined && f.since >= f.until) throw new CapstanError('CAP-E1040', `since ${q.since}, until ${q.until}`);
    if (q.complex !== undefined) {
      const ref = q.complex;
      f.complexId = await findComplex(this.db, ref).then((c) => c.id, async (e: unknown) => {
        const logged = await this.db.selectFrom('capacity_activation_log').select('complex_id')
          .where((eb) => eb.or([eb('complex_id', '=', ref), eb('complex_name', '=', ref), eb('serial', '=', ref)]))
          .orderBy('at', 'desc').limit(1).executeTakeFirst();
        if (!logged) throw e;
        return logged.complex_id;
      });
    }
    if (q.system !== undefined) {
      const ref = q.system;
      f.systemId = await findSystem(this.db, ref).then((s) => s.id, async (e: unknown) => {
        const logged = await this.db.selectFrom('capacity_activation_log').select('system_id')
          .where((eb) => eb.or([eb('system_id', '=', ref), eb('system_name', '=', ref)]))
          .orderBy('at', 'desc').limit(1).executeTakeFirst();
        if (!logged?.system_id) throw e;
        return logged.system_id;
      });
    }
    return f;
  }

  // ---- complexes ----

  /** A complex of one or more systems, with the rights it ships with and its Instant Access Capacity. */
  async create(req: CreateComplexRequest, by: string): Promise<ComplexView> {
    const systems = await Promise.all(req.systems.map((ref) => findSystem(this.db, ref)));
    if (new Set(systems.map((s) => s.id)).size !== systems.length) throw new CapstanError('CAP-E0001', 'a system is named twice');
    const t = this.changes.now();
    const id = randomUUID();
    const what = `complex ${req.name} created by ${by} (serial ${req.serial}, ${req.rights.cores} core usage rights)`;
    try {
      await this.db.transaction().execute(async (trx) => {
        await insertComplex(trx, id, req, systems, t);
        const st = await loadComplex(trx, id);
        const entries = createdEntries(st, by, what);
        if (req.instantAccessSeconds) {
          entries.push({
            action: 'temporary-credited', who: by, whoKind: 'user', system: null, codewordSequence: null,
            before: { balanceSeconds: 0 }, after: { balanceSeconds: req.instantAccessSeconds },
            detail: `Instant Access Capacity: ${req.instantAccessSeconds} core-seconds of temporary capacity credited to ${req.name}`,
          });
        }
        await appendLog(trx, st, entries, t.iso);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new CapstanError('CAP-E0003', `complex ${req.name}`);
      throw e;
    }
    const st = await loadComplex(this.db, id);
    this.changes.intendedChanged(systems.map((s) => s.id));
    this.changes.dispatch(st, [configured(st, what)]);
    return complexView(st, t.sec);
  }

  async modify(ref: string, req: ModifyComplexRequest, by: string): Promise<ComplexView> {
    const row = await findComplex(this.db, ref);
    try {
      return await this.changes.change(row.id, async (trx, st) => {
        if (req.name !== undefined && req.name !== st.row.name) {
          const taken = await trx.selectFrom('capacity_complexes').select('id').where('name', '=', req.name).executeTakeFirst();
          if (taken) throw new CapstanError('CAP-E0003', `complex ${req.name}`);
        }
        await trx.updateTable('capacity_complexes').set({
          name: req.name,
          total_cores: req.totalCores,
          total_memory_gib: req.totalMemoryGiB,
          total_cells: req.totalCells,
          warning_period_s: req.warningPeriodSeconds,
          exhaustion_action: req.exhaustionAction,
          contacts: req.contacts === undefined ? undefined : JSON.stringify(req.contacts),
          webhooks: req.webhooks === undefined ? undefined : JSON.stringify(req.webhooks),
        }).where('id', '=', st.row.id).execute();
        const what = `complex ${st.row.name} modified by ${by}: ${Object.keys(req).join(', ')}`;
        return { result: undefined, notices: [configured(st, what)], log: { action: 'complex-modified', who: by, detail: what } };
      }).then((r) => r.view);
    } catch (e) {
      if (isUniqueViolation(e)) throw new CapstanError('CAP-E0003', `complex ${req.name ?? ''}`);
      throw e;
    }
  }

  /**
   * Its applied codewords stay, by serial: a complex made again with the serial continues their
   * sequence. Its activation log stays too, ending with the removal.
   */
  async remove(ref: string, by: string): Promise<void> {
    const row = await findComplex(this.db, ref);
    const t = this.changes.now();
    const st = await this.db.transaction().execute(async (trx) => {
      const locked = await lockComplex(trx, row.id, t.iso);
      await appendLog(trx, locked, [removedEntry(locked, by)], t.iso);
      await trx.deleteFrom('capacity_complexes').where('id', '=', row.id).execute();
      return locked;
    });
    // Systems in no complex are not governed: their agents lift the limits.
    this.changes.intendedChanged(st.members.map((m) => m.system_id));
  }

  // ---- codewords and activation ----

  /**
   * Applies a codeword: decoded (CAP-E0800), signed by a trusted issuer (CAP-E0801), for this
   * complex (CAP-E0802), next in sequence (CAP-E0803, or CAP-E0804 when applied before).
   */
  async applyCodeword(req: ApplyCodewordRequest, by: string): Promise<AppliedCodeword> {
    const cw = parseCodeword(req.codeword);
    if (!signedByAny(cw, await this.issuers.trusted())) throw new CapstanError('CAP-E0801');
    const target = req.complex !== undefined
      ? await findComplex(this.db, req.complex)
      : (await this.db.selectFrom('capacity_complexes').selectAll().execute()).find((c) => serialHash(c.serial) === cw.serialHash);
    if (!target || serialHash(target.serial) !== cw.serialHash) {
      throw new CapstanError('CAP-E0802', target ? `complex ${target.name} has serial ${target.serial}` : 'no complex of this manager has its serial');
    }
    const issuedAt = new Date(cw.issuedAt * 1000).toISOString();
    const { view } = await this.changes.change(target.id, async (trx, st) => {
      const applied = await trx.selectFrom('capacity_codeword_history').select('digest')
        .where('serial', '=', st.row.serial).where('sequence', '=', cw.sequence).executeTakeFirst();
      assertSequence(cw.sequence, st.row.last_sequence, applied?.digest, cw.digest);
      const t = this.changes.now();
      const effect = codewordEffect(cw.kind, cw.quantity);
      const r = effect.rights ?? {};
      if (r.cores) await trx.updateTable('capacity_complexes').set({ rights_cores: st.row.rights_cores + r.cores }).where('id', '=', st.row.id).execute();
      if (r.memoryGiB) {
        await trx.updateTable('capacity_complexes').set({ rights_memory_gib: (st.row.rights_memory_gib ?? 0) + r.memoryGiB }).where('id', '=', st.row.id).execute();
        // Memory becomes governed with its first rights: nothing of it is active yet.
        await trx.updateTable('capacity_systems').set({ ia_memory_gib: 0 }).where('complex_id', '=', st.row.id).where('ia_memory_gib', 'is', null).execute();
      }
      if (r.cells) {
        await trx.updateTable('capacity_complexes').set({ rights_cells: (st.row.rights_cells ?? 0) + r.cells }).where('id', '=', st.row.id).execute();
        await trx.updateTable('capacity_systems').set({ ia_cells: 0 }).where('complex_id', '=', st.row.id).where('ia_cells', 'is', null).execute();
      }
      if (effect.temporarySeconds) {
        await creditLocked(trx, st, { kind: 'codeword', amount: effect.temporarySeconds, codewordSequence: cw.sequence }, t.iso);
      }
      await trx.insertInto('capacity_codeword_history').values({
        serial: st.row.serial, sequence: cw.sequence, kind: cw.kind, quantity: cw.quantity, digest: cw.digest, issued_at: issuedAt, applied_at: t.iso, applied_by: by,
      }).execute();
      await trx.updateTable('capacity_complexes').set({ last_sequence: cw.sequence }).where('id', '=', st.row.id).execute();
      const what = `codeword ${cw.sequence} (${cw.kind}, ${cw.quantity}) applied to ${st.row.name} by ${by}`;
      return { result: undefined, notices: [configured(st, what)], log: { action: 'codeword-applied', who: by, detail: what, codewordSequence: cw.sequence } };
    });
    return { complex: { id: target.id, name: view.name }, kind: cw.kind, sequence: cw.sequence, quantity: cw.quantity, issuedAt, status: view };
  }

  async activate(systemRef: string, req: ActivationRequest, by: string): Promise<ComplexView> {
    return this.onSystem(systemRef, by, 'activate', req, (st, id) => planActivation(snapshotOf(st), id, req));
  }

  /** Always allowed (down to nothing active); applied by the agent, shown as IA ≠ AA until it is. */
  async deactivate(systemRef: string, req: ActivationRequest, by: string): Promise<ComplexView> {
    return this.onSystem(systemRef, by, 'deactivate', req, (st, id) => planDeactivationOf(snapshotOf(st), id, req));
  }

  /** Moves intended active cores between two systems of one complex. */
  async move(req: MoveRequest, by: string): Promise<ComplexView> {
    const from = await findSystem(this.db, req.from);
    const to = await findSystem(this.db, req.to);
    const complexId = await complexOfSystem(this.db, from.id, from.name);
    if ((await complexOfSystem(this.db, to.id, to.name)) !== complexId) throw new CapstanError('CAP-E0809', `${from.name} and ${to.name}`);
    const { view } = await this.changes.change(complexId, async (trx, st) => {
      const moved = planMove(snapshotOf(st), from.id, to.id, req.cores);
      await setIntended(trx, from.id, moved.from);
      await setIntended(trx, to.id, moved.to);
      const what = `${req.cores} core(s) moved from ${from.name} to ${to.name} by ${by}`;
      return { result: undefined, notices: [configured(st, what)], log: { action: 'move', who: by, detail: what } };
    });
    return view;
  }

  // ---- the agent's seam ----

  /** What a system must enforce: its intended active components; null when it is in no complex (nothing to enforce). */
  async enforcementFor(systemId: string): Promise<SystemEnforcement | null> {
    const m = await this.db.selectFrom('capacity_systems')
      .innerJoin('capacity_complexes', 'capacity_complexes.id', 'capacity_systems.complex_id')
      .select(['capacity_systems.complex_id', 'capacity_complexes.serial', 'ia_cores', 'ia_memory_gib', 'ia_cells'])
      .where('system_id', '=', systemId)
      .executeTakeFirst();
    if (!m) return null;
    return { systemId, complexId: m.complex_id, serial: m.serial, cores: m.ia_cores, memoryGiB: m.ia_memory_gib, cells: m.ia_cells };
  }

  /**
   * Records what a system's agent reports as applied (AA). The time before the report is
   * metered at what was active until then. Systems in no complex have nothing to record.
   */
  async reportActual(systemId: string, actual: Components): Promise<void> {
    const m = await this.db.selectFrom('capacity_systems').select('complex_id').where('system_id', '=', systemId).executeTakeFirst();
    if (!m) return;
    await this.changes.change(m.complex_id, async (trx, st) => {
      await trx.updateTable('capacity_systems')
        .set({ aa_cores: actual.cores, aa_memory_gib: actual.memoryGiB, aa_cells: actual.cells, aa_reported_at: this.changes.now().iso })
        .where('system_id', '=', systemId)
        .where('complex_id', '=', st.row.id)
        .execute();
      return { result: undefined, notices: [], log: null };
    });
  }

  // ---- the deploy check ----

  /**
   * Called by the inventory before a WPAR is deployed on a system: refused with CAP-E0811 when
   * the system lacks the active capacity it needs, or — with the deployCheck setting 'warn' —
   * allowed with a warning notification. Systems in no complex are not governed.
   */
  async checkDeploy(wpar: DeployingWpar, systemId: string): Promise<void> {
    const m = await this.db.selectFrom('capacity_systems').selectAll().where('system_id', '=', systemId).executeTakeFirst();
    if (!m) return;
    const intended: Components = { cores: m.ia_cores, memoryGiB: m.ia_memory_gib, cells: m.ia_cells };
    const actual: Components | null = m.aa_cores === null ? null : { cores: m.aa_cores, memoryGiB: m.aa_memory_gib, cells: m.aa_cells };
    const deployed = await this.db.selectFrom('wpars').select(['name', 'spec']).where('system_id', '=', systemId).where('id', '!=', wpar.id).execute();
    const shortfall = deployShortfall(placeableActive(intended, actual), deployed.map((w) => specOf(w).resources), wpar.spec.resources);
    if (!shortfall) return;
    const system = await findSystem(this.db, systemId);
    const message = `${wpar.name} on ${system.name}: ${shortfall.reason}`;
    if ((await readSettings(this.db)).deployCheck === 'refuse') throw new CapstanError('CAP-E0811', message);
    this.log.warn({ wpar: wpar.name, system: system.name, reason: shortfall.reason }, 'WPAR deployed without the active capacity it needs');
    const st = await loadComplex(this.db, m.complex_id);
    this.changes.dispatch(st, [{ kind: 'warning', complex: { id: st.row.id, name: st.row.name }, subject: `WPAR deployed short of active capacity: ${message}`, text: `${message}\n` }]);
  }

  async settings(): Promise<CapacitySettings> {
    return readSettings(this.db);
  }

  async setSettings(s: CapacitySettings): Promise<CapacitySettings> {
    return writeSettings(this.db, s);
  }

  // ---- notifications ----

  /** The seed's icapnotify -t: a test notice to the complex's contacts and webhooks, answered with what was delivered. */
  async testNotification(ref: string): Promise<DeliveryView[]> {
    const st = await loadComplex(this.db, (await findComplex(this.db, ref)).id);
    return this.notify.send(
      { kind: 'test', complex: { id: st.row.id, name: st.row.name }, subject: `test notification for complex ${st.row.name}`, text: `Notifications for complex ${st.row.name} (serial ${st.row.serial}) reach you.\n` },
      recipientsOf(st),
    );
  }

  async deliveryLog(query: DeliveryQuery): Promise<DeliveryView[]> {
    const complexId = query.complex === undefined ? undefined : (await findComplex(this.db, query.complex)).id;
    return this.notify.list({ complexId, limit: query.limit });
  }

  // ---- the meter ----

  /** Meters every complex up to now, settles warnings and exhaustion, and waits for the notifications. */
  async meterAll(): Promise<void> {
    const rows = await this.db.selectFrom('capacity_complexes').select(['id', 'name']).execute();
    for (const r of rows) {
      try {
        await this.changes.change(r.id, async () => ({ result: undefined, notices: [], log: null }));
      } catch (e) {
        if (e instanceof CapstanError && e.code === 'CAP-E0002') continue; // removed meanwhile
        this.log.error({ err: e, complex: r.name }, 'metering failed');
      }
    }
    await this.flush();
  }

  startMeter(): void {
    this.loop.start();
  }

  /** Stops the meter loop and waits for the notifications under way. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.flush();
  }

  /** Waits until every notification dispatched so far has been delivered or recorded as failed. */
  flush(): Promise<void> {
    return this.changes.flush();
  }

  // ---- internals ----

  private async onSystem(systemRef: string, by: string, action: 'activate' | 'deactivate', req: ActivationRequest, plan: (st: ComplexState, systemId: string) => Components): Promise<ComplexView> {
    const sys = await findSystem(this.db, systemRef);
    const complexId = await complexOfSystem(this.db, sys.id, sys.name);
    const { view } = await this.changes.change(complexId, async (trx, st) => {
      await setIntended(trx, sys.id, plan(st, sys.id));
      const amounts = Object.entries(req).filter(([, n]) => n).map(([k, n]) => `${n} ${k === 'memoryGiB' ? 'GiB' : k}`).join(', ') || 'nothing';
      const what = `${amounts} ${action}d on ${sys.name} by ${by}`;
      return { result: undefined, notices: [configured(st, what)], log: { action, who: by, detail: what, system: sys } };
    });
    return view;
  }
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
