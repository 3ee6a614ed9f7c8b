// A WPAR's seccomp profile, as OCI's linux.seccomp: refuse (EPERM) every system call but
// the allow-list of syscalls.ts, widened by the capabilities the WPAR was granted.
import { BASE_SYSCALLS, CAPABILITY_SYSCALLS } from './syscalls.js';

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_EQ' | 'SCMP_CMP_MASKED_EQ';
}

export interface SeccompRule {
  names: string[];
  action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface SeccompProfile {
  defaultAction: 'SCMP_ACT_ERRNO';
  architectures: string[];
  syscalls: SeccompRule[];
}

const CLONE_NEWUSER = 0x10000000;
const ENOSYS = 38;
/**
 * The execution domains a program may ask personality() for: Linux, its 32-bit variant, the
 * 2.6-style uname, both; 0xffffffff only reads the current one. Not ADDR_NO_RANDOMIZE.
 */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** The allowed calls of a WPAR holding `capabilities` (CAP_… names), sorted and once each. */
export function allowedSyscalls(capabilities: readonly string[]): string[] {
  const names = new Set(BASE_SYSCALLS);
  for (const cap of capabilities) for (const name of CAPABILITY_SYSCALLS[cap] ?? []) names.add(name);
  return [...names].sort();
}

export function seccompProfile(capabilities: readonly string[]): SeccompProfile {
  const allowed = allowedSyscalls(capabilities);
  const syscalls: SeccompRule[] = [{ names: allowed, action: 'SCMP_ACT_ALLOW' }];
  if (!allowed.includes('clone')) {
    // A new user namespace needs no privilege, and in it the WPAR's root gets every
    // capability back: clone and unshare only without CLONE_NEWUSER (x86_64: flags are arg 0).
    const noNewUser: SeccompArg = { index: 0, value: CLONE_NEWUSER, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' };
    syscalls.push({ names: ['clone', 'unshare'], action: 'SCMP_ACT_ALLOW', args: [noNewUser] });
  }
  if (!allowed.includes('clone3')) syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  for (const value of PERSONALITIES) {
    syscalls.push({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] });
  }
  // Only x86_64: a 32-bit program (another system call table) is refused as a whole.
  return { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls };
}
