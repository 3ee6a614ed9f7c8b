// Workload partitions: the table with their states, kept live; actions on the selected ones;
// the ways to create one (wizard, quick create, from the selected one as a template).
import { useState } from 'react';
import { WPAR_STATES, type WparState } from '../../../../src/api/wpar-states.js';
import type { WparView } from '../../../../src/api/wpar.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Link, navigate } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { LoadError } from '../../components/LoadError.js';
import { StateBadge } from '../../components/StateBadge.js';
import { usePoll } from '../../lib/usePoll.js';
import { ActionBar } from './ActionBar.js';
import { QuickCreateDialog } from './QuickCreateDialog.js';

const COLUMNS: Column<WparView>[] = [
  { key: 'name', header: 'Name', cell: (w) => <Link to={`/wpars/${w.id}`}>{w.name}</Link>, sortValue: (w) => w.name },
  { key: 'state', header: 'State', cell: (w) => <StateBadge state={w.state} />, sortValue: (w) => w.state },
  { key: 'type', header: 'Type', cell: (w) => w.type, sortValue: (w) => w.type },
  { key: 'system', header: 'Managed system', cell: (w) => w.system ? <Link to={`/systems/${w.system.id}`}>{w.system.name}</Link> : '—', sortValue: (w) => w.system?.name ?? '' },
  { key: 'group', header: 'Group', cell: (w) => w.group.name, sortValue: (w) => w.group.name },
  { key: 'address', header: 'Address', cell: (w) => w.interfaces.map((i) => `${i.address}/${i.prefix}`).join(', ') || '—' },
  { key: 'mobile', header: 'Relocatable', cell: (w) => (w.checkpointable ? 'yes' : 'no'), sortValue: (w) => String(w.checkpointable) },
  { key: 'busy', header: 'Task', cell: (w) => (w.busyTaskId ? <Link to={`/tasks/${w.busyTaskId}`}>running</Link> : '') },
];

export default function WparsView() {
  const session = useSession();
  const mayCreate = session.can('wpar.manage');
  const [states, setStates] = useState<WparState[]>([]);
  const list = usePoll(() => call(routes.wpars.list, { query: { limit: 1000, state: states } }), [states.join()]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [quick, setQuick] = useState(false);
  const rows = list.data?.items ?? [];
  const chosen = rows.filter((w) => selected.has(w.id));

  return (
    <section aria-labelledby="wpars-title">
      <h1 id="wpars-title">Workload partitions</h1>
      <div className="toolbar" role="group" aria-label="Create">
        <button type="button" className="primary" disabled={!mayCreate} onClick={() => navigate('/wpars/new')}>Create WPAR</button>
        <button type="button" disabled={!mayCreate} onClick={() => setQuick(true)}>Quick create</button>
        <button type="button" disabled={!mayCreate || chosen.length !== 1} title={chosen.length !== 1 ? 'select one WPAR as the template' : undefined} onClick={() => navigate(`/wpars/new?from=${chosen[0]!.id}`)}>
          Create from selected
        </button>
      </div>
      <fieldset className="filter">
        <legend>Show states</legend>
        {WPAR_STATES.map((s) => (
          <label key={s} className="inline">
            <input type="checkbox" checked={states.includes(s)} onChange={(e) => setStates(e.target.checked ? [...states, s] : states.filter((x) => x !== s))} /> {s}
          </label>
        ))}
      </fieldset>
      <ActionBar wpars={chosen} label="Actions on the selected WPARs" />
      <LoadError error={list.error} />
      {list.data === undefined && !list.error ? <p role="status">Loading…</p> : (
        <DataTable
          caption="Workload partitions"
          rows={rows}
          columns={COLUMNS}
          rowKey={(w) => w.id}
          rowLabel={(w) => w.name}
          selected={selected}
          onSelect={setSelected}
          empty="No WPARs."
        />
      )}
      {quick && <QuickCreateDialog onClose={() => setQuick(false)} />}
    </section>
  );
}
