// The temporary capacity balance over time: as recorded in the ledger, then projected from
// now to its depletion at the current rate (straight: cores beyond the rights × seconds).
// The chart is a picture; the sentence above it says the same for screen readers.
import type { ComplexView, LedgerEntry } from '../../../../src/api/capacity.js';
import { Chart } from '../../components/Chart.js';
import { formatTime } from '../../lib/format.js';
import { fixed, tickLabels } from '../../lib/ticks.js';
import { formatCoreSeconds } from './capacity-format.js';

// Strokes with at least 3:1 contrast on white (WCAG non-text contrast), as MetricsPanel's.
const BLUE = '#1f5fa8';
const ORANGE = '#b45309';
/** With nothing depleting the balance, the flat projection shown. */
const FLAT_PROJECTION_S = 86_400;

const toSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function BalanceChart({ complex, ledger }: { complex: ComplexView; ledger: LedgerEntry[] }) {
  const t = complex.temporary;
  const start = toSeconds(t.meteredUntil);
  const end = t.projectedExpiry ? Math.max(toSeconds(t.projectedExpiry), start + 1) : start + FLAT_PROJECTION_S;
  const points = new Map<number, { recorded: number | null; projected: number | null }>();
  for (const e of ledger) {
    const at = toSeconds(e.to ?? e.createdAt);
    if (at < start) points.set(at, { recorded: e.balanceAfter, projected: null });
  }
  points.set(start, { recorded: t.balanceSeconds, projected: t.balanceSeconds });
  points.set(end, { recorded: null, projected: t.projectedExpiry ? 0 : t.balanceSeconds });
  const times = [...points.keys()].sort((a, b) => a - b);
  const series = [
    { label: 'Recorded balance', values: times.map((x) => points.get(x)!.recorded), stroke: BLUE },
    { label: 'Projected balance', values: times.map((x) => points.get(x)!.projected), stroke: ORANGE },
  ];

  const summary = t.balanceSeconds <= 0
    ? `The balance is ${formatCoreSeconds(t.balanceSeconds)}: temporary capacity is used up.`
    : t.projectedExpiry
      ? `At the current use (${t.coresInUse} ${t.coresInUse === 1 ? 'core' : 'cores'} beyond the rights) the balance of ${formatCoreSeconds(t.balanceSeconds)} falls by ${t.coresInUse} ${t.coresInUse === 1 ? 'core-second' : 'core-seconds'} each second and runs out at ${formatTime(t.projectedExpiry)}.`
      : `Nothing depletes the balance now: it stays at ${formatCoreSeconds(t.balanceSeconds)}.`;

  return (
    <>
      <p>{summary}</p>
      <Chart
        title={`Temporary capacity of ${complex.name}, recorded and projected (core-hours)`}
        times={times}
        series={series}
        format={(v) => (v / 3600).toFixed(1)}
        ticks={(v) => tickLabels(v, (x, d) => fixed(x / 3600, d), 1 / 3600)}
      />
    </>
  );
}
