// Metrics: what agents sample every 10 s for their host and each WPAR, and how the manager
// answers a query by time range (raw samples for a day, 5-minute rollups for 30 days).
import { Type, type Static } from 'typebox';

/** The interval at which agents sample. */
export const SAMPLE_INTERVAL_MS = 10_000;
/** Rollup bucket for history older than the raw window. */
export const ROLLUP_MS = 5 * 60_000;
export const RAW_RETENTION_MS = 24 * 3600_000;
export const ROLLUP_RETENTION_MS = 30 * 24 * 3600_000;

/** One sample of a host or a WPAR. Rates are per second over the interval before `t`. */
const metricFields = {
  /** CPU in use, in cores (1.5 = one and a half cores busy). */
  cpuCores: Type.Number({ minimum: 0 }),
  /** CPU in use as a fraction of the host's cores (0..1). */
  cpuUtil: Type.Number({ minimum: 0 }),
  memoryBytes: Type.Number({ minimum: 0 }),
  /** Memory in use as a fraction of the host's memory (0..1). */
  memoryUtil: Type.Number({ minimum: 0 }),
  processes: Type.Number({ minimum: 0 }),
  netRxBytesPerSec: Type.Number({ minimum: 0 }),
  netTxBytesPerSec: Type.Number({ minimum: 0 }),
  diskReadBytesPerSec: Type.Number({ minimum: 0 }),
  diskWriteBytesPerSec: Type.Number({ minimum: 0 }),
  /**
   * WPARs only: the seed's effective CPU utilisation,
   * WPAR use / (1 − (system use − WPAR use)), all as fractions of the host. Null for hosts.
   */
  effectiveCpuUtil: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
};
export const MetricValues = Type.Object(metricFields);
export type MetricValues = Static<typeof MetricValues>;

export const MetricPoint = Type.Object({ t: Type.String({ description: 'ISO time' }), ...metricFields });
export type MetricPoint = Static<typeof MetricPoint>;

export const MetricsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'default: one hour ago' })),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'default: now' })),
  },
  { additionalProperties: false },
);
export type MetricsQuery = Static<typeof MetricsQuery>;

export const MetricSeries = Type.Object({
  subject: Type.Object({ kind: Type.Enum(['system', 'wpar']), id: Type.String(), name: Type.String() }),
  /** 'raw' (10 s samples) when the range lies within the last day, else 'rollup' (5-minute means). */
  resolution: Type.Enum(['raw', 'rollup']),
  points: Type.Array(MetricPoint),
});
export type MetricSeries = Static<typeof MetricSeries>;
