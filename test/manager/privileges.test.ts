// The privilege policy over HTTP: a WPARUser cannot give a WPAR the host (each privileged
// field is refused with its own code, and nothing is stored), a WPARAdministrator can, a
// domain's allowance widens what a WPARUser may grant, a system gives only the capabilities
// it has, and an agent's report never changes a definition's privileged fields.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeWparSpec, type WparSpec } from '../../src/api/wpar.js';
import { hostProfile } from './mobility-fixtures.js';
import { connectedSystem, DB_KINDS, managerPerSuite, refused, succeeded, storesNothing as storesNothingIn } from './wpars-fixtures.js';

const NET = { interfaces: [{ address: '10.9.0.2' }] };
const APP = { type: 'application', command: ['sleep', '60'], ...NET };
/** One WPAR spec per privileged field, with the code a WPARUser gets for it. */
const PRIVILEGED = [
  { field: 'mounts', code: 'CAP-E0208', body: { type: 'system', mounts: [{ source: '/', target: '/h' }] } },
  { field: 'privileges', code: 'CAP-E0209', body: { type: 'system', privileges: ['CAP_SYS_ADMIN'] } },
  { field: 'image', code: 'CAP-E0210', body: { ...APP, image: 'host' } },
  { field: 'interfaces', code: 'CAP-E0211', body: { ...APP, interfaces: [] } },
] as const;

for (const { kind, skip } of DB_KINDS) {
  describe(`privilege policy (${kind})`, { skip }, () => {
    const mgr = managerPerSuite(kind);
    const { call } = mgr;
    const view = async (ref: string) => (await call('GET', `/wpars/${ref}`, mgr.monitor)).json();

    const storesNothing = (work: () => Promise<void>): Promise<void> => storesNothingIn(mgr.m, work);

    /** A connected system whose agent reported these capabilities as available. */
    async function systemWith(name: string, available: string[]) {
      const s = await connectedSystem(mgr.m, mgr.admin, name);
      const profile = hostProfile({ privileges: { available, default: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'] } });
      await mgr.m.services.db.updateTable('systems').set({ profile: JSON.stringify(profile) }).where('id', '=', s.id).execute();
      return s;
    }

    it('refuses a WPARUser each privileged field with its own code, naming the field, and stores nothing', async () => {
      await systemWith('h1', ['CAP_KILL', 'CAP_SYS_ADMIN']);
      await storesNothing(async () => {
        for (const [i, p] of PRIVILEGED.entries()) {
          for (const extra of [{}, { system: 'h1' }]) {
            const res = await call('POST', '/wpars', mgr.user, { name: `u${i}`, ...p.body, ...extra });
            refused(res, 403, p.code);
            assert.equal(res.json().details.field, p.field);
            assert.match(res.json().message, new RegExp(`${p.field}: `));
          }
        }
      });
    });

    it('lets a WPARAdministrator set each of them', async () => {
      for (const [i, p] of PRIVILEGED.entries()) {
        await succeeded(mgr.m, await call('POST', '/wpars', mgr.admin, { name: `a${i}`, ...p.body }));
      }
      assert.deepEqual((await view('a0')).mounts, [{ source: '/', target: '/h', type: 'bind', readOnly: false }]);
    });

    it('refuses a WPARUser changing or cloning privileged fields, but not other changes of a privileged WPAR', async () => {
      await storesNothing(async () => {
        refused(await call('PATCH', '/wpars/a1', mgr.user, { privileges: ['CAP_SYS_ADMIN', 'CAP_NET_RAW'] }), 403, 'CAP-E0209');
        refused(await call('PATCH', '/wpars/a0', mgr.user, { mounts: [{ source: '/etc', target: '/h', readOnly: true }] }), 403, 'CAP-E0208');
        refused(await call('POST', '/wpars/a0/clone', mgr.user, { name: 'copy0' }), 403, 'CAP-E0208');
      });
      assert.deepEqual((await view('a1')).privileges, ['CAP_SYS_ADMIN']);
      // Keeping what an administrator granted, or narrowing it, grants nothing.
      await succeeded(mgr.m, await call('PATCH', '/wpars/a1', mgr.user, { hostname: 'renamed' }));
      await succeeded(mgr.m, await call('PATCH', '/wpars/a0', mgr.user, { mounts: [{ source: '/', target: '/h', readOnly: true }] }));
      assert.equal((await view('a1')).hostname, 'renamed');
    });

    it('widens what a WPARUser may grant by the domain\'s allowance, which only an administrator edits', async () => {
      refused(await call('PATCH', '/domains/default', mgr.user, { allowance: { mountSources: ['/'], capabilities: [] } }), 403, 'CAP-E0102');
      refused(await call('PATCH', '/domains/default', mgr.admin, { allowance: { mountSources: ['srv'], capabilities: [] } }), 400, 'CAP-E0001');
      const d = await call('PATCH', '/domains/default', mgr.admin, { allowance: { mountSources: ['/srv/shared/', '/srv//shared'], capabilities: ['CAP_SYS_ADMIN'] } });
      assert.equal(d.statusCode, 200, d.body);
      assert.deepEqual(d.json().allowance, { mountSources: ['/srv/shared'], capabilities: ['CAP_SYS_ADMIN'] });

      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'allowed', type: 'system', mounts: [{ source: '/srv/shared/app', target: '/d' }], privileges: ['CAP_SYS_ADMIN'] }));
      await storesNothing(async () => {
        refused(await call('POST', '/wpars', mgr.user, { name: 'outside', type: 'system', mounts: [{ source: '/srv/shared/../../etc', target: '/d' }] }), 403, 'CAP-E0208');
        refused(await call('POST', '/wpars', mgr.user, { name: 'outside', type: 'system', mounts: [{ source: '/srv/sharedx', target: '/d' }] }), 403, 'CAP-E0208');
        // Never by allowance: the host image and host networking.
        refused(await call('POST', '/wpars', mgr.user, { name: 'outside', ...APP, interfaces: [] }), 403, 'CAP-E0211');
      });
      // A change names only the list it replaces.
      const narrowed = await call('PATCH', '/domains/default', mgr.admin, { allowance: { capabilities: [] } });
      assert.deepEqual(narrowed.json().allowance, { mountSources: ['/srv/shared'], capabilities: [] });
      await call('PATCH', '/domains/default', mgr.admin, { allowance: { mountSources: [] } });
    });

    it('deploys only where the system has the capabilities, and a WPARUser only where the domain allows what the WPAR holds', async () => {
      await systemWith('h2', ['CAP_KILL']);
      await storesNothing(async () => {
        // Whoever asks: h2 cannot give CAP_SYS_ADMIN.
        refused(await call('POST', '/wpars/a1/actions/deploy', mgr.admin, { system: 'h2' }), 409, 'CAP-E0212');
        // h1 can, but only an administrator may put it there.
        refused(await call('POST', '/wpars/a1/actions/deploy', mgr.user, { system: 'h1' }), 403, 'CAP-E0209');
        refused(await call('POST', '/wpars', mgr.admin, { name: 'nope', type: 'system', privileges: ['CAP_BPF'], system: 'h1' }), 409, 'CAP-E0212');
      });
      await succeeded(mgr.m, await call('POST', '/wpars/a1/actions/deploy', mgr.admin, { system: 'h1' }));
      assert.equal((await view('a1')).system.name, 'h1');
      // Deployed, its capabilities change only to ones its system has.
      refused(await call('PATCH', '/wpars/a1', mgr.admin, { privileges: ['CAP_SYS_ADMIN', 'CAP_BPF'] }), 409, 'CAP-E0212');
    });

    it('never lets a report change a definition\'s privileged fields, and holds a WPAR found with some until an administrator accepts it', async () => {
      const { wparStore, systems } = mgr.m.services.inventory;
      const h1 = (await systems.named.require('h1')).id;
      const a1 = await wparStore.spec('a1');
      const poisoned: WparSpec = normalizeWparSpec({ ...a1, hostname: 'agent-said', mounts: [{ source: '/', target: '/h' }], privileges: ['CAP_SYS_MODULE'] });
      const found: WparSpec = normalizeWparSpec({ name: 'local1', type: 'system', mounts: [{ source: '/var/lib', target: '/v' }] });
      await wparStore.reconcile(h1, [{ name: 'a1', state: 'Active', spec: poisoned }, { name: 'local1', state: 'Defined', spec: found }]);

      const kept = await view('a1');
      assert.deepEqual([kept.mounts, kept.privileges, kept.hostname], [[], ['CAP_SYS_ADMIN'], 'agent-said']);
      assert.equal(kept.privilegesUnaccepted, true, 'it runs with what nobody granted: held where it is');
      const local = await view('local1');
      assert.equal(local.privilegesUnaccepted, true);
      assert.deepEqual(local.mounts, found.mounts, 'adopted as found');

      // Gone from its system, it is not deployed elsewhere, not even by an administrator, until accepted.
      await wparStore.reconcile(h1, [{ name: 'a1', state: 'Active', spec: poisoned }]);
      assert.equal((await view('local1')).state, 'Undeployed');
      await storesNothing(async () => {
        refused(await call('POST', '/wpars/local1/actions/deploy', mgr.admin, { system: 'h2' }), 409, 'CAP-E0213');
        refused(await call('POST', '/wpars/local1/actions/acceptPrivileges', mgr.user), 403, 'CAP-E0102');
      });
      const accepted = await call('POST', '/wpars/local1/actions/acceptPrivileges', mgr.admin);
      assert.equal(accepted.statusCode, 200, accepted.body);
      assert.equal(accepted.json().privilegesUnaccepted, false);
      refused(await call('POST', '/wpars/local1/actions/deploy', mgr.user, { system: 'h2' }), 403, 'CAP-E0208');
      await succeeded(mgr.m, await call('POST', '/wpars/local1/actions/deploy', mgr.admin, { system: 'h2' }));
    });
  });
}
