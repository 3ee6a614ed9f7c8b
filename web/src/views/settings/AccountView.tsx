// The user's own account: change the password, and the API tokens for the CLI and automation.
import { useState, type FormEvent } from 'react';
import { CreateTokenRequest, type CreatedToken, type TokenView } from '../../../../src/api/users.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Field, FormError } from '../../components/Field.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { LoadError } from '../../components/LoadError.js';
import { announce } from '../../lib/announce.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';
import { useFormSubmit } from '../../lib/use-form-submit.js';
import { schemaErrors } from '../../lib/validation.js';
import { PasswordForm } from '../PasswordForm.js';

export default function AccountView() {
  const tokens = usePoll(() => call(routes.auth.tokens), []);
  const [name, setName] = useState('');
  const { errors, run } = useFormSubmit();
  const [created, setCreated] = useState<CreatedToken>();

  const columns: Column<TokenView>[] = [
    { key: 'name', header: 'Token', cell: (t) => t.name, sortValue: (t) => t.name },
    { key: 'created', header: 'Created', cell: (t) => formatTime(t.createdAt), sortValue: (t) => t.createdAt },
    { key: 'expires', header: 'Expires', cell: (t) => (t.expiresAt ? formatTime(t.expiresAt) : 'never') },
    { key: 'used', header: 'Last used', cell: (t) => formatTime(t.lastUsedAt) },
    { key: 'revoke', header: 'Revoke', cell: (t) => <button type="button" onClick={() => void call(routes.auth.revokeToken, { params: { id: t.id } }).then(tokens.reload)}>Revoke {t.name}</button> },
  ];

  const create = (e: FormEvent) => {
    e.preventDefault();
    const body = { name: name.trim() };
    return run(null, schemaErrors(CreateTokenRequest, body), async () => {
      setCreated(await call(routes.auth.createToken, { body }));
      setName('');
      tokens.reload();
    });
  };

  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">My account</h1>
      <section className="card" aria-labelledby="pw-title">
        <h2 id="pw-title">Change password</h2>
        <PasswordForm submitLabel="Change password" onDone={() => announce('Password changed')} />
      </section>
      <section className="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">API tokens</h2>
        <LoadError error={tokens.error} />
        <DataTable caption="Your API tokens" rows={tokens.data ?? []} columns={columns} rowKey={(t) => t.id} empty="No tokens." />
        <form onSubmit={(e) => void create(e)} noValidate>
          <Field label="New token name" error={errors['/name']}>
            <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          </Field>
          <FormError message={errors['']} />
          <button type="submit">Create token</button>
        </form>
        {created && (
          <p role="status">Token {created.name}, shown only now: <code className="secret" tabIndex={0}>{created.token}</code></p>
        )}
      </section>
    </section>
  );
}
