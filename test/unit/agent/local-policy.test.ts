// The host's local policy: what no WPAR on this host may have, whoever asks. Pure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOCAL_POLICY, policyBreaches } from '../../../src/agent/engine/local-policy.js';
import { normalizeWparSpec, type WparSpec } from '../../../src/api/wpar.js';

const ROOT = '/srv/capstan-engine';
const withMount = (source: string, o: Partial<WparSpec> = {}): WparSpec =>
  normalizeWparSpec({ name: 'w1', type: 'system', mounts: [{ source, target: '/m' }], ...o });
const breaches = (spec: WparSpec, sources?: Map<string, string>) => policyBreaches(spec, DEFAULT_LOCAL_POLICY, ROOT, sources);

describe('the default local policy', () => {
  it('refuses the host root, the engine\'s and agent\'s trees, /proc and /sys, inside or containing them', () => {
    for (const source of ['/', '/var/lib/capstan', '/var/lib/capstan/images', '/etc/capstan/agent', '/proc/1', '/sys', '/var', '/etc', `${ROOT}/wpars`, '/srv', '/srv/capstan-engine/../capstan-engine']) {
      assert.equal(breaches(withMount(source)).length, 1, source);
    }
  });

  it('lets other host paths through, and tmpfs mounts', () => {
    for (const source of ['/srv/data', '/var/lib/other', '/etc-not', '/opt/app', '/process']) assert.deepEqual(breaches(withMount(source)), [], source);
    assert.deepEqual(breaches(normalizeWparSpec({ name: 'w1', type: 'system', mounts: [{ source: 'tmpfs', target: '/t', type: 'tmpfs' }] })), []);
  });

  it('judges a source by where the host resolves it (a symbolic link into /proc)', () => {
    assert.match(breaches(withMount('/srv/data/link'), new Map([['/srv/data/link', '/proc']]))[0] ?? '', /\/srv\/data\/link \(\/proc\) reaches \/proc/);
  });

  it('refuses CAP_SYS_MODULE and the host image, not other capabilities', () => {
    assert.deepEqual(breaches(normalizeWparSpec({ name: 'w1', type: 'system', privileges: ['CAP_SYS_ADMIN'] })), []);
    assert.deepEqual(breaches(normalizeWparSpec({ name: 'w1', type: 'system', privileges: ['CAP_SYS_MODULE'] })), ['capability CAP_SYS_MODULE']);
    assert.deepEqual(breaches(normalizeWparSpec({ name: 'a1', type: 'application', command: ['true'], image: 'host' })), ['the host image']);
  });

  it('always refuses the engine root, whatever the policy says', () => {
    const open = { forbiddenMountSources: [], forbiddenCapabilities: [], allowHostImage: true };
    assert.deepEqual(policyBreaches(withMount('/'), open, ROOT).length, 1);
    assert.deepEqual(policyBreaches(withMount('/etc/capstan'), open, ROOT), []);
  });
});
