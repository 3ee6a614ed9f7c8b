// The seccomp profile as data: deny by default, what the default capabilities allow, and
// what a granted capability adds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedSyscalls, seccompProfile } from '../../src/agent/engine/seccomp/profile.js';
import { BASE_SYSCALLS, CAPABILITY_SYSCALLS, NEVER_SYSCALLS } from '../../src/agent/engine/seccomp/syscalls.js';

const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

describe('WPAR seccomp profile', () => {
  it('refuses by default and allows what ordinary programs need', () => {
    const p = seccompProfile(DEFAULT_CAPS);
    assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
    assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64']);
    const allowed = allowedSyscalls(DEFAULT_CAPS);
    for (const name of ['read', 'execve', 'fork', 'socket', 'epoll_wait', 'rt_sigreturn', 'futex', 'rseq']) assert.ok(allowed.includes(name), name);
    assert.equal(new Set(BASE_SYSCALLS).size, BASE_SYSCALLS.length, 'each call listed once');
  });

  it('allows no privileged call without its capability, and never the host-wide ones', () => {
    const allowed = allowedSyscalls(DEFAULT_CAPS);
    for (const name of [...Object.values(CAPABILITY_SYSCALLS).flat(), ...NEVER_SYSCALLS]) assert.ok(!allowed.includes(name), name);
    const everything = allowedSyscalls(Object.keys(CAPABILITY_SYSCALLS));
    for (const name of NEVER_SYSCALLS) assert.ok(!everything.includes(name), `${name} even with every capability`);
  });

  it('widens by the capabilities granted', () => {
    const admin = allowedSyscalls([...DEFAULT_CAPS, 'CAP_SYS_ADMIN']);
    for (const name of ['mount', 'umount2', 'unshare', 'clone', 'setns']) assert.ok(admin.includes(name), name);
    assert.ok(allowedSyscalls(['CAP_SYS_MODULE']).includes('finit_module'));
    assert.ok(allowedSyscalls(['CAP_SYS_TIME']).includes('clock_settime'));
    assert.ok(allowedSyscalls(['CAP_SYS_PTRACE']).includes('ptrace'));
  });

  it('lets clone and unshare make no user namespace without CAP_SYS_ADMIN; clone3 answers ENOSYS', () => {
    const rules = seccompProfile(DEFAULT_CAPS).syscalls;
    const filtered = rules.find((r) => r.names.includes('clone'));
    assert.deepEqual(filtered?.names, ['clone', 'unshare']);
    assert.deepEqual(filtered?.args, [{ index: 0, value: 0x10000000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
    assert.equal(rules.find((r) => r.names.includes('clone3'))?.errnoRet, 38);
    const admin = seccompProfile([...DEFAULT_CAPS, 'CAP_SYS_ADMIN']).syscalls;
    assert.ok(admin.every((r) => !r.names.includes('clone') || !r.args), 'with CAP_SYS_ADMIN: unfiltered');
  });
});
