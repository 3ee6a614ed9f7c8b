// One uPlot line chart over time. The canvas is not readable by screen readers, so the
// figure is labelled and the current values are given as text beside it (MetricsPanel).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** Colours chosen for 3:1 contrast against the white plot area. */
  stroke: string;
}

interface Props {
  title: string;
  /** Unix seconds. */
  times: number[];
  series: ChartSeries[];
  /** A value as the legend shows it. */
  format: (v: number) => string;
  /** The value axis's labels, all at once (see lib/ticks.ts); by default each tick by `format`. */
  ticks?: (values: number[]) => string[];
}

const HEIGHT = 180;

export function Chart({ title, times, series, format, ticks }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = box.current!;
    const u = new uPlot({
      width: el.clientWidth || 600,
      height: HEIGHT,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, value: (_: uPlot, v: number | null) => (v === null ? '—' : format(v)) }))],
      axes: [{}, { values: (_: uPlot, splits: number[]) => (ticks ? ticks(splits) : splits.map(format)), size: 70 }],
      scales: { x: { time: true } },
    }, [times, ...series.map((s) => s.values)], el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // A new set of series needs a new chart; new data alone is set below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)]);
  }, [times, series]);

  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div ref={box} aria-hidden="true" />
    </figure>
  );
}
