// The activation log: every capacity change (who, what changed from what to what, the
// codeword, when), newest first, live; filtered by complex, system and time, a page at a time;
// and the same entries as a CSV file. The export is a plain link to the manager's CSV route
// (the session cookie goes with it), so the browser downloads it as any file, by keyboard too.
import { useState } from 'react';
import { logChangeText, type ActivationLogEntry, type ActivationLogQuery, type ComplexView } from '../../../../src/api/capacity.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, routeUrl } from '../../api/client.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { Field } from '../../components/Field.js';
import { LoadError } from '../../components/LoadError.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';

const PAGE = 50;

const COLUMNS: Column<ActivationLogEntry>[] = [
  { key: 'at', header: 'When', cell: (e) => <time dateTime={e.at}>{formatTime(e.at)}</time> },
  { key: 'who', header: 'Who', cell: (e) => (e.whoKind === 'system' ? `${e.who} (the manager)` : e.who) },
  { key: 'action', header: 'Action', cell: (e) => e.action },
  { key: 'complex', header: 'Complex', cell: (e) => e.complex.name },
  { key: 'system', header: 'System', cell: (e) => e.system?.name ?? '—' },
  {
    key: 'change',
    header: 'Change',
    cell: (e) => {
      const change = logChangeText(e);
      return change === e.detail ? change : <>{change}<br /><span className="hint">{e.detail}</span></>;
    },
  },
  { key: 'codeword', header: 'Codeword', cell: (e) => (e.codeword ? `${e.codeword.sequence} (${e.codeword.kind}, ${e.codeword.quantity})` : '—') },
];

/** A datetime-local field's value (local time) as an instant; undefined when empty or not a time. */
function instant(local: string): string | undefined {
  if (!local) return undefined;
  const t = new Date(local).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** `complex`: the log of that complex alone (its own page); otherwise every complex, with a choice. */
export function ActivationLog({ complexes, complex }: { complexes: readonly ComplexView[]; complex?: ComplexView }) {
  const [chosenComplex, setChosenComplex] = useState('');
  const [system, setSystem] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [offset, setOffset] = useState(0);
  const complexId = complex?.id ?? (chosenComplex || undefined);
  const filters: Omit<ActivationLogQuery, 'limit' | 'offset'> = { complex: complexId, system: system || undefined, since: instant(since), until: instant(until) };
  const log = usePoll(() => call(routes.capacity.log, { query: { ...filters, limit: PAGE, offset } }), [complexId, system, since, until, offset], 10_000);
  const systems = (complex ? [complex] : complexId ? complexes.filter((c) => c.id === complexId) : complexes).flatMap((c) => c.systems);
  const items = log.data?.items ?? [];
  const total = log.data?.total ?? 0;
  const csvHref = routeUrl(routes.capacity.logCsv, { query: filters });
  const scope = complex ? `of ${complex.name}` : 'of every complex';
  const refilter = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setOffset(0);
  };

  return (
    <>
      <fieldset className="field-set filters">
        <legend>Show the changes</legend>
        {!complex && (
          <Field label="Complex">
            <select value={chosenComplex} onChange={(e) => { refilter(setChosenComplex)(e.target.value); setSystem(''); }}>
              <option value="">Every complex</option>
              {complexes.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </Field>
        )}
        <Field label="System">
          <select value={system} onChange={(e) => refilter(setSystem)(e.target.value)}>
            <option value="">Every system</option>
            {systems.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </Field>
        <Field label="Since" hint="Your local time; empty: from the first change.">
          <input type="datetime-local" step="1" value={since} onChange={(e) => refilter(setSince)(e.target.value)} />
        </Field>
        <Field label="Until" hint="Your local time; empty: up to now.">
          <input type="datetime-local" step="1" value={until} onChange={(e) => refilter(setUntil)(e.target.value)} />
        </Field>
      </fieldset>
      <div role="toolbar" aria-label={`Activation log ${scope}`} className="toolbar">
        {/* The manager answers with an attachment: the browser saves it, the page stays. */}
        <a className="button" href={csvHref} download>Export CSV</a>
      </div>
      <LoadError error={log.error} />
      <DataTable
        caption={`Activation log ${scope}, newest first`}
        rows={items}
        columns={COLUMNS}
        rowKey={(e) => e.id}
        empty={log.data ? 'No capacity change matches.' : 'Loading…'}
      />
      <p role="status">{total === 0 ? 'No entry.' : `Entries ${offset + 1}–${offset + items.length} of ${total}.`}</p>
      <div className="buttons">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Newer</button>
        <button type="button" disabled={offset + items.length >= total} onClick={() => setOffset(offset + PAGE)}>Older</button>
      </div>
    </>
  );
}
