// Every registered route, called by every kind of caller, against the table below: the
// specification of who may do what, written from the seed's description of its four roles
// (and NOT derived from what the routes declare, or this test could never fail). A route
// missing from the table fails the test, and so does an entry for a route that is gone.
//
// "Allowed" means the caller got past authentication and roles: any answer but 401/403
// (with random ids and empty bodies, allowed calls end in 400/404 and change nothing).
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '../../src/api/roles.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';
import { caller, login, type Caller, type Method } from './users-fixtures.js';

type Who = Role | 'no role' | 'anonymous';
const EVERYONE: readonly Who[] = ['administrator', 'WPARAdministrator', 'WPARUser', 'WPARMonitor', 'no role', 'anonymous'];

// Who may call, in the seed's words.
/** Health, the API description, logging in. */
const PUBLIC = EVERYONE;
/** Any user who can authenticate, even one mapped to no role: whoami, logout, own password and tokens. */
const LOGGED_IN: readonly Who[] = ['administrator', 'WPARAdministrator', 'WPARUser', 'WPARMonitor', 'no role'];
/** WPARMonitor: "read-only access to all application constructs"; WPARAdministrator: all windows. */
const VIEW: readonly Who[] = ['WPARAdministrator', 'WPARUser', 'WPARMonitor'];
/** WPARUser: "all basic WPAR actions, such as creating, modifying, starting, stopping, and deploying". */
const WPAR_ACTIONS: readonly Who[] = ['WPARAdministrator', 'WPARUser'];
/** Not for WPARUser: discovering, modifying or deleting managed systems, relocation policies, general settings. */
const ADMINISTRATION: readonly Who[] = ['WPARAdministrator'];
/** administrator: the Console User Authority (users and role mappings), and nothing else. */
const USER_AUTHORITY: readonly Who[] = ['administrator'];
/** No user, whatever their roles: only an agent with its own client certificate (every user is refused with CAP-E0601). */
const AGENT_ONLY: readonly Who[] = [];

/** Keyed by method and path below /api/v1. HEAD routes are Fastify's mirrors of GET routes and expect what their GET does. */
const EXPECTED: Record<string, readonly Who[]> = {
  'GET /health': PUBLIC,
  'GET /openapi.json': PUBLIC,
  'GET /whoami': LOGGED_IN,

  'POST /auth/login': PUBLIC,
  'POST /auth/logout': LOGGED_IN,
  'PUT /auth/password': LOGGED_IN,
  'POST /auth/tokens': LOGGED_IN,
  'GET /auth/tokens': LOGGED_IN,
  'DELETE /auth/tokens/:id': LOGGED_IN,

  'GET /users': USER_AUTHORITY,
  'POST /users': USER_AUTHORITY,
  'GET /users/:name': USER_AUTHORITY,
  'PATCH /users/:name': USER_AUTHORITY,
  'PUT /users/:name/password': USER_AUTHORITY,
  'DELETE /users/:name': USER_AUTHORITY,
  'GET /roles': USER_AUTHORITY,
  'GET /roles/:role': USER_AUTHORITY,
  'GET /roles/:role/users': USER_AUTHORITY,
  'GET /roles/:role/groups': USER_AUTHORITY,
  'POST /roles/:role/mappings': USER_AUTHORITY,
  'DELETE /roles/:role/mappings': USER_AUTHORITY,
  'DELETE /roles/:role': USER_AUTHORITY,
  'GET /users/:name/roles': USER_AUTHORITY,
  'GET /user-groups/:name/roles': USER_AUTHORITY,

  'GET /systems': VIEW,
  'GET /systems/:id': VIEW,
  'POST /systems': ADMINISTRATION,
  'PATCH /systems/:id': ADMINISTRATION,
  'DELETE /systems/:id': ADMINISTRATION,

  // Relocation domains group managed systems: administration of systems.
  'GET /domains': VIEW,
  'GET /domains/:id': VIEW,
  'POST /domains': ADMINISTRATION,
  'PATCH /domains/:id': ADMINISTRATION,
  'DELETE /domains/:id': ADMINISTRATION,

  // WPAR groups carry the relocation policies.
  'GET /groups': VIEW,
  'GET /groups/:id': VIEW,
  'POST /groups': ADMINISTRATION,
  'PATCH /groups/:id': ADMINISTRATION,
  'DELETE /groups/:id': ADMINISTRATION,

  'GET /wpars': VIEW,
  'GET /wpars/:id': VIEW,
  'POST /wpars': WPAR_ACTIONS,
  'POST /wpars/:id/clone': WPAR_ACTIONS,
  'PATCH /wpars/:id': WPAR_ACTIONS,
  'DELETE /wpars/:id': WPAR_ACTIONS,
  'POST /wpars/:id/actions/deploy': WPAR_ACTIONS,
  'POST /wpars/:id/actions/relocate': WPAR_ACTIONS,
  /** Accepting what a WPAR found on a system may do to its host is granting it: not for WPARUser. */
  'POST /wpars/:id/actions/acceptPrivileges': ADMINISTRATION,
  'POST /systems/:id/actions/evacuate': ADMINISTRATION,
  'POST /systems/:id/actions/restore': ADMINISTRATION,
  'POST /wpars/:id/actions/remove': WPAR_ACTIONS,
  'POST /wpars/:id/actions/start': WPAR_ACTIONS,
  'POST /wpars/:id/actions/stop': WPAR_ACTIONS,
  'POST /wpars/:id/actions/pause': WPAR_ACTIONS,
  'POST /wpars/:id/actions/freeze': WPAR_ACTIONS,
  'POST /wpars/:id/actions/resume': WPAR_ACTIONS,
  'POST /wpars/:id/actions/endProcesses': WPAR_ACTIONS,

  'GET /tasks': VIEW,
  'GET /tasks/:id': VIEW,
  'GET /tasks/:id/wait': VIEW,
  'GET /tasks/:id/events': VIEW,
  // Tasks are the WPAR actions in progress: who may start them may stop them.
  'POST /tasks/:id/cancel': WPAR_ACTIONS,

  // Backing up the manager's database is the server administrator's job in the seed; the
  // files hold every user's password hash.
  'POST /backups': ADMINISTRATION,
  'GET /backups': ADMINISTRATION,
  // The daily schedule and its retention decide which backups are deleted.
  'GET /backups/schedule': ADMINISTRATION,
  'PUT /backups/schedule': ADMINISTRATION,
  'DELETE /backups/schedule': ADMINISTRATION,
  // The manager's log levels (the seed's lwilog, run by its administrator): general settings of the manager.
  'GET /logging': ADMINISTRATION,
  'PUT /logging/level': ADMINISTRATION,
  'DELETE /logging': ADMINISTRATION,
  'PUT /logging/components/:name': ADMINISTRATION,
  'DELETE /logging/components/:name': ADMINISTRATION,

  // Agents authenticate registration with the registration password, not a user.
  'POST /agents/register': PUBLIC,
  // An agent leaving this manager for another (configure --force), as itself.
  'POST /agents/unregister': AGENT_ONLY,
  'GET /agents': VIEW,
  // Registering hosts and asking them to report is administration of managed systems.
  'GET /agents/registration-password': ADMINISTRATION,
  'PUT /agents/registration-password': ADMINISTRATION,
  // Deciding whether a new agent may take a system over from its registered one.
  'GET /agents/requests': ADMINISTRATION,
  'POST /agents/requests/:name/approve': ADMINISTRATION,
  'POST /agents/requests/:name/refuse': ADMINISTRATION,
  'POST /systems/:id/discover': ADMINISTRATION,
  'POST /systems/:id/update-profile': ADMINISTRATION,
  // Performance metrics are read-only views.
  'GET /systems/:id/metrics': VIEW,
  'GET /wpars/:id/metrics': VIEW,
  // A shell inside a WPAR is a basic WPAR action: its processes are the WPAR's own.
  'GET /wpars/:id/console': WPAR_ACTIONS,
  // The Prometheus export, outside the API prefix.
  'GET /metrics': VIEW,
  // Compatibility between systems and a WPAR's relocation targets are read-only views.
  'GET /systems/:id/compatibility': VIEW,
  'GET /compatibility': VIEW,
  'GET /wpars/:id/targets': VIEW,
  // The balancer: its state, dry run and events are views; applying or dismissing a
  // recommendation acts on relocation policy, which WPARUser may not (the seed).
  'GET /balance': VIEW,
  'GET /balance/plan': VIEW,
  'GET /balance/events': VIEW,
  'POST /balance/events/:id/apply': ADMINISTRATION,
  'POST /balance/events/:id/dismiss': ADMINISTRATION,

  // Instant capacity: everyone who views sees it; changing rights and active capacity is
  // administration of the managed systems.
  'GET /capacity/complexes': VIEW,
  'GET /capacity/complexes/:id': VIEW,
  'GET /capacity/complexes/:id/ledger': VIEW,
  'GET /capacity/notifications': VIEW,
  // The activation log: who changed capacity, and when, is part of what everyone who views sees.
  'GET /capacity/log': VIEW,
  'GET /capacity/log/csv': VIEW,
  'GET /capacity/issuers': VIEW,
  'GET /capacity/settings': VIEW,
  'POST /capacity/complexes': ADMINISTRATION,
  'PATCH /capacity/complexes/:id': ADMINISTRATION,
  'DELETE /capacity/complexes/:id': ADMINISTRATION,
  'POST /capacity/complexes/:id/notifications/test': ADMINISTRATION,
  'POST /capacity/codewords': ADMINISTRATION,
  'POST /capacity/systems/:id/activate': ADMINISTRATION,
  'POST /capacity/systems/:id/deactivate': ADMINISTRATION,
  'POST /capacity/move': ADMINISTRATION,
  'POST /capacity/issuers': ADMINISTRATION,
  'DELETE /capacity/issuers/:id': ADMINISTRATION,
  'PUT /capacity/settings': ADMINISTRATION,
};

/** Calls after which the caller's session is gone, so it logs in again. */
const ENDS_SESSION = new Set(['POST /auth/logout']);

const PREFIX = '/api/v1';
const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url.startsWith(PREFIX) ? r.url.slice(PREFIX.length) : r.url}`;
const expectedFor = (key: string) => EXPECTED[key.replace(/^HEAD /, 'GET ')];

/** Fills a route's parameters with fresh random values that match no resource. */
const concrete = (path: string) => path.replace(/:(\w+)/g, (_, p: string) => (p === 'id' ? randomUUID() : `${p}-${randomBytes(4).toString('hex')}`));

describe('role matrix: every route × every role', () => {
  let m: TestManager;
  let call: ReturnType<typeof caller>;
  const callers = new Map<Who, Caller>();
  const passwords = new Map<Who, { name: string; password: string }>();

  before(async () => {
    m = await startTestManager();
    call = caller(m);
    for (const who of EVERYONE) {
      if (who === 'anonymous') {
        callers.set(who, null);
        continue;
      }
      // Login sessions, not tokens: an API token may not mint tokens, a session may.
      const u = await m.userWithRoles(who === 'no role' ? [] : [who]);
      passwords.set(who, u);
      callers.set(who, await login(m, u.name, u.password));
    }
  });
  after(async () => { await m?.close(); });

  it('has an expectation for every registered route, and a route for every expectation', () => {
    const registered = new Set(m.app.routeTable.map(keyOf));
    assert.deepEqual([...registered].filter((k) => !expectedFor(k)), [], 'routes missing from EXPECTED');
    assert.deepEqual(Object.keys(EXPECTED).filter((k) => !registered.has(k)), [], 'EXPECTED routes that are not registered');
  });

  it('lets through exactly the expected callers, and refuses the others with 401 or 403', async () => {
    const wrong: string[] = [];
    for (const route of m.app.routeTable) {
      const key = keyOf(route);
      const allowed = expectedFor(key);
      if (!allowed) continue;
      for (const who of EVERYONE) {
        const res = await call(route.method as Method, concrete(route.url.startsWith(PREFIX) ? route.url.slice(PREFIX.length) : route.url), callers.get(who)!, ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method) ? {} : undefined);
        const refusedWith = res.statusCode === 401 || res.statusCode === 403
          // HEAD answers carry no body, so only the status tells.
          ? `${res.statusCode}${route.method === 'HEAD' ? '' : ` ${res.json().code}`}`
          : undefined;
        const refusal = allowed === AGENT_ONLY ? '403 CAP-E0601' : who === 'anonymous' ? '401 CAP-E0100' : '403 CAP-E0102';
        if (allowed.includes(who)) {
          if (refusedWith) wrong.push(`${key} as ${who}: refused (${refusedWith}), expected allowed`);
        } else if (refusedWith !== (route.method === 'HEAD' ? refusal.slice(0, 3) : refusal)) {
          wrong.push(`${key} as ${who}: ${refusedWith ?? `allowed (${res.statusCode})`}, expected ${refusal}`);
        }
        if (ENDS_SESSION.has(key) && who !== 'anonymous') {
          const u = passwords.get(who)!;
          callers.set(who, await login(m, u.name, u.password));
        }
      }
    }
    assert.deepEqual(wrong, []);
  });
});
