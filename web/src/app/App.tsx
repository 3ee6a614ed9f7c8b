// The console's shell: skip link, banner, navigation by role, the routed page, the task
// tray and the live region. Logged out, it shows the login; with a one-time password, the
// change the manager insists on before anything else.
import { Suspense, useEffect, useRef } from 'react';
import { Announcer } from '../components/Announcer.js';
import { TaskTray } from '../components/TaskTray.js';
import { LoginView } from '../views/LoginView.js';
import { PasswordChangeView } from '../views/PasswordChangeView.js';
import { Link, match, navigate, useLocation } from './router.js';
import { NAV, ROUTES } from './routes.js';
import { useSession } from './session.js';

export function App() {
  const session = useSession();
  const { path } = useLocation();
  const mainRef = useRef<HTMLElement>(null);

  // A new page moves focus to its main region, so screen readers start at its content.
  useEffect(() => {
    mainRef.current?.focus();
  }, [path]);

  if (!session.ready) return <p className="loading" role="status">Loading…</p>;
  if (!session.me) return <LoginView />;
  if (session.me.mustChangePassword) return <PasswordChangeView />;

  const nav = NAV.filter((n) => session.can(n.permission));
  const found = ROUTES.map((r) => ({ r, params: match(r.pattern, path) })).find((x) => x.params !== null);
  if (!found && nav[0]) {
    // "/" and unknown paths land on the first page the user may see.
    queueMicrotask(() => navigate(nav[0]!.to, { replace: true }));
  }
  const View = found?.r.view;
  const sections = [...new Set(nav.map((n) => n.section))];
  // The most specific entry is the page's own: "/capacity/settings" rather than "/capacity".
  const current = nav.filter((n) => path === n.to || path.startsWith(`${n.to}/`)).sort((a, b) => b.to.length - a.to.length)[0];

  return (
    <>
      <a className="skip-link" href="#main">Skip to main content</a>
      <header className="banner">
        <span className="brand">Capstan</span>
        <span className="whoami">
          Logged in as <strong>{session.me.name}</strong> ({session.me.roles.join(', ') || 'no role'})
        </span>
        <button type="button" onClick={() => void session.logout()}>Log out</button>
      </header>
      <div className="layout">
        <nav aria-label="Console" className="sidenav">
          {sections.map((s) => (
            <div key={s}>
              <h2 className="nav-section">{s}</h2>
              <ul className="plain">
                {nav.filter((n) => n.section === s).map((n) => (
                  <li key={n.to}>
                    <Link to={n.to} aria-current={n === current ? 'page' : undefined}>{n.label}</Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <main id="main" ref={mainRef} tabIndex={-1}>
          {session.me.roles.length === 0 && <p role="alert">Your user is mapped to no role, so there is nothing to show. An administrator can map one.</p>}
          {found && View && (session.can(found.r.permission) ? (
            <Suspense fallback={<p role="status">Loading…</p>}>
              <View params={found.params!} />
            </Suspense>
          ) : (
            <p role="alert">Your roles do not allow this page.</p>
          ))}
        </main>
      </div>
      <TaskTray />
      <Announcer />
    </>
  );
}
