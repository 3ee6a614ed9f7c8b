// The Console User Authority's users: create (a one-time password is shown once), change
// full name, user groups and whether disabled, set a new one-time password, delete.
import { useState } from 'react';
import { CreateUserRequest, ModifyUserRequest, type UserView } from '../../../../src/api/users.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, checkedBody } from '../../api/client.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { Dialog } from '../../components/Dialog.js';
import { LoadError } from '../../components/LoadError.js';
import { ConfirmDialog, ResourceForm } from '../../components/ResourceForm.js';
import { announceChange } from '../../lib/changes.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';

const COLUMNS: Column<UserView>[] = [
  { key: 'name', header: 'User', cell: (u) => u.name, sortValue: (u) => u.name },
  { key: 'fullName', header: 'Full name', cell: (u) => u.fullName, sortValue: (u) => u.fullName },
  { key: 'groups', header: 'User groups', cell: (u) => u.groups.join(', ') },
  { key: 'disabled', header: 'Disabled', cell: (u) => (u.disabled ? 'yes' : 'no'), sortValue: (u) => String(u.disabled) },
  { key: 'must', header: 'Password', cell: (u) => (u.mustChangePassword ? 'one-time' : 'own') },
  { key: 'created', header: 'Created', cell: (u) => formatTime(u.createdAt), sortValue: (u) => u.createdAt },
];

const groupsOf = (s: string) => s.split(/[\s,]+/).filter(Boolean);
const BOOL = [{ value: 'false', label: 'No' }, { value: 'true', label: 'Yes' }];

type Open = { kind: 'create' } | { kind: 'modify' | 'password' | 'delete'; user: UserView } | null;

export default function UsersView() {
  const list = usePoll(() => call(routes.users.list, { query: { limit: 1000 } }), []);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<Open>(null);
  /** A one-time password to hand over, shown once after the dialog that made it closes. */
  const [secret, setSecret] = useState<{ user: string; password: string } | null>(null);
  const rows = list.data?.items ?? [];
  const chosen = rows.filter((u) => selected.has(u.name));
  const single = chosen.length === 1 ? chosen[0]! : null;
  const close = () => setOpen(null);

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <div role="toolbar" aria-label="Actions on users" className="toolbar">
        <button type="button" onClick={() => setOpen({ kind: 'create' })}>Create user</button>
        <button type="button" disabled={!single} onClick={() => single && setOpen({ kind: 'modify', user: single })}>Modify</button>
        <button type="button" disabled={!single} onClick={() => single && setOpen({ kind: 'password', user: single })}>Set one-time password</button>
        <button type="button" disabled={!single} onClick={() => single && setOpen({ kind: 'delete', user: single })}>Delete</button>
      </div>
      <LoadError error={list.error} />
      <DataTable caption="Users" rows={rows} columns={COLUMNS} rowKey={(u) => u.name} rowLabel={(u) => u.name} selected={selected} onSelect={setSelected} empty="No users." />
      {open?.kind === 'create' && (
        <ResourceForm title="Create a user" schema={CreateUserRequest}
          fields={[{ key: 'name', label: 'User name' }, { key: 'fullName', label: 'Full name' }]}
          initial={{ name: '', fullName: '' }} submitLabel="Create"
          onSubmit={async (body) => {
            const created = await call(routes.users.create, { body: checkedBody(routes.users.create, body) });
            announceChange();
            if (created.oneTimePassword) setSecret({ user: created.user.name, password: created.oneTimePassword });
          }}
          onClose={close} />
      )}
      {open?.kind === 'modify' && (
        <ResourceForm title={`Modify ${open.user.name}`} schema={ModifyUserRequest}
          fields={[
            { key: 'fullName', label: 'Full name' },
            { key: 'groups', label: 'User groups', hint: 'Separated by spaces or commas.' },
            { key: 'disabled', label: 'Disabled', options: BOOL },
          ]}
          initial={{ fullName: open.user.fullName, groups: open.user.groups.join(' '), disabled: String(open.user.disabled) }}
          changesOnly submitLabel="Save"
          onSubmit={(body) => call(routes.users.modify, { params: { name: open.user.name }, body: checkedBody(routes.users.modify, {
            ...body,
            ...(body.groups !== undefined ? { groups: groupsOf(String(body.groups)) } : {}),
            ...(body.disabled !== undefined ? { disabled: body.disabled === 'true' } : {}),
          }) }).then(announceChange)}
          onClose={close} />
      )}
      {open?.kind === 'password' && (
        <ConfirmDialog title={`New password for ${open.user.name}`} message="A one-time password is generated; the user must change it at the next login." confirmLabel="Generate"
          onConfirm={async () => {
            const set = await call(routes.users.setPassword, { params: { name: open.user.name }, body: {} });
            announceChange();
            if (set.oneTimePassword) setSecret({ user: open.user.name, password: set.oneTimePassword });
          }}
          onClose={close} />
      )}
      {open?.kind === 'delete' && (
        <ConfirmDialog title={`Delete ${open.user.name}`} message="Deletes the user, its sessions, tokens and role mappings." confirmLabel="Delete"
          onConfirm={() => call(routes.users.remove, { params: { name: open.user.name } }).then(() => { setSelected(new Set()); announceChange(); })} onClose={close} />
      )}
      {secret && !open && (
        <Dialog title={`One-time password of ${secret.user}`} onClose={() => setSecret(null)}>
          <p>Give it to {secret.user}; it is shown only now.</p>
          <p><code className="secret" tabIndex={0}>{secret.password}</code></p>
          <div className="buttons"><button type="button" onClick={() => setSecret(null)}>Done</button></div>
        </Dialog>
      )}
    </section>
  );
}
