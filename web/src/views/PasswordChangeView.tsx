// The first login with a one-time password: the manager answers nothing else until it changes.
import { useSession } from '../app/session.js';
import { PasswordForm } from './PasswordForm.js';

export function PasswordChangeView() {
  const session = useSession();
  return (
    <main id="main" className="centered">
      <section className="card narrow" aria-labelledby="pw-title">
        <h1 id="pw-title">Choose your password</h1>
        <p>{session.me?.name}, your password was set for one use. Choose your own to continue.</p>
        <PasswordForm submitLabel="Change password" onDone={session.refresh} />
        <button type="button" className="link-button" onClick={() => void session.logout()}>Log out</button>
      </section>
    </main>
  );
}
