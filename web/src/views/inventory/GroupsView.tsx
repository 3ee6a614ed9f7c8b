// WPAR groups and their relocation policies; created and changed by system administrators.
import { useState } from 'react';
import { Value } from 'typebox/value';
import { CreateGroupRequest, ModifyGroupRequest, policyProblems, RelocationPolicy, type GroupView } from '../../../../src/api/groups.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, checkedBody } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { LoadError } from '../../components/LoadError.js';
import { Properties } from '../../components/PropertyList.js';
import { ConfirmDialog, ResourceForm } from '../../components/ResourceForm.js';
import { announceChange } from '../../lib/changes.js';
import { usePoll } from '../../lib/usePoll.js';
import { schemaErrors, type FieldErrors } from '../../lib/validation.js';
import { BalancePanel } from './BalancePanel.js';
import { PolicyFields } from './PolicyFields.js';

const COLUMNS: Column<GroupView>[] = [
  { key: 'name', header: 'Name', cell: (g) => g.name + (g.isDefault ? ' (default)' : ''), sortValue: (g) => g.name },
  { key: 'description', header: 'Description', cell: (g) => g.description },
  { key: 'policy', header: 'Policy', cell: (g) => (g.policy.enabled ? `on: ${g.policy.minThreshold}–${g.policy.maxThreshold}%` : 'off'), sortValue: (g) => String(g.policy.enabled) },
  { key: 'metrics', header: 'Metrics (weight)', cell: (g) => g.policy.metrics.map((m) => `${m.metric} (${m.weight})`).join(', ') },
  { key: 'wpars', header: 'WPARs', cell: (g) => String(g.wparCount), sortValue: (g) => g.wparCount },
];

/** Policy messages by field path under /policy: the schema's, then the rules beyond it. */
function policyErrors(policy: RelocationPolicy): FieldErrors {
  const errors = Object.fromEntries(Object.entries(schemaErrors(RelocationPolicy, policy)).map(([k, v]) => [`/policy${k}`, v]));
  const problems = Object.keys(errors).length === 0 ? policyProblems(policy) : [];
  if (problems.length > 0) errors['/policy'] = problems.join('; ');
  return errors;
}

function PolicyEditor({ initial, title, onSubmit, onClose, create, group }: { initial: RelocationPolicy; title: string; create: boolean; group?: GroupView; onSubmit: (body: Record<string, unknown>) => Promise<unknown>; onClose: () => void }) {
  const [policy, setPolicy] = useState(initial);
  const errors = policyErrors(policy);
  return (
    <ResourceForm
      title={title}
      schema={create ? CreateGroupRequest : ModifyGroupRequest}
      fields={[{ key: 'name', label: 'Name' }, { key: 'description', label: 'Description', multiline: true }]}
      initial={{ name: group?.name ?? '', description: group?.description ?? '' }}
      changesOnly={!create}
      submitLabel={create ? 'Create' : 'Save'}
      extra={{
        body: { policy },
        errors,
        node: (
          <>
            <PolicyFields policy={policy} set={setPolicy} errors={errors} />
            {errors['/policy'] && <p className="field-error">{errors['/policy']}</p>}
          </>
        ),
      }}
      onSubmit={onSubmit}
      onClose={onClose}
    />
  );
}

type Open = { kind: 'create' } | { kind: 'modify' | 'remove'; group: GroupView } | null;

export default function GroupsView() {
  const mayManage = useSession().can('system.manage');
  const list = usePoll(() => call(routes.groups.list, { query: { limit: 1000 } }), []);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<Open>(null);
  const rows = list.data?.items ?? [];
  const chosen = rows.filter((g) => selected.has(g.id));
  const single = chosen.length === 1 ? chosen[0]! : null;

  return (
    <section aria-labelledby="groups-title">
      <h1 id="groups-title">WPAR groups</h1>
      <div role="toolbar" aria-label="Actions on WPAR groups" className="toolbar">
        <button type="button" disabled={!mayManage} onClick={() => setOpen({ kind: 'create' })}>Create group</button>
        <button type="button" disabled={!mayManage || !single} onClick={() => single && setOpen({ kind: 'modify', group: single })}>Modify</button>
        <button type="button" disabled={!mayManage || !single || single.isDefault} onClick={() => single && setOpen({ kind: 'remove', group: single })}>Remove</button>
      </div>
      <LoadError error={list.error} />
      <DataTable caption="WPAR groups" rows={rows} columns={COLUMNS} rowKey={(g) => g.id} rowLabel={(g) => g.name} selected={selected} onSelect={setSelected} empty="No groups." />
      {single && (
        <section aria-label={`Policy of ${single.name}`}>
          <h2>Policy of {single.name}</h2>
          <Properties items={[
            ['Enabled', single.policy.enabled ? `yes: ${single.policy.automation}` : 'no'],
            ['Thresholds', `${single.policy.minThreshold}% – ${single.policy.maxThreshold}%`],
            ['Averaging period', `${single.policy.averagingPeriodMinutes} minutes`],
            ['Trigger count', String(single.policy.triggerCount)],
            ['Metrics', single.policy.metrics.map((m) => `${m.metric}: weight ${m.weight}, limit ${m.limit}${m.max !== undefined ? `, above ${m.max}%` : ''}${m.min !== undefined ? `, below ${m.min}%` : ''}`).join('; ')],
          ]} />
        </section>
      )}
      {single && <BalancePanel key={single.id} group={single} />}
      {open?.kind === 'create' && (
        <PolicyEditor title="Create a WPAR group" create initial={Value.Default(RelocationPolicy, {}) as RelocationPolicy}
          onSubmit={(body) => call(routes.groups.create, { body: checkedBody(routes.groups.create, body) }).then(announceChange)} onClose={() => setOpen(null)} />
      )}
      {open?.kind === 'modify' && (
        <PolicyEditor title={`Modify ${open.group.name}`} create={false} group={open.group} initial={open.group.policy}
          onSubmit={(body) => call(routes.groups.modify, { params: { id: open.group.id }, body: checkedBody(routes.groups.modify, body) }).then(announceChange)} onClose={() => setOpen(null)} />
      )}
      {open?.kind === 'remove' && (
        <ConfirmDialog title={`Remove ${open.group.name}`} message="Refused while WPARs belong to it." confirmLabel="Remove"
          onConfirm={() => call(routes.groups.remove, { params: { id: open.group.id } }).then(() => { setSelected(new Set()); announceChange(); })} onClose={() => setOpen(null)} />
      )}
    </section>
  );
}
