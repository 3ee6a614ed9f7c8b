// One instant capacity complex: compliance, usage rights and activation, each system's
// intended (IA) and actual (AA) active components, temporary capacity with its projection,
// the ledger, contacts, its activation log. Administrators apply codewords, activate and
// deactivate, move cores between its systems, edit the contacts, modify and remove it;
// everyone else reads.
import { useState } from 'react';
import type { ComponentCounts, CapacitySystemView, Components } from '../../../../src/api/capacity.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Link, navigate } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { LoadError } from '../../components/LoadError.js';
import { ConfirmDialog } from '../../components/ResourceForm.js';
import { Properties } from '../../components/PropertyList.js';
import { StateBadge } from '../../components/StateBadge.js';
import { announce } from '../../lib/announce.js';
import { announceChange } from '../../lib/changes.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';
import { formatCoreSeconds, formatDuration } from './capacity-format.js';
import { ModifyComplexDialog, MoveCoresDialog } from './complex-forms.js';
import { ActivationDialog, ApplyCodewordDialog, ContactsDialog } from './dialogs.js';
import { ActivationLog } from './ActivationLog.js';
import { BalanceChart } from './BalanceChart.js';

type Open = { kind: 'codeword' | 'contacts' | 'move' | 'modify' | 'remove' } | { kind: 'activate' | 'deactivate'; system: CapacitySystemView } | null;

interface RightsRow { component: string; counts: ComponentCounts }

const RIGHTS_COLUMNS: Column<RightsRow>[] = [
  { key: 'component', header: 'Component', cell: (r) => r.component },
  { key: 'total', header: 'Installed', cell: (r) => (r.counts.total === null ? 'unknown' : String(r.counts.total)) },
  { key: 'rights', header: 'Usage rights', cell: (r) => String(r.counts.rights) },
  { key: 'active', header: 'Active', cell: (r) => String(r.counts.active) },
  { key: 'inactive', header: 'Inactive', cell: (r) => (r.counts.inactive === null ? 'unknown' : String(r.counts.inactive)) },
];

const amount = (c: Components | null, k: keyof Components): string => {
  if (c === null) return 'not reported';
  const v = c[k];
  return v === null ? '—' : String(v);
};

export default function ComplexDetail({ params }: { params: Record<string, string> }) {
  const session = useSession();
  const mayManage = session.can('system.manage');
  const id = params.id!;
  const complex = usePoll(() => call(routes.capacity.get, { params: { id } }), [id]);
  const ledger = usePoll(() => call(routes.capacity.ledger, { params: { id }, query: { limit: 200 } }), [id], 10_000);
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState('');
  const c = complex.data;
  if (!c) return <><h1>Complex {id}</h1><LoadError error={complex.error} />{!complex.error && <p role="status">Loading…</p>}</>;

  const memory = c.memoryGiB !== null;
  const cells = c.cells !== null;
  const rights: RightsRow[] = [
    { component: 'Cores', counts: c.cores },
    ...(c.memoryGiB ? [{ component: 'Memory (GiB)', counts: c.memoryGiB }] : []),
    ...(c.cells ? [{ component: 'Cells', counts: c.cells }] : []),
  ];
  const systemColumns: Column<CapacitySystemView>[] = [
    { key: 'name', header: 'System', cell: (s) => <Link to={`/systems/${s.id}`}>{s.name}</Link>, sortValue: (s) => s.name },
    { key: 'state', header: 'State', cell: (s) => <StateBadge state={s.state} />, sortValue: (s) => s.state },
    { key: 'hostCores', header: 'Host cores', cell: (s) => (s.hostCores === null ? 'unknown' : String(s.hostCores)), sortValue: (s) => s.hostCores ?? -1 },
    { key: 'iaCores', header: 'Cores IA', cell: (s) => String(s.intended.cores), sortValue: (s) => s.intended.cores },
    { key: 'aaCores', header: 'Cores AA', cell: (s) => amount(s.actual, 'cores'), sortValue: (s) => s.actual?.cores ?? -1 },
    ...(memory ? [
      { key: 'iaMem', header: 'Memory IA (GiB)', cell: (s: CapacitySystemView) => amount(s.intended, 'memoryGiB') },
      { key: 'aaMem', header: 'Memory AA (GiB)', cell: (s: CapacitySystemView) => amount(s.actual, 'memoryGiB') },
    ] : []),
    ...(cells ? [
      { key: 'iaCells', header: 'Cells IA', cell: (s: CapacitySystemView) => amount(s.intended, 'cells') },
      { key: 'aaCells', header: 'Cells AA', cell: (s: CapacitySystemView) => amount(s.actual, 'cells') },
    ] : []),
    { key: 'applied', header: 'Applied', cell: (s) => <StateBadge state={s.pending ? 'Pending' : 'Applied'} />, sortValue: (s) => (s.pending ? 0 : 1) },
    { key: 'reported', header: 'AA reported', cell: (s) => formatTime(s.actualReportedAt), sortValue: (s) => s.actualReportedAt ?? '' },
    {
      key: 'actions',
      header: 'Actions',
      cell: (s) => (
        <span className="row-actions">
          <button type="button" disabled={!mayManage} aria-label={`Activate on ${s.name}`} onClick={() => setOpen({ kind: 'activate', system: s })}>Activate</button>
          <button type="button" disabled={!mayManage} aria-label={`Deactivate on ${s.name}`} onClick={() => setOpen({ kind: 'deactivate', system: s })}>Deactivate</button>
        </span>
      ),
    },
  ];
  const t = c.temporary;
  const done = (message: string) => {
    setNotice(message);
    // The complex, its ledger and its activation log all show the change at once.
    announceChange();
  };

  return (
    <section aria-labelledby="complex-title">
      <p><Link to="/capacity">Instant capacity</Link> › {c.name}</p>
      <h1 id="complex-title">Complex {c.name} <StateBadge state={c.compliance.compliant ? 'Compliant' : 'Noncompliant'} /></h1>
      <LoadError error={complex.error} />
      <div role="toolbar" aria-label={`Actions on complex ${c.name}`} className="toolbar">
        <button type="button" disabled={!mayManage} onClick={() => setOpen({ kind: 'codeword' })}>Apply codeword</button>
        <button type="button" disabled={!mayManage} onClick={() => setOpen({ kind: 'contacts' })}>Edit contacts</button>
        {/* Moving needs somewhere to move to. */}
        {c.systems.length >= 2 && <button type="button" disabled={!mayManage} onClick={() => setOpen({ kind: 'move' })}>Move cores</button>}
        <button type="button" disabled={!mayManage} onClick={() => setOpen({ kind: 'modify' })}>Modify</button>
        <button type="button" disabled={!mayManage} onClick={() => setOpen({ kind: 'remove' })}>Remove</button>
      </div>
      {notice && <p role="status" className="notice">{notice}</p>}

      <h2>Properties</h2>
      <Properties items={[
        ['Serial', c.serial],
        ['Systems', String(c.systems.length)],
        ['Last codeword applied', c.lastSequence === 0 ? 'none yet' : `sequence ${c.lastSequence}`],
        ['Declared', formatTime(c.createdAt)],
      ]} />

      <h2>Compliance</h2>
      {c.compliance.compliant
        ? <p>Compliant: the active components are within the usage rights and the temporary capacity.</p>
        : (
          <>
            <p className="field-error">Not compliant.</p>
            <ul>{c.compliance.reasons.map((r) => <li key={r}>{r}</li>)}</ul>
          </>
        )}

      <h2>Usage rights and activation</h2>
      <DataTable caption={`Usage rights of ${c.name}`} rows={rights} columns={RIGHTS_COLUMNS} rowKey={(r) => r.component} empty="None." />

      <h2>Systems: intended (IA) and actual (AA) active</h2>
      <p className="hint">AA is what each system's agent last reported as applied. While it differs from IA (or was never reported) the change is pending.</p>
      <DataTable caption={`Systems of ${c.name}`} rows={c.systems} columns={systemColumns} rowKey={(s) => s.id} empty="No system." />

      <h2>Temporary capacity</h2>
      <Properties items={[
        ['Balance', `${formatCoreSeconds(t.balanceSeconds)} (${t.balanceSeconds} core-seconds)`],
        ['Cores beyond the rights now', String(t.coresInUse)],
        ['Projected expiry', t.projectedExpiry ? formatTime(t.projectedExpiry) : 'none: nothing depletes it now'],
        ['Metered until', formatTime(t.meteredUntil)],
        ['Warning period', formatDuration(t.warningPeriodSeconds)],
        ['When it runs out', t.exhaustionAction === 'deactivate' ? 'deactivate back to the usage rights, and notify' : 'notify only'],
      ]} />
      <BalanceChart complex={c} ledger={ledger.data?.items ?? []} />

      <h2>Contacts</h2>
      <Properties items={[
        ['E-mail', c.contacts.length ? c.contacts.join(', ') : 'none'],
        ['Webhooks', c.webhooks.length ? c.webhooks.join(', ') : 'none'],
      ]} />

      <h2>Ledger</h2>
      <LoadError error={ledger.error} />
      <DataTable
        caption={`Temporary capacity ledger of ${c.name}, newest first`}
        rows={(ledger.data?.items ?? []).slice(0, 20)}
        rowKey={(e) => String(e.seq)}
        empty="No entry."
        columns={[
          { key: 'seq', header: '#', cell: (e) => String(e.seq) },
          { key: 'kind', header: 'Kind', cell: (e) => (e.kind === 'codeword' ? `codeword ${e.codewordSequence ?? ''}` : e.kind) },
          { key: 'amount', header: 'Amount', cell: (e) => formatCoreSeconds(e.amount) },
          { key: 'balance', header: 'Balance after', cell: (e) => formatCoreSeconds(e.balanceAfter) },
          { key: 'when', header: 'When', cell: (e) => (e.from && e.to ? `${formatTime(e.from)} – ${formatTime(e.to)}` : formatTime(e.createdAt)) },
        ]}
      />

      <h2>Activation log</h2>
      <ActivationLog complexes={[c]} complex={c} />

      {open?.kind === 'codeword' && <ApplyCodewordDialog complex={c} onDone={done} onClose={() => setOpen(null)} />}
      {open?.kind === 'contacts' && <ContactsDialog complex={c} onDone={done} onClose={() => setOpen(null)} />}
      {open?.kind === 'move' && <MoveCoresDialog complex={c} onDone={done} onClose={() => setOpen(null)} />}
      {open?.kind === 'modify' && <ModifyComplexDialog complex={c} onDone={done} onClose={() => setOpen(null)} />}
      {open?.kind === 'remove' && (
        <ConfirmDialog
          title={`Remove complex ${c.name}`}
          message={`The complex goes with its usage rights and its temporary capacity ledger (balance ${formatCoreSeconds(t.balanceSeconds)}); its systems (${c.systems.map((s) => s.name).join(', ')}) are no longer governed by instant capacity.`}
          confirmLabel="Remove"
          onConfirm={() => call(routes.capacity.remove, { params: { id: c.id } }).then(() => {
            announce(`Complex ${c.name} removed.`);
            announceChange();
            // Its page is gone: back to the list, which no longer shows it.
            navigate('/capacity', { replace: true });
          })}
          onClose={() => setOpen(null)}
        />
      )}
      {(open?.kind === 'activate' || open?.kind === 'deactivate') && (
        <ActivationDialog complex={c} system={open.system} action={open.kind} onDone={done} onClose={() => setOpen(null)} />
      )}
    </section>
  );
}
