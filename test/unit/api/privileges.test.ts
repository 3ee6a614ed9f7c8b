// The privilege policy's rules: which fields reach the host, and what a change grants. Pure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedBy, beyondAllowance, capabilitiesLacking, describePrivilege, normalPath, NO_ALLOWANCE, pathWithin, privilegesOf, ungranted, type DomainAllowance } from '../../../src/api/privileges.js';
import { mayGrantPrivileges } from '../../../src/api/roles.js';
import { normalizeWparSpec, type WparSpec } from '../../../src/api/wpar.js';

const system = (o: Partial<WparSpec> = {}): WparSpec => normalizeWparSpec({ name: 's1', type: 'system', ...o });
const app = (o: Partial<WparSpec> = {}): WparSpec => normalizeWparSpec({ name: 'a1', type: 'application', command: ['sleep', '9'], interfaces: [{ address: '10.0.0.2', prefix: 24 }], ...o });
const bind = (source: string, readOnly = false) => ({ source, target: '/mnt', type: 'bind' as const, readOnly });
const kinds = (spec: WparSpec) => privilegesOf(spec).map((p) => `${p.kind} ${p.value}`);

describe('privilegesOf', () => {
  it('finds nothing in a plain system or application WPAR, tmpfs mounts or default capabilities', () => {
    assert.deepEqual(kinds(system()), []);
    assert.deepEqual(kinds(app({ mounts: [{ source: 'tmpfs', target: '/t', type: 'tmpfs', readOnly: false }], privileges: ['CAP_KILL', 'CAP_NET_BIND_SERVICE'] })), []);
    assert.deepEqual(kinds(system({ privileges: [] })), [], 'fewer capabilities than the default is no privilege');
  });

  it('names every host bind mount, extra capability, the host image and host networking', () => {
    const spec = app({ image: 'host', interfaces: [], mounts: [bind('/srv/../etc/', true), bind('/data')], privileges: ['CAP_KILL', 'CAP_SYS_ADMIN', 'CAP_SYS_MODULE'] });
    assert.deepEqual(kinds(spec), ['hostMount /etc', 'hostMount /data', 'capability CAP_SYS_ADMIN', 'capability CAP_SYS_MODULE', 'hostImage host', 'hostNetwork the host network']);
    assert.deepEqual(privilegesOf(spec).map(describePrivilege).slice(0, 2), ['mounts: /etc (read-only)', 'mounts: /data (read-write)']);
  });

  it('does not count a system WPAR without interfaces as host networking (it always has its own namespace)', () => {
    assert.deepEqual(kinds(system({ interfaces: [] })), []);
  });

  it('refuses a relative bind mount source at the schema, before anything classifies it', () => {
    assert.throws(() => system({ mounts: [bind('../../..')] }), { code: 'CAP-E0001' });
  });
});

describe('paths', () => {
  it('normalises and compares component by component', () => {
    assert.equal(normalPath('/srv//data/./x/../'), '/srv/data');
    assert.equal(normalPath('/../..'), '/');
    assert.ok(pathWithin('/srv/data/x', '/srv/data'));
    assert.ok(pathWithin('/srv/data', '/srv/data/'));
    assert.ok(!pathWithin('/srv/database', '/srv/data'));
    assert.ok(!pathWithin('/srv/data/../../etc', '/srv/data'));
    assert.ok(pathWithin('/anything', '/'));
  });
});

describe('ungranted', () => {
  const allowance: DomainAllowance = { mountSources: ['/srv/shared'], capabilities: ['CAP_NET_RAW'] };

  it('on a new definition: every privilege the allowance does not cover', () => {
    const spec = system({ mounts: [bind('/srv/shared/a'), bind('/srv/sharedx')], privileges: ['CAP_NET_RAW', 'CAP_SYS_ADMIN'] });
    assert.deepEqual(ungranted(undefined, spec, allowance).map((p) => p.value), ['/srv/sharedx', 'CAP_SYS_ADMIN']);
    assert.deepEqual(ungranted(undefined, spec, NO_ALLOWANCE).length, 4);
    assert.deepEqual(beyondAllowance(spec, allowance), ungranted(undefined, spec, allowance));
  });

  it('on a change: only what the change adds; keeping or narrowing an existing grant is no grant', () => {
    const before = system({ mounts: [bind('/opt/app')], privileges: ['CAP_SYS_ADMIN'] });
    assert.deepEqual(ungranted(before, { ...before, hostname: 'x' }, NO_ALLOWANCE), []);
    assert.deepEqual(ungranted(before, system({ mounts: [bind('/opt/app', true)] }), NO_ALLOWANCE), [], 'read-write to read-only narrows');
    const ro = system({ mounts: [bind('/opt/app', true)] });
    assert.deepEqual(ungranted(ro, before, NO_ALLOWANCE).map(describePrivilege), ['mounts: /opt/app (read-write)', 'privileges: CAP_SYS_ADMIN']);
    // Host image and host networking are never in a domain's allowance.
    assert.deepEqual(ungranted(app(), app({ interfaces: [], image: 'host' }), { mountSources: ['/'], capabilities: [] }).map((p) => p.kind), ['hostImage', 'hostNetwork']);
  });

  it('allows by prefix and by exact capability name', () => {
    assert.ok(allowedBy({ kind: 'hostMount', field: 'mounts', value: '/srv/shared', writable: true }, allowance));
    assert.ok(!allowedBy({ kind: 'capability', field: 'privileges', value: 'CAP_NET_RA' }, allowance));
  });
});

describe('the host and the roles', () => {
  it('lists the capabilities a host cannot give', () => {
    assert.deepEqual(capabilitiesLacking(system({ privileges: ['CAP_KILL', 'CAP_BPF'] }), ['CAP_KILL']), ['CAP_BPF']);
    assert.deepEqual(capabilitiesLacking(system(), []), [], 'the host default asks for nothing');
  });

  it('lets only WPARAdministrator grant', () => {
    assert.ok(mayGrantPrivileges(['WPARAdministrator']));
    assert.ok(!mayGrantPrivileges(['WPARUser', 'WPARMonitor', 'administrator']));
  });
});
