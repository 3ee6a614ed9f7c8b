// Relocation domains: which systems serve the same purpose. Managed by system administrators.
import { useState } from 'react';
import { CreateDomainRequest, ModifyDomainRequest, type DomainView } from '../../../../src/api/domains.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, checkedBody } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { LoadError } from '../../components/LoadError.js';
import { ConfirmDialog, ResourceForm } from '../../components/ResourceForm.js';
import { announceChange } from '../../lib/changes.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';

const COLUMNS: Column<DomainView>[] = [
  { key: 'name', header: 'Name', cell: (d) => d.name + (d.isDefault ? ' (default)' : ''), sortValue: (d) => d.name },
  { key: 'description', header: 'Description', cell: (d) => d.description },
  { key: 'systems', header: 'Systems', cell: (d) => String(d.systemCount), sortValue: (d) => d.systemCount },
  { key: 'created', header: 'Created', cell: (d) => formatTime(d.createdAt), sortValue: (d) => d.createdAt },
];

type Open = { kind: 'create' } | { kind: 'modify' | 'remove'; domain: DomainView } | null;

export default function DomainsView() {
  const mayManage = useSession().can('system.manage');
  const list = usePoll(() => call(routes.domains.list, { query: { limit: 1000 } }), []);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<Open>(null);
  const rows = list.data?.items ?? [];
  const chosen = rows.filter((d) => selected.has(d.id));
  const single = chosen.length === 1 ? chosen[0]! : null;

  return (
    <section aria-labelledby="domains-title">
      <h1 id="domains-title">Relocation domains</h1>
      <div role="toolbar" aria-label="Actions on relocation domains" className="toolbar">
        <button type="button" disabled={!mayManage} onClick={() => setOpen({ kind: 'create' })}>Create domain</button>
        <button type="button" disabled={!mayManage || !single} onClick={() => single && setOpen({ kind: 'modify', domain: single })}>Modify</button>
        <button type="button" disabled={!mayManage || !single || single.isDefault} onClick={() => single && setOpen({ kind: 'remove', domain: single })}>Remove</button>
      </div>
      <LoadError error={list.error} />
      <DataTable caption="Relocation domains" rows={rows} columns={COLUMNS} rowKey={(d) => d.id} rowLabel={(d) => d.name} selected={selected} onSelect={setSelected} empty="No relocation domains." />
      {open?.kind === 'create' && (
        <ResourceForm title="Create a relocation domain" schema={CreateDomainRequest}
          fields={[{ key: 'name', label: 'Name' }, { key: 'description', label: 'Description', multiline: true }]}
          initial={{ name: '', description: '' }} submitLabel="Create"
          onSubmit={(body) => call(routes.domains.create, { body: checkedBody(routes.domains.create, body) }).then(announceChange)} onClose={() => setOpen(null)} />
      )}
      {open?.kind === 'modify' && (
        <ResourceForm title={`Modify ${open.domain.name}`} schema={ModifyDomainRequest}
          fields={[{ key: 'name', label: 'Name' }, { key: 'description', label: 'Description', multiline: true }]}
          initial={{ name: open.domain.name, description: open.domain.description }} changesOnly submitLabel="Save"
          onSubmit={(body) => call(routes.domains.modify, { params: { id: open.domain.id }, body: checkedBody(routes.domains.modify, body) }).then(announceChange)} onClose={() => setOpen(null)} />
      )}
      {open?.kind === 'remove' && (
        <ConfirmDialog title={`Remove ${open.domain.name}`} message="Refused while systems belong to it." confirmLabel="Remove"
          onConfirm={() => call(routes.domains.remove, { params: { id: open.domain.id } }).then(() => { setSelected(new Set()); announceChange(); })} onClose={() => setOpen(null)} />
      )}
    </section>
  );
}
