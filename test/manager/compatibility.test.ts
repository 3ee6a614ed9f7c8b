// Compatibility of two host profiles, without I/O: every critical and optional test passing
// and failing, read from the departure system to the arrival system, and the seed's four
// states from the results of both directions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPATIBILITY_TESTS, CRITICAL_TESTS, mirrorState, type CompatibilityTest, type OptionalTest } from '../../src/api/compatibility.js';
import { compare, compatibilityState, direction, failingTests, profileDigest, versionParts } from '../../src/manager/mobility/compatibility.js';
import { hostProfile, type ProfileChanges } from './mobility-fixtures.js';

const GIB = 2 ** 30;

/** The one test's result from a host with `dep` changes to one with `arr` changes. */
function run(test: CompatibilityTest, dep: ProfileChanges, arr: ProfileChanges) {
  const r = compare(hostProfile(dep), hostProfile(arr)).find((t) => t.test === test);
  assert.ok(r, `no result for ${test}`);
  return r;
}
const passes = (test: CompatibilityTest, dep: ProfileChanges, arr: ProfileChanges): void => {
  const r = run(test, dep, arr);
  assert.equal(r.passed, true, `${test} should pass: ${r.reason}`);
};
const fails = (test: CompatibilityTest, dep: ProfileChanges, arr: ProfileChanges, reason: RegExp): void => {
  const r = run(test, dep, arr);
  assert.equal(r.passed, false, `${test} should fail: ${r.reason}`);
  assert.match(r.reason, reason);
};

describe('compatibility tests (departure → arrival)', () => {
  it('runs every test, critical and optional, and identical hosts pass them all', () => {
    const results = compare(hostProfile(), hostProfile());
    assert.deepEqual(results.map((r) => r.test), [...COMPATIBILITY_TESTS]);
    assert.deepEqual(results.filter((r) => !r.passed), []);
  });

  it('osType: the same distribution', () => {
    passes('osType', {}, {});
    fails('osType', {}, { os: { id: 'ubuntu' } }, /operating system differs: debian on the departure, ubuntu on the arrival/);
  });

  it('osVersion: the arrival at least the departure, and only within one distribution', () => {
    passes('osVersion', { os: { version: '12' } }, { os: { version: '13' } });
    fails('osVersion', { os: { version: '13' } }, { os: { version: '12' } }, /older/);
    passes('osVersion', { os: { id: 'ubuntu', version: '22.04' } }, { os: { id: 'ubuntu', version: '22.10' } });
    fails('osVersion', { os: { id: 'ubuntu', version: '22.10' } }, { os: { id: 'ubuntu', version: '22.04' } }, /older/);
    fails('osVersion', {}, { os: { id: 'ubuntu', version: '24.04' } }, /different operating systems/);
    // Debian sid has no version number: only the very same one compares.
    passes('osVersion', { os: { version: 'unknown' } }, { os: { version: 'unknown' } });
    fails('osVersion', { os: { version: 'unknown' } }, { os: { version: '13' } }, /not a version/);
  });

  it('kernel: the arrival release at least the departure, ABI number included', () => {
    passes('kernel', { kernel: '6.1.0-18-amd64' }, { kernel: '6.1.0-21-amd64' });
    passes('kernel', { kernel: '6.1.0-18-amd64' }, { kernel: '6.12.48+deb13-amd64' });
    fails('kernel', { kernel: '6.1.0-21-amd64' }, { kernel: '6.1.0-18-amd64' }, /arrival kernel 6\.1\.0-18-amd64 is older than the departure's 6\.1\.0-21-amd64/);
    fails('kernel', { kernel: '6.18.0' }, { kernel: '6.2.0' }, /older/);
  });

  it('cpuVendor: the same on both', () => {
    passes('cpuVendor', {}, { cpu: { model: 'Xeon Gold' } });
    fails('cpuVendor', {}, { cpu: { vendor: 'AuthenticAMD' } }, /CPU vendor differs/);
  });

  it('cpuFeatures: the arrival a superset, naming what it lacks', () => {
    passes('cpuFeatures', { cpu: { flags: ['aes', 'sse4_2'] } }, { cpu: { flags: ['aes', 'avx512f', 'sse4_2'] } });
    fails('cpuFeatures', { cpu: { flags: ['aes', 'avx512f', 'sse4_2'] } }, { cpu: { flags: ['aes', 'sse4_2'] } }, /lacks CPU flags of the departure: avx512f$/);
  });

  it('capabilities: the arrival bounding set a superset', () => {
    const caps = (available: string[]) => ({ privileges: { available, default: [] } });
    passes('capabilities', caps(['CAP_KILL']), caps(['CAP_KILL', 'CAP_SYS_ADMIN']));
    fails('capabilities', caps(['CAP_KILL', 'CAP_SYS_ADMIN']), caps(['CAP_KILL']), /CAP_SYS_ADMIN/);
  });

  it('runc: the arrival at least as new', () => {
    passes('runc', { runc: '1.1.5' }, { runc: '1.1.12+ds1' });
    fails('runc', { runc: '1.2.0' }, { runc: '1.1.5' }, /older/);
    fails('runc', { runc: '1.1.5' }, { runc: 'missing' }, /not a version/);
  });

  it('criu: on both, 4.2 or newer, the arrival at least as new', () => {
    passes('criu', { criu: '4.2' }, { criu: '4.2.1' });
    fails('criu', { criu: '4.3' }, { criu: '4.2.1' }, /older/);
    fails('criu', { criu: 'missing' }, { criu: '4.2.1' }, /departure system has no usable CRIU/);
    fails('criu', { criu: '4.2.1' }, { criu: '4.1.1' }, /arrival system has no usable CRIU \(4\.1\.1; 4\.2 or newer/);
  });

  it('libc: the same on both', () => {
    passes('libc', {}, {});
    fails('libc', {}, { libc: 'glibc 2.41' }, /C library differs/);
  });

  it('cgroupVersion: the same on both', () => {
    passes('cgroupVersion', { cgroupVersion: 1 }, { cgroupVersion: 1 });
    fails('cgroupVersion', { cgroupVersion: 1 }, { cgroupVersion: 2 }, /cgroup version differs/);
  });

  it('ntp (optional): synchronised on both; a host that cannot tell fails it', () => {
    passes('ntp', {}, {});
    fails('ntp', { ntpSynchronized: false }, {}, /departure is not synchronised/);
    fails('ntp', {}, { ntpSynchronized: null }, /arrival cannot tell/);
  });

  it('memory (optional): the arrival at least as much, a few pages either way counting as equal', () => {
    passes('memory', { memoryBytes: 32 * GIB }, { memoryBytes: 64 * GIB });
    passes('memory', { memoryBytes: 32 * GIB }, { memoryBytes: 32 * GIB - 400 * 4096 });
    fails('memory', { memoryBytes: 64 * GIB }, { memoryBytes: 32 * GIB }, /arrival memory 32\.0 GiB is less than the departure's 64\.0 GiB/);
  });

  it('cpuSpeed (optional): the arrival at least as fast', () => {
    passes('cpuSpeed', { cpu: { mhz: 2400 } }, { cpu: { mhz: 3000 } });
    passes('cpuSpeed', { cpu: { mhz: 2400 } }, { cpu: { mhz: 2399.5 } });
    fails('cpuSpeed', { cpu: { mhz: 3000 } }, { cpu: { mhz: 2400 } }, /less than/);
  });

  it('fails what a partial profile does not report instead of throwing', () => {
    const results = compare({ cpu: { cores: 4 }, memoryBytes: GIB } as never, hostProfile());
    assert.equal(results.length, COMPATIBILITY_TESTS.length);
    assert.deepEqual(results.filter((r) => r.passed).map((r) => r.test), ['memory']);
    assert.match(results.find((r) => r.test === 'osType')?.reason ?? '', /not reported by the departure/);
    assert.equal(compare(null, null).every((r) => !r.passed), true);
  });

  it('reads versions as tools print them', () => {
    assert.deepEqual(versionParts('6.1.0-18-amd64'), [6, 1, 0, 18]);
    assert.deepEqual(versionParts('1.1.5+ds1'), [1, 1, 5]);
    assert.deepEqual(versionParts('v1.2.0-rc.1'), [1, 2, 0]);
    assert.equal(versionParts('missing'), null);
    assert.equal(versionParts(undefined), null);
  });
});

describe('compatibility states', () => {
  const old = hostProfile({ kernel: '6.1.0' });
  const newer = hostProfile({ kernel: '6.12.0' });
  const amd = hostProfile({ cpu: { vendor: 'AuthenticAMD' } });
  const small = hostProfile({ kernel: '6.1.0', memoryBytes: 16 * GIB });

  it('fully: every applied test passes both ways', () => {
    assert.equal(compatibilityState(compare(old, old), compare(old, old), []), 'fully');
  });

  it('outbound: only from the departure to the arrival (to a newer kernel, not back)', () => {
    assert.equal(compatibilityState(compare(old, newer), compare(newer, old), []), 'outbound');
  });

  it('inbound: only from the arrival back to the departure', () => {
    assert.equal(compatibilityState(compare(newer, old), compare(old, newer), []), 'inbound');
  });

  it('incompatible: neither way', () => {
    assert.equal(compatibilityState(compare(old, amd), compare(amd, old), []), 'incompatible');
  });

  it('applies optional tests only when the group chose them', () => {
    const there = compare(old, small);
    const back = compare(small, old);
    assert.equal(compatibilityState(there, back, []), 'fully');
    const memory: OptionalTest[] = ['memory'];
    assert.equal(compatibilityState(there, back, memory), 'inbound');
    assert.deepEqual(failingTests(there, memory), ['memory']);
    assert.deepEqual(direction(there, memory), { passed: false, failing: ['memory'], tests: there });
    assert.deepEqual(direction(there, []).failing, []);
  });

  it('counts a test missing from stored results (an older manager) as failed', () => {
    const withoutCriu = compare(old, old).filter((r) => r.test !== 'criu');
    assert.deepEqual(failingTests(withoutCriu, []), ['criu']);
    assert.equal(compatibilityState(withoutCriu, compare(old, old), []), 'inbound');
  });

  it('mirrors: what is outbound from one side is inbound from the other', () => {
    assert.equal(mirrorState('outbound'), 'inbound');
    assert.equal(mirrorState('inbound'), 'outbound');
    assert.equal(mirrorState('fully'), 'fully');
    assert.equal(mirrorState('testing'), 'testing');
  });

  it('has the critical tests first, optional ones after', () => {
    assert.deepEqual(COMPATIBILITY_TESTS.slice(0, CRITICAL_TESTS.length), [...CRITICAL_TESTS]);
  });
});

describe('profile digest', () => {
  it('ignores when the profile was read, and nothing else', () => {
    assert.equal(profileDigest(hostProfile()), profileDigest(hostProfile({ collectedAt: '2031-05-05T00:00:00Z' })));
    assert.notEqual(profileDigest(hostProfile()), profileDigest(hostProfile({ kernel: '6.1.0-19-amd64' })));
  });
});
