// Logging in with a user of the manager's user store.
import { useState, type FormEvent } from 'react';
import { useSession } from '../app/session.js';
import { describeError } from '../api/client.js';
import { Field, FormError } from '../components/Field.js';
import { useFormSubmit } from '../lib/use-form-submit.js';

export function LoginView() {
  const session = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const { errors, setErrors, busy, run } = useFormSubmit();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    return run(null, {}, () => session.login(name, password), (err) => setErrors({ '': describeError(err) }));
  };

  return (
    <main id="main" className="centered">
      <form className="card narrow" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Log in to Capstan</h1>
        <Field label="User name">
          <input name="username" autoComplete="username" required autoFocus value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Password">
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <FormError message={errors['']} />
        <button type="submit" className="primary" disabled={busy}>Log in</button>
      </form>
    </main>
  );
}
