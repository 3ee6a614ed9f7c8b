// Changing one's own password: at first login (required) and from My account.
import { useState, type FormEvent } from 'react';
import { ChangeOwnPasswordRequest } from '../../../src/api/users.js';
import { routes } from '../../../src/api/routes/index.js';
import { call } from '../api/client.js';
import { Field, FormError } from '../components/Field.js';
import { useFormSubmit } from '../lib/use-form-submit.js';
import { schemaErrors } from '../lib/validation.js';

export function PasswordForm({ onDone, submitLabel }: { onDone: () => void | Promise<void>; submitLabel: string }) {
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [repeat, setRepeat] = useState('');
  const { errors, busy, run } = useFormSubmit();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { oldPassword, newPassword };
    const found = schemaErrors(ChangeOwnPasswordRequest, body);
    if (newPassword !== repeat) found['/repeat'] = 'The two new passwords differ.';
    return run(null, found, async () => {
      await call(routes.auth.changePassword, { body });
      await onDone();
    });
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Field label="Current password" error={errors['/oldPassword']}>
        <input type="password" autoComplete="current-password" value={oldPassword} onChange={(e) => setOld(e.target.value)} />
      </Field>
      <Field label="New password" error={errors['/newPassword']} hint="At least 8 characters.">
        <input type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNew(e.target.value)} />
      </Field>
      <Field label="Repeat the new password" error={errors['/repeat']}>
        <input type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      </Field>
      <FormError message={errors['']} />
      <button type="submit" className="primary" disabled={busy}>{submitLabel}</button>
    </form>
  );
}
