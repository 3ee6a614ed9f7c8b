// Any JSON value as nested description lists: the host profile and task parameters and
// results are open-ended, so they are shown as they come rather than by a fixed layout.
import type { ReactNode } from 'react';
import { humanize } from '../lib/format.js';

export function PropertyList({ value, label }: { value: unknown; label?: string }) {
  return <div aria-label={label} role={label ? 'group' : undefined}>{render(value)}</div>;
}

function render(value: unknown): ReactNode {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    if (value.every((v) => typeof v !== 'object' || v === null)) return value.map(String).join(', ');
    return <ol className="plain">{value.map((v, i) => <li key={i}>{render(v)}</li>)}</ol>;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return <span className="muted">none</span>;
    return (
      <dl className="props">
        {entries.map(([k, v]) => (
          <div key={k} className="prop">
            <dt>{humanize(k)}</dt>
            <dd>{render(v)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return String(value);
}

/** A fixed set of labelled properties of one resource. */
export function Properties({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="props">
      {items.map(([k, v]) => (
        <div key={k} className="prop">
          <dt>{k}</dt>
          <dd>{v ?? <span className="muted">—</span>}</dd>
        </div>
      ))}
    </dl>
  );
}
