// How every change to a complex happens: one transaction that locks the complex, meters up to
// now at the old configuration, makes the change, settles warnings and the exhaustion action,
// and appends what changed to the activation log; after the commit the notifications go out
// and the systems whose intended active components changed are announced (their agents must
// enforce anew).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ComplexView } from '../../api/capacity.js';
import type { Database } from '../db/schema.js';
import type { Notice, NotifyService } from '../notify/service.js';
import { appendLog, changedCapacity, copyState, entriesOf, type LogIntent } from './activation-log.js';
import { meterLocked, settleLocked } from './ledger.js';
import { listOf, loadComplex, lockComplex, type ComplexState } from './store.js';
import { complexView } from './views.js';

export interface Moment {
  sec: number;
  iso: string;
}

export interface ChangeResult<R> {
  result: R;
  notices: Notice[];
  /**
   * Who made the change and why, for the activation log. Null only for work that changes no
   * capacity (the meter's own pass, actual active reports): one that does is refused.
   */
  log: LogIntent | null;
}

/** Told the systems whose intended active components (or complex membership) changed. */
export type IntendedChanged = (systemIds: string[]) => void;

export class ComplexChanges {
  private readonly deliveries = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly notify: NotifyService,
    private readonly log: Logger,
    /** Milliseconds since the epoch; tests pass a simulated clock. */
    private readonly clock: () => number,
    private readonly intendedChangedTo?: IntendedChanged,
  ) {}

  now(): Moment {
    const ms = this.clock();
    return { sec: Math.floor(ms / 1000), iso: new Date(ms).toISOString() };
  }

  /** One locked transaction: meter up to now, the change, settle, log; then notify. */
  async change<R>(complexId: string, work: (trx: Kysely<Database>, st: ComplexState) => Promise<ChangeResult<R>>): Promise<{ result: R; view: ComplexView }> {
    const t = this.now();
    const { result, notices, before, after } = await this.db.transaction().execute(async (trx) => {
      const st = await lockComplex(trx, complexId, t.iso);
      await meterLocked(trx, st, t.sec, t.iso);
      const metered = copyState(st);
      const done = await work(trx, st);
      const changed = await loadComplex(trx, complexId);
      if (!done.log && changedCapacity(metered, changed)) {
        throw new Error(`a change to complex ${metered.row.name} did not say who made it, for the activation log`);
      }
      const entries = done.log ? entriesOf(done.log, metered, changed) : [];
      const settled = await settleLocked(trx, changed, t.sec);
      const after = settled.notices.length > 0 ? await loadComplex(trx, complexId) : changed;
      await appendLog(trx, after, [...entries, ...settled.log], t.iso);
      return { ...done, notices: [...done.notices, ...settled.notices], before: metered, after };
    });
    this.dispatch(after, notices);
    this.intendedChanged(after.members.filter((m) => {
      const was = before.members.find((b) => b.system_id === m.system_id);
      return !was || was.ia_cores !== m.ia_cores || was.ia_memory_gib !== m.ia_memory_gib || was.ia_cells !== m.ia_cells;
    }).map((m) => m.system_id));
    return { result, view: complexView(after, t.sec) };
  }

  intendedChanged(systemIds: string[]): void {
    if (systemIds.length > 0) this.intendedChangedTo?.(systemIds);
  }

  /** Sends the notices to the complex's contacts and webhooks, in the background (see flush). */
  dispatch(st: ComplexState, notices: Notice[]): void {
    const to = recipientsOf(st);
    if (to.emails.length === 0 && to.webhooks.length === 0) return;
    for (const n of notices) {
      const p = this.notify.send(n, to).catch((e: unknown) => this.log.error({ err: e }, 'recording a notification failed'));
      this.deliveries.add(p);
      void p.finally(() => this.deliveries.delete(p));
    }
  }

  /** Waits until every notification dispatched so far has been delivered or recorded as failed. */
  async flush(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
  }
}

export function recipientsOf(st: ComplexState): { emails: string[]; webhooks: string[] } {
  return { emails: listOf(st.row.contacts), webhooks: listOf(st.row.webhooks) };
}

/** The notice of a configuration change. */
export function configured(st: ComplexState, what: string): Notice {
  return { kind: 'configuration', complex: { id: st.row.id, name: st.row.name }, subject: `${st.row.name}: ${what}`, text: `Instant capacity configuration change on complex ${st.row.name} (serial ${st.row.serial}):\n${what}\n` };
}
