// A resource table: sortable columns (buttons in the headers, aria-sort), optional row
// selection with check boxes, all by keyboard, and optional details under a row (the caller's
// disclosure button decides when). The caller owns the selection and what is expanded.
import { Fragment, useMemo, useState, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** The value to sort by; columns without one do not sort. */
  sortValue?: (row: T) => string | number;
}

interface Props<T> {
  caption: string;
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  /** Names the row in its check box's label. */
  rowLabel?: (row: T) => string;
  selected?: ReadonlySet<string>;
  onSelect?: (next: Set<string>) => void;
  empty: ReactNode;
  /** What to show under a row across the whole width, or null for nothing. */
  detail?: (row: T) => ReactNode;
}

export function DataTable<T>({ caption, rows, columns, rowKey, rowLabel, selected, onSelect, empty, detail }: Props<T>) {
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null);

  const sorted = useMemo(() => {
    const col = sort && columns.find((c) => c.key === sort.key);
    if (!col?.sortValue || !sort) return rows;
    const v = col.sortValue;
    return [...rows].sort((a, b) => {
      const x = v(a);
      const y = v(b);
      return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
    });
  }, [rows, columns, sort]);

  const selectable = selected !== undefined && onSelect !== undefined;
  const allSelected = selectable && rows.length > 0 && rows.every((r) => selected.has(rowKey(r)));
  const toggle = (key: string) => {
    if (!selectable) return;
    const next = new Set(selected);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    onSelect(next);
  };

  return (
    <div className="table-wrap">
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {selectable && (
              <th scope="col" className="select-col">
                <input
                  type="checkbox"
                  aria-label={`Select all: ${caption}`}
                  checked={allSelected}
                  onChange={() => onSelect(allSelected ? new Set() : new Set(rows.map(rowKey)))}
                />
              </th>
            )}
            {columns.map((c) => {
              const dir = sort?.key === c.key ? sort.dir : 0;
              return (
                <th key={c.key} scope="col" aria-sort={dir === 1 ? 'ascending' : dir === -1 ? 'descending' : undefined}>
                  {c.sortValue ? (
                    <button type="button" className="sort" onClick={() => setSort({ key: c.key, dir: dir === 1 ? -1 : 1 })}>
                      {c.header}
                      <span aria-hidden="true">{dir === 1 ? ' ▲' : dir === -1 ? ' ▼' : ' ↕'}</span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 && (
            <tr>
              <td colSpan={columns.length + (selectable ? 1 : 0)} className="empty">{empty}</td>
            </tr>
          )}
          {sorted.map((row) => {
            const key = rowKey(row);
            const isSelected = selectable && selected.has(key);
            const more = detail?.(row) ?? null;
            return (
              <Fragment key={key}>
                <tr className={isSelected ? 'selected' : undefined}>
                  {selectable && (
                    <td className="select-col">
                      <input type="checkbox" aria-label={`Select ${rowLabel?.(row) ?? key}`} checked={isSelected} onChange={() => toggle(key)} />
                    </td>
                  )}
                  {columns.map((c) => (
                    <td key={c.key}>{c.cell(row)}</td>
                  ))}
                </tr>
                {more !== null && (
                  <tr className="detail-row">
                    <td colSpan={columns.length + (selectable ? 1 : 0)}>{more}</td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
