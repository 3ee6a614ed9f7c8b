// Performance metrics of a system or a WPAR: current values as text, and history as charts,
// over a chosen range. Where the manager has no metrics route yet, says so plainly.
import { useState } from 'react';
import { SAMPLE_INTERVAL_MS, type MetricPoint } from '../../../src/api/metrics.js';
import { routes } from '../../../src/api/routes/index.js';
import { ApiError, call } from '../api/client.js';
import { formatBytes, formatPercent } from '../lib/format.js';
import { byteTicks, countTicks, percentTicks } from '../lib/ticks.js';
import { usePoll } from '../lib/usePoll.js';
import { Chart, type ChartSeries } from './Chart.js';
import { Field } from './Field.js';
import { LoadError } from './LoadError.js';
import { Properties } from './PropertyList.js';

const RANGES = [
  { label: 'Last hour', ms: 3600_000 },
  { label: 'Last 6 hours', ms: 6 * 3600_000 },
  { label: 'Last day', ms: 24 * 3600_000 },
  { label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
];

// Strokes with at least 3:1 contrast on white (WCAG non-text contrast).
const BLUE = '#1f5fa8';
const ORANGE = '#b45309';

const rate = (v: number) => `${formatBytes(v)}/s`;
const col = (points: MetricPoint[], f: (p: MetricPoint) => number | null) => points.map(f);

function charts(points: MetricPoint[], wpar: boolean): { title: string; series: ChartSeries[]; format: (v: number) => string; ticks: (v: number[]) => string[] }[] {
  const rateTicks = (v: number[]) => byteTicks(v, '/s');
  return [
    {
      title: 'CPU (share of the host)',
      format: formatPercent,
      ticks: percentTicks,
      series: [
        { label: 'CPU', values: col(points, (p) => p.cpuUtil), stroke: BLUE },
        ...(wpar ? [{ label: 'Effective CPU', values: col(points, (p) => p.effectiveCpuUtil), stroke: ORANGE }] : []),
      ],
    },
    { title: 'Memory in use', format: formatBytes, ticks: byteTicks, series: [{ label: 'Memory', values: col(points, (p) => p.memoryBytes), stroke: BLUE }] },
    { title: 'Processes', format: (v) => String(Math.round(v)), ticks: countTicks, series: [{ label: 'Processes', values: col(points, (p) => p.processes), stroke: BLUE }] },
    {
      title: 'Network',
      format: rate,
      ticks: rateTicks,
      series: [
        { label: 'Received', values: col(points, (p) => p.netRxBytesPerSec), stroke: BLUE },
        { label: 'Sent', values: col(points, (p) => p.netTxBytesPerSec), stroke: ORANGE },
      ],
    },
    {
      title: 'Disk',
      format: rate,
      ticks: rateTicks,
      series: [
        { label: 'Read', values: col(points, (p) => p.diskReadBytesPerSec), stroke: BLUE },
        { label: 'Written', values: col(points, (p) => p.diskWriteBytesPerSec), stroke: ORANGE },
      ],
    },
  ];
}

/** The metrics routes of systems and of WPARs: the same query, the same answer. */
const METRICS = { systems: routes.systems.metrics, wpars: routes.wpars.metrics } as const;

export default function MetricsPanel({ kind, id, name }: { kind: keyof typeof METRICS; id: string; name: string }) {
  const [range, setRange] = useState(0);
  const series = usePoll(() => {
    const to = new Date();
    const from = new Date(to.getTime() - RANGES[range]!.ms);
    return call(METRICS[kind], { params: { id }, query: { from: from.toISOString(), to: to.toISOString() } });
  }, [kind, id, range], SAMPLE_INTERVAL_MS);

  if (series.error instanceof ApiError && series.error.code === 'CAP-E0006') {
    return <p className="empty-state">This manager does not collect performance metrics yet.</p>;
  }
  const points = series.data?.points ?? [];
  const last = points[points.length - 1];
  const times = points.map((p) => Date.parse(p.t) / 1000);

  return (
    <div className="metrics">
      <Field label={`Range of the metrics of ${name}`}>
        <select value={range} onChange={(e) => setRange(Number(e.target.value))}>
          {RANGES.map((r, i) => <option key={r.label} value={i}>{r.label}</option>)}
        </select>
      </Field>
      <LoadError error={series.error} />
      {series.data && points.length === 0 && <p className="empty-state">No samples in this range: metrics arrive once the agent reports.</p>}
      {last && (
        <>
          <h3>Current ({series.data?.resolution === 'rollup' ? '5-minute mean' : 'latest sample'})</h3>
          <Properties items={[
            ['CPU', `${formatPercent(last.cpuUtil)} (${last.cpuCores.toFixed(2)} cores)`],
            ...(last.effectiveCpuUtil !== null ? [['Effective CPU', formatPercent(last.effectiveCpuUtil)] as [string, string]] : []),
            ['Memory', `${formatBytes(last.memoryBytes)} (${formatPercent(last.memoryUtil)})`],
            ['Processes', String(last.processes)],
            ['Network', `${rate(last.netRxBytesPerSec)} in, ${rate(last.netTxBytesPerSec)} out`],
            ['Disk', `${rate(last.diskReadBytesPerSec)} read, ${rate(last.diskWriteBytesPerSec)} written`],
          ]} />
          <div className="charts">
            {charts(points, kind === 'wpars').map((c) => <Chart key={c.title} title={c.title} times={times} series={c.series} format={c.format} ticks={c.ticks} />)}
          </div>
        </>
      )}
    </div>
  );
}
