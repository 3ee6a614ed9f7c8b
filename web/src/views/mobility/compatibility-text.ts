// How the console words relocation compatibility: the tests' short names, and what each state
// of a pair means for a WPAR going from one system to the other (said in the confirmation of
// a relocation and beside the compatibility table).
import { CRITICAL_TESTS, type CompatibilityTest, type OptionalTest, type PairState } from '../../../../src/api/compatibility.js';

export const TEST_LABELS: Record<CompatibilityTest, string> = {
  osType: 'Operating system',
  osVersion: 'OS version',
  kernel: 'Kernel',
  cpuVendor: 'CPU vendor',
  cpuFeatures: 'CPU features',
  capabilities: 'Capabilities',
  runc: 'runc',
  criu: 'CRIU',
  libc: 'C library',
  cgroupVersion: 'cgroup version',
  ntp: 'NTP',
  memory: 'Memory',
  cpuSpeed: 'CPU speed',
};

/** "Kernel, Memory", or "none". */
export function testList(tests: readonly CompatibilityTest[]): string {
  return tests.length === 0 ? 'none' : tests.map((t) => TEST_LABELS[t]).join(', ');
}

/** Whether a test counts for a pair's state with these optional tests applied. */
export function testRole(test: CompatibilityTest, applied: readonly OptionalTest[]): string {
  if ((CRITICAL_TESTS as readonly string[]).includes(test)) return 'critical';
  return (applied as readonly string[]).includes(test) ? 'optional, applied' : 'optional, not applied';
}

/** What the state of `from` → `to` means for a WPAR relocated that way. */
export function stateMeaning(state: PairState, from: string, to: string): string {
  switch (state) {
    case 'fully': return `The tests pass both ways: a WPAR can go from ${from} to ${to} and come back.`;
    case 'outbound': return `A WPAR can go from ${from} to ${to} but not come back: the tests from ${to} to ${from} fail.`;
    case 'inbound': return `Only the reverse is safe (from ${to} to ${from}): the tests from ${from} to ${to} fail, so relocating there will probably fail.`;
    case 'incompatible': return `The tests fail both ways: relocating from ${from} to ${to} will probably fail.`;
    case 'testing': return `Compatibility testing of ${from} and ${to} is not done: no relocation is offered between them yet.`;
  }
}
