// Role mappings, as the seed's lwiMapRole: each role, what it may do, and the users and
// user groups mapped to it; map and unmap.
import { useState } from 'react';
import { MappingRequest, type RoleView } from '../../../../src/api/users.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { LoadError } from '../../components/LoadError.js';
import { ResourceForm } from '../../components/ResourceForm.js';
import { announceChange } from '../../lib/changes.js';
import { usePoll } from '../../lib/usePoll.js';

const names = (s: unknown) => String(s ?? '').split(/[\s,]+/).filter(Boolean);
type Open = { kind: 'add' | 'remove'; role: RoleView } | null;

export default function RolesView() {
  const list = usePoll(() => call(routes.roles.list), []);
  const [open, setOpen] = useState<Open>(null);

  const mapping = (body: Record<string, unknown>) => {
    const req: MappingRequest = {};
    if (body.users) req.users = names(body.users);
    if (body.groups) req.groups = names(body.groups);
    return req;
  };

  return (
    <section aria-labelledby="roles-title">
      <h1 id="roles-title">Roles</h1>
      <LoadError error={list.error} />
      {(list.data ?? []).map((r) => (
        <section key={r.role} className="card" aria-labelledby={`role-${r.role}`}>
          <h2 id={`role-${r.role}`}>{r.role}</h2>
          <p>May: {r.permissions.join(', ') || 'nothing'}</p>
          <p>Users: {r.users.join(', ') || 'none'}</p>
          <p>User groups: {r.groups.join(', ') || 'none'}</p>
          <div role="toolbar" aria-label={`Mappings of ${r.role}`} className="toolbar">
            <button type="button" onClick={() => setOpen({ kind: 'add', role: r })}>Map users or groups</button>
            <button type="button" disabled={r.users.length + r.groups.length === 0} onClick={() => setOpen({ kind: 'remove', role: r })}>Unmap users or groups</button>
          </div>
        </section>
      ))}
      {open && (
        <ResourceForm
          title={`${open.kind === 'add' ? 'Map to' : 'Unmap from'} ${open.role.role}`}
          // The form's fields are text lists; the request's arrays are checked on the converted body.
          schema={MappingRequest}
          fields={[
            { key: 'users', label: 'Users', hint: 'Names separated by spaces or commas.' },
            { key: 'groups', label: 'User groups', hint: 'Names separated by spaces or commas.' },
          ]}
          initial={{ users: '', groups: '' }}
          submitLabel={open.kind === 'add' ? 'Map' : 'Unmap'}
          onSubmit={(body) => call(open.kind === 'add' ? routes.roles.map : routes.roles.unmap, { params: { role: open.role.role }, body: mapping(body) }).then(announceChange)}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}
