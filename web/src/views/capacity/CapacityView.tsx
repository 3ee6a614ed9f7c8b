// Instant capacity: every complex at a glance (rights, active cores, temporary capacity,
// compliance), live; each links to its page; the activation log of every capacity change,
// with its CSV export. Administrators declare complexes here.
import { useState } from 'react';
import type { ComplexView } from '../../../../src/api/capacity.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { LoadError } from '../../components/LoadError.js';
import { StateBadge } from '../../components/StateBadge.js';
import { announceChange } from '../../lib/changes.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';
import { formatCoreSeconds } from './capacity-format.js';
import { ActivationLog } from './ActivationLog.js';
import { DeclareComplexDialog } from './dialogs.js';

const COLUMNS: Column<ComplexView>[] = [
  { key: 'name', header: 'Name', cell: (c) => <Link to={`/capacity/${c.id}`}>{c.name}</Link>, sortValue: (c) => c.name },
  { key: 'serial', header: 'Serial', cell: (c) => c.serial, sortValue: (c) => c.serial },
  { key: 'systems', header: 'Systems', cell: (c) => c.systems.map((s) => s.name).join(', '), sortValue: (c) => c.systems.length },
  { key: 'rights', header: 'Core rights', cell: (c) => String(c.cores.rights), sortValue: (c) => c.cores.rights },
  { key: 'active', header: 'Active cores', cell: (c) => String(c.cores.active), sortValue: (c) => c.cores.active },
  { key: 'pending', header: 'Pending', cell: (c) => (c.systems.some((s) => s.pending) ? 'yes' : 'no'), sortValue: (c) => c.systems.filter((s) => s.pending).length },
  { key: 'temporary', header: 'Temporary capacity', cell: (c) => formatCoreSeconds(c.temporary.balanceSeconds), sortValue: (c) => c.temporary.balanceSeconds },
  { key: 'expiry', header: 'Projected expiry', cell: (c) => (c.temporary.projectedExpiry ? formatTime(c.temporary.projectedExpiry) : 'none'), sortValue: (c) => c.temporary.projectedExpiry ?? '' },
  { key: 'compliance', header: 'Compliance', cell: (c) => <StateBadge state={c.compliance.compliant ? 'Compliant' : 'Noncompliant'} />, sortValue: (c) => (c.compliance.compliant ? 1 : 0) },
];

export default function CapacityView() {
  const mayManage = useSession().can('system.manage');
  const list = usePoll(() => call(routes.capacity.list), []);
  const [declaring, setDeclaring] = useState(false);
  const [notice, setNotice] = useState('');
  return (
    <section aria-labelledby="capacity-title">
      <h1 id="capacity-title">Instant capacity</h1>
      <p className="hint">
        A complex is one hardware serial with its usage rights. Each system has intended active (IA) components, kept by
        the manager, and actual active (AA) ones, as its agent reports them applied: until then the change is pending.
        Complexes are declared here, with <code>capstan capacity complex create</code> or the API. Codewords are
        accepted from the issuers listed in <Link to="/capacity/settings">Capacity settings</Link>.
      </p>
      <div role="toolbar" aria-label="Actions on complexes" className="toolbar">
        <button type="button" disabled={!mayManage} onClick={() => setDeclaring(true)}>Declare complex</button>
      </div>
      {notice && <p role="status" className="notice">{notice}</p>}
      <LoadError error={list.error} />
      {!list.data && !list.error && <p role="status">Loading…</p>}
      {list.data && <DataTable caption="Instant capacity complexes" rows={list.data.items} columns={COLUMNS} rowKey={(c) => c.id} empty="No complex is declared: systems in no complex are not governed." />}
      <h2>Activation log</h2>
      <p className="hint">
        Every capacity change, who made it and when: activations, moves, codewords, temporary capacity, the manager's own
        exhaustion action. Also <code>capstan capacity log</code>.
      </p>
      <ActivationLog complexes={list.data?.items ?? []} />
      {declaring && (
        <DeclareComplexDialog complexes={list.data?.items ?? []} onDone={(m) => { setNotice(m); announceChange(); }} onClose={() => setDeclaring(false)} />
      )}
    </section>
  );
}
