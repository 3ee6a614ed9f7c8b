// Managed systems: the table (live), and for system administrators add, modify and remove
// (choosing what becomes of the system's WPARs), ask the agents of the selected systems to
// Discover their WPARs or update their profile, and evacuate a system (every WPAR off it, no
// placement on it) or restore it.
import { useState } from 'react';
import { AddSystemRequest, ModifySystemRequest, type SystemView } from '../../../../src/api/systems.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, checkedBody } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { LoadError } from '../../components/LoadError.js';
import { FormError } from '../../components/Field.js';
import { ResourceForm } from '../../components/ResourceForm.js';
import { StateBadge } from '../../components/StateBadge.js';
import { announceChange } from '../../lib/changes.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';
import { PlacementBlockedBadge } from '../mobility/badges.js';
import { EvacuateDialog } from '../mobility/EvacuateDialog.js';
import { restore } from '../mobility/evacuation.js';
import { AGENT_ACTION_LABELS, askAgents, type AgentAction } from './agent-actions.js';
import { RemoveSystemDialog } from './RemoveSystemDialog.js';

const COLUMNS: Column<SystemView>[] = [
  { key: 'name', header: 'Name', cell: (s) => <Link to={`/systems/${s.id}`}>{s.name}</Link>, sortValue: (s) => s.name },
  { key: 'state', header: 'State', cell: (s) => <><StateBadge state={s.state} />{s.placementBlocked && <> <PlacementBlockedBadge /></>}</>, sortValue: (s) => s.state },
  { key: 'host', header: 'Host', cell: (s) => s.host, sortValue: (s) => s.host },
  { key: 'profile', header: 'System profile', cell: (s) => s.systemProfile ?? '—', sortValue: (s) => s.systemProfile ?? '' },
  { key: 'domain', header: 'Relocation domain', cell: (s) => s.domain.name, sortValue: (s) => s.domain.name },
  { key: 'wpars', header: 'WPARs', cell: (s) => String(s.wparCount), sortValue: (s) => s.wparCount },
  { key: 'tested', header: 'Compatibility tested', cell: (s) => (s.compatibilityTestedAt ? formatTime(s.compatibilityTestedAt) : 'not yet'), sortValue: (s) => s.compatibilityTestedAt ?? '' },
  { key: 'seen', header: 'Last seen', cell: (s) => formatTime(s.lastSeenAt), sortValue: (s) => s.lastSeenAt ?? '' },
];

type Open = { kind: 'add' } | { kind: 'modify' | 'remove' | 'evacuate'; system: SystemView } | null;

export default function SystemsView() {
  const session = useSession();
  const mayManage = session.can('system.manage');
  const list = usePoll(() => call(routes.systems.list, { query: { limit: 1000 } }), []);
  const domains = usePoll(() => call(routes.domains.list, { query: { limit: 1000 } }), [], 15_000);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<Open>(null);
  const rows = list.data?.items ?? [];
  const one = rows.filter((s) => selected.has(s.id));
  const single = one.length === 1 ? one[0]! : null;
  const domainOptions = (domains.data?.items ?? []).map((d) => ({ value: d.name, label: d.name }));
  const done = () => announceChange();
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const ask = async (action: AgentAction) => {
    setBusy(true);
    setRefusal(await askAgents(action, one).finally(() => setBusy(false)));
  };
  const lift = async (system: SystemView) => {
    setBusy(true);
    setRefusal(await restore(system).finally(() => setBusy(false)));
  };

  return (
    <section aria-labelledby="systems-title">
      <h1 id="systems-title">Managed systems</h1>
      <div role="toolbar" aria-label="Actions on managed systems" className="toolbar">
        <button type="button" disabled={!mayManage} onClick={() => setOpen({ kind: 'add' })}>Add system</button>
        <button type="button" disabled={!mayManage || !single} onClick={() => single && setOpen({ kind: 'modify', system: single })}>Modify</button>
        <button type="button" disabled={!mayManage || !single} onClick={() => single && setOpen({ kind: 'remove', system: single })}>Remove</button>
        {(Object.keys(AGENT_ACTION_LABELS) as AgentAction[]).map((a) => (
          <button key={a} type="button" disabled={!mayManage || one.length === 0 || busy} onClick={() => void ask(a)}>{AGENT_ACTION_LABELS[a]}</button>
        ))}
        <button type="button" disabled={!mayManage || !single || busy} onClick={() => single && setOpen({ kind: 'evacuate', system: single })}>Evacuate</button>
        <button type="button" disabled={!mayManage || !single?.placementBlocked || busy} onClick={() => single && void lift(single)}>Restore</button>
      </div>
      <FormError message={refusal} />
      <LoadError error={list.error} />
      <DataTable caption="Managed systems" rows={rows} columns={COLUMNS} rowKey={(s) => s.id} rowLabel={(s) => s.name} selected={selected} onSelect={setSelected} empty="No managed systems." />
      {open?.kind === 'add' && (
        <ResourceForm
          title="Add a managed system"
          schema={AddSystemRequest}
          fields={[
            { key: 'name', label: 'Name' },
            { key: 'host', label: 'Host name or address' },
            { key: 'domain', label: 'Relocation domain', options: [{ value: '', label: 'The default domain' }, ...domainOptions] },
          ]}
          initial={{ name: '', host: '', domain: '' }}
          submitLabel="Add"
          onSubmit={(body) => call(routes.systems.create, { body: checkedBody(routes.systems.create, body) }).then(done)}
          onClose={() => setOpen(null)}
        />
      )}
      {open?.kind === 'modify' && (
        <ResourceForm
          title={`Modify ${open.system.name}`}
          schema={ModifySystemRequest}
          fields={[{ key: 'name', label: 'Name' }, { key: 'domain', label: 'Relocation domain', options: domainOptions }]}
          initial={{ name: open.system.name, domain: open.system.domain.name }}
          changesOnly
          submitLabel="Save"
          onSubmit={(body) => call(routes.systems.modify, { params: { id: open.system.id }, body: checkedBody(routes.systems.modify, body) }).then(done)}
          onClose={() => setOpen(null)}
        />
      )}
      {open?.kind === 'evacuate' && <EvacuateDialog system={open.system} wpars={null} onClose={() => setOpen(null)} />}
      {open?.kind === 'remove' && <RemoveSystemDialog system={open.system} onRemoved={() => { setSelected(new Set()); done(); }} onClose={() => setOpen(null)} />}
    </section>
  );
}
