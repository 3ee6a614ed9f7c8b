// Stored metrics: agents' samples of hosts and WPARs, raw for a day and as 5-minute means for
// thirty days, queried by time range. The newest sample of each subject is also kept in
// memory for the Prometheus export.
import { sql, type Kysely } from 'kysely';
import type { MetricSample } from '../../api/agents.js';
import { RAW_RETENTION_MS, ROLLUP_MS, ROLLUP_RETENTION_MS, type MetricPoint, type MetricValues } from '../../api/metrics.js';
import type { Database, MetricRowTable } from '../db/schema.js';

type Kind = 'system' | 'wpar';

export interface Latest {
  kind: Kind;
  id: string;
  systemId: string;
  t: number;
  values: MetricValues;
}

const ROLLED_UNTIL = 'metrics.rolledUntil';
/** Parameters one statement may bind: SQLite's limit (32,766 since 3.32; PostgreSQL allows 65,535). */
export const MAX_BOUND_PARAMETERS = 32_766;

export class MetricsStore {
  /** Newest sample per subject, by `${kind}/${id}`. */
  readonly latest = new Map<string, Latest>();

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores an agent's samples. `wparIds` maps the host's WPAR names to their ids; samples of
   * WPARs the manager does not know (yet) are dropped.
   */
  async ingest(systemId: string, samples: MetricSample[], wparIds: ReadonlyMap<string, string>): Promise<void> {
    const rows: MetricRowTable[] = [];
    for (const s of samples) {
      rows.push(toRow('system', systemId, systemId, s.t, s.host));
      this.remember('system', systemId, systemId, s.t, s.host);
      for (const [name, values] of Object.entries(s.wpars)) {
        const id = wparIds.get(name);
        if (!id) continue;
        rows.push(toRow('wpar', id, systemId, s.t, values));
        this.remember('wpar', id, systemId, s.t, values);
      }
    }
    if (rows.length === 0) return;
    // A backlog (hours of a busy host) is more rows than one statement may bind: several
    // statements, one transaction, so that the agent's acknowledgement covers all or none.
    const perStatement = Math.floor(MAX_BOUND_PARAMETERS / Object.keys(rows[0]!).length);
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += perStatement) {
        // An agent that resends a buffered sample after a lost acknowledgement changes nothing.
        await trx.insertInto('metric_samples').values(rows.slice(i, i + perStatement))
          .onConflict((oc) => oc.columns(['subject_kind', 'subject_id', 't']).doNothing())
          .execute();
      }
    });
  }

  /** Raw samples when the range starts within the raw window, otherwise rollups. */
  async query(kind: Kind, id: string, from: number, to: number, now = Date.now()): Promise<{ resolution: 'raw' | 'rollup'; points: MetricPoint[] }> {
    const resolution = from >= now - RAW_RETENTION_MS ? 'raw' : 'rollup';
    const rows = await this.db.selectFrom(resolution === 'raw' ? 'metric_samples' : 'metric_rollups')
      .selectAll()
      .where('subject_kind', '=', kind).where('subject_id', '=', id)
      .where('t', '>=', from).where('t', '<=', to)
      .orderBy('t')
      .execute();
    return { resolution, points: rows.map(toPoint) };
  }

  /**
   * Rolls every complete 5-minute bucket since the last rollup into means, then drops raw
   * samples and rollups past their retention. Idempotent: a crash half-way repeats nothing.
   */
  async maintain(now = Date.now()): Promise<void> {
    const until = Math.floor(now / ROLLUP_MS) * ROLLUP_MS;
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', ROLLED_UNTIL).executeTakeFirst();
    const oldest = await this.db.selectFrom('metric_samples').select((eb) => eb.fn.min('t').as('t')).executeTakeFirst();
    const from = row ? Number(JSON.parse(row.value)) : oldest?.t != null ? Math.floor(Number(oldest.t) / ROLLUP_MS) * ROLLUP_MS : until;
    if (from < until) {
      await this.db.transaction().execute(async (trx) => {
        const buckets = await trx.selectFrom('metric_samples')
          .select((eb) => [
            'subject_kind', 'subject_id', 'system_id',
            // Literal integers: a bound parameter would make SQLite divide as reals.
            sql<number>`(t / ${sql.lit(ROLLUP_MS)}) * ${sql.lit(ROLLUP_MS)}`.as('bucket'),
            eb.fn.avg<number>('cpu_cores').as('cpu_cores'), eb.fn.avg<number>('cpu_util').as('cpu_util'),
            eb.fn.avg<number>('memory_bytes').as('memory_bytes'), eb.fn.avg<number>('memory_util').as('memory_util'),
            eb.fn.avg<number>('processes').as('processes'), eb.fn.avg<number>('net_rx').as('net_rx'), eb.fn.avg<number>('net_tx').as('net_tx'),
            eb.fn.avg<number>('disk_read').as('disk_read'), eb.fn.avg<number>('disk_write').as('disk_write'),
            eb.fn.avg<number>('effective_cpu_util').as('effective_cpu_util'),
          ])
          .where('t', '>=', from).where('t', '<', until)
          .groupBy(['subject_kind', 'subject_id', 'system_id', 'bucket'])
          .execute();
        for (let i = 0; i < buckets.length; i += 500) {
          const chunk = buckets.slice(i, i + 500).map((b) => ({
            subject_kind: b.subject_kind, subject_id: b.subject_id, system_id: b.system_id, t: Number(b.bucket),
            cpu_cores: Number(b.cpu_cores), cpu_util: Number(b.cpu_util), memory_bytes: Number(b.memory_bytes), memory_util: Number(b.memory_util),
            processes: Number(b.processes), net_rx: Number(b.net_rx), net_tx: Number(b.net_tx), disk_read: Number(b.disk_read), disk_write: Number(b.disk_write),
            effective_cpu_util: b.effective_cpu_util === null ? null : Number(b.effective_cpu_util),
          }));
          await trx.insertInto('metric_rollups').values(chunk).onConflict((oc) => oc.columns(['subject_kind', 'subject_id', 't']).doNothing()).execute();
        }
        const value = JSON.stringify(until);
        await trx.insertInto('settings').values({ key: ROLLED_UNTIL, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
      });
    }
    await this.db.deleteFrom('metric_samples').where('t', '<', now - RAW_RETENTION_MS).execute();
    await this.db.deleteFrom('metric_rollups').where('t', '<', now - ROLLUP_RETENTION_MS).execute();
  }

  /** Forgets the newest samples of a subject that is gone (removed WPAR or system). */
  forget(kind: Kind, id: string): void {
    this.latest.delete(`${kind}/${id}`);
  }

  private remember(kind: Kind, id: string, systemId: string, t: number, values: MetricValues): void {
    const key = `${kind}/${id}`;
    const prev = this.latest.get(key);
    if (!prev || prev.t <= t) this.latest.set(key, { kind, id, systemId, t, values });
  }
}

function toRow(kind: Kind, id: string, systemId: string, t: number, v: MetricValues): MetricRowTable {
  return {
    subject_kind: kind, subject_id: id, system_id: systemId, t,
    cpu_cores: v.cpuCores, cpu_util: v.cpuUtil, memory_bytes: v.memoryBytes, memory_util: v.memoryUtil, processes: v.processes,
    net_rx: v.netRxBytesPerSec, net_tx: v.netTxBytesPerSec, disk_read: v.diskReadBytesPerSec, disk_write: v.diskWriteBytesPerSec,
    effective_cpu_util: v.effectiveCpuUtil,
  };
}

function toPoint(r: MetricRowTable): MetricPoint {
  return {
    t: new Date(Number(r.t)).toISOString(),
    cpuCores: r.cpu_cores, cpuUtil: r.cpu_util, memoryBytes: r.memory_bytes, memoryUtil: r.memory_util, processes: r.processes,
    netRxBytesPerSec: r.net_rx, netTxBytesPerSec: r.net_tx, diskReadBytesPerSec: r.disk_read, diskWriteBytesPerSec: r.disk_write,
    effectiveCpuUtil: r.effective_cpu_util,
  };
}
