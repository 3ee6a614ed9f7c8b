// Compatibility of two systems for relocation, from their host profiles: pure functions, no
// I/O. compare() runs every test (critical and optional) in one direction; the stored results
// of both directions and a WPAR group's optional tests then give the seed's state.
import { createHash } from 'node:crypto';
import type { HostProfile } from '../../api/agents.js';
import {
  COMPATIBILITY_TESTS,
  CRITICAL_TESTS,
  type CompatibilityState,
  type CompatibilityTest,
  type DirectionView,
  type OptionalTest,
  type TestResult,
} from '../../api/compatibility.js';

/** The engine refuses older CRIU (see DESIGN §3): a host without it can neither send nor take a WPAR. */
export const CRIU_MINIMUM = '4.2';
/**
 * Measured quantities (total memory, the clock /proc/cpuinfo shows) differ a little between
 * identical machines; within this fraction they count as equal, so such machines stay fully
 * compatible instead of compatible one way only.
 */
export const MEASURED_TOLERANCE = 0.01;
/** Bump when the tests change: stored results of older tests are then redone at start. */
export const TESTS_VERSION = 1;

/** A profile as stored: agents of other versions, or fixtures, may leave parts out. */
type Profile = Partial<HostProfile> | null | undefined;

/**
 * The numeric parts of a version as tools print them: "6.1.0-18-amd64" → 6.1.0.18,
 * "1.1.5+ds1" → 1.1.5, "22.04" → 22.4; null when it does not start with a number ("missing").
 */
export function versionParts(v: unknown): number[] | null {
  if (typeof v !== 'string') return null;
  const m = /^\s*v?(\d+(?:[.-]\d+)*)/.exec(v);
  return m?.[1] ? m[1].split(/[.-]/).map(Number) : null;
}

/** -1, 0 or 1, missing parts counting as 0 (4.2 = 4.2.0). */
export function compareVersionParts(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

const result = (test: CompatibilityTest, passed: boolean, departure: TestResult['departure'], arrival: TestResult['arrival'], reason: string): TestResult =>
  ({ test, passed, departure, arrival, reason });

const shown = (v: unknown): string | number | boolean | null =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;

function same(test: CompatibilityTest, what: string, dep: unknown, arr: unknown): TestResult {
  const d = shown(dep);
  const a = shown(arr);
  if (d === null || a === null) return result(test, false, d, a, `${what} not reported by ${d === null ? 'the departure' : 'the arrival'} system`);
  return d === a
    ? result(test, true, d, a, `the same ${what} on both`)
    : result(test, false, d, a, `${what} differs: ${String(d)} on the departure, ${String(a)} on the arrival`);
}

function atLeast(test: CompatibilityTest, what: string, dep: unknown, arr: unknown): TestResult {
  const d = shown(dep);
  const a = shown(arr);
  if (d !== null && d === a) return result(test, true, d, a, `the same ${what} on both`);
  const dv = versionParts(dep);
  const av = versionParts(arr);
  if (!dv || !av) return result(test, false, d, a, `${what} ${!dv ? String(d ?? 'unknown') : String(a ?? 'unknown')} on the ${!dv ? 'departure' : 'arrival'} is not a version that compares`);
  return compareVersionParts(av, dv) >= 0
    ? result(test, true, d, a, `arrival ${what} ${String(a)} is at least the departure's ${String(d)}`)
    : result(test, false, d, a, `arrival ${what} ${String(a)} is older than the departure's ${String(d)}`);
}

function superset(test: CompatibilityTest, what: string, dep: unknown, arr: unknown): TestResult {
  if (!Array.isArray(dep) || !Array.isArray(arr)) return result(test, false, null, null, `${what} not reported by ${!Array.isArray(dep) ? 'the departure' : 'the arrival'} system`);
  const have = new Set<unknown>(arr);
  const missing = dep.filter((f) => !have.has(f)).map(String);
  const values = [`${dep.length} ${what}`, `${arr.length} ${what}`] as const;
  if (missing.length === 0) return result(test, true, ...values, `the arrival has all ${dep.length} ${what} of the departure`);
  const list = missing.slice(0, 8).join(', ') + (missing.length > 8 ? `, … (${missing.length} in all)` : '');
  return result(test, false, ...values, `the arrival lacks ${what} of the departure: ${list}`);
}

function notLess(test: CompatibilityTest, what: string, dep: unknown, arr: unknown, format: (n: number) => string): TestResult {
  if (typeof dep !== 'number' || typeof arr !== 'number') return result(test, false, shown(dep), shown(arr), `${what} not reported by ${typeof dep !== 'number' ? 'the departure' : 'the arrival'} system`);
  return arr >= dep * (1 - MEASURED_TOLERANCE)
    ? result(test, true, dep, arr, `arrival ${what} ${format(arr)} is at least the departure's ${format(dep)}`)
    : result(test, false, dep, arr, `arrival ${what} ${format(arr)} is less than the departure's ${format(dep)}`);
}

function criu(dep: unknown, arr: unknown): TestResult {
  const min = versionParts(CRIU_MINIMUM) ?? [];
  for (const [side, v] of [['departure', dep], ['arrival', arr]] as const) {
    const parts = versionParts(v);
    if (!parts || compareVersionParts(parts, min) < 0) {
      return result('criu', false, shown(dep), shown(arr), `the ${side} system has no usable CRIU (${String(shown(v) ?? 'not reported')}; ${CRIU_MINIMUM} or newer is needed)`);
    }
  }
  return atLeast('criu', 'CRIU', dep, arr);
}

function ntp(dep: unknown, arr: unknown): TestResult {
  const d = typeof dep === 'boolean' ? dep : null;
  const a = typeof arr === 'boolean' ? arr : null;
  if (d === true && a === true) return result('ntp', true, d, a, 'NTP synchronised on both');
  const off = [d !== true && `the departure ${d === null ? 'cannot tell' : 'is not synchronised'}`, a !== true && `the arrival ${a === null ? 'cannot tell' : 'is not synchronised'}`].filter(Boolean);
  return result('ntp', false, d, a, `NTP: ${off.join(', ')}`);
}

const gib = (n: number): string => `${(n / 2 ** 30).toFixed(1)} GiB`;
const mhz = (n: number): string => `${Math.round(n)} MHz`;

/** Every test, critical and optional, from the departure system to the arrival system, in COMPATIBILITY_TESTS order. */
export function compare(departure: Profile, arrival: Profile): TestResult[] {
  const d = departure ?? {};
  const a = arrival ?? {};
  const sameOs = d.os?.id !== undefined && d.os.id === a.os?.id;
  const byTest: Record<CompatibilityTest, () => TestResult> = {
    osType: () => same('osType', 'operating system', d.os?.id, a.os?.id),
    osVersion: () => (sameOs
      ? atLeast('osVersion', 'OS version', d.os?.version, a.os?.version)
      : result('osVersion', false, shown(d.os?.version), shown(a.os?.version), 'the versions of different operating systems do not compare')),
    kernel: () => atLeast('kernel', 'kernel', d.kernel, a.kernel),
    cpuVendor: () => same('cpuVendor', 'CPU vendor', d.cpu?.vendor, a.cpu?.vendor),
    cpuFeatures: () => superset('cpuFeatures', 'CPU flags', d.cpu?.flags, a.cpu?.flags),
    capabilities: () => superset('capabilities', 'capabilities', d.privileges?.available, a.privileges?.available),
    runc: () => atLeast('runc', 'runc', d.runc, a.runc),
    criu: () => criu(d.criu, a.criu),
    libc: () => same('libc', 'C library', d.libc, a.libc),
    cgroupVersion: () => same('cgroupVersion', 'cgroup version', d.cgroupVersion, a.cgroupVersion),
    ntp: () => ntp(d.ntpSynchronized, a.ntpSynchronized),
    memory: () => notLess('memory', 'memory', d.memoryBytes, a.memoryBytes, gib),
    cpuSpeed: () => notLess('cpuSpeed', 'CPU speed', d.cpu?.mhz, a.cpu?.mhz, mhz),
  };
  return COMPATIBILITY_TESTS.map((t) => byTest[t]());
}

/** The tests that count for a WPAR group: every critical one and the group's optional ones. */
export function appliedTests(optional: readonly OptionalTest[]): CompatibilityTest[] {
  return [...CRITICAL_TESTS, ...optional];
}

/** The applied tests that did not pass; a test missing from the results (never run) counts as failed. */
export function failingTests(results: readonly TestResult[], optional: readonly OptionalTest[]): CompatibilityTest[] {
  const byTest = new Map(results.map((r) => [r.test, r]));
  return appliedTests(optional).filter((t) => byTest.get(t)?.passed !== true);
}

export function direction(results: readonly TestResult[], optional: readonly OptionalTest[]): DirectionView {
  const failing = failingTests(results, optional);
  return { passed: failing.length === 0, failing, tests: [...results] };
}

/** The seed's state of a pair, with `aToB` the tests from the departure system to the arrival system. */
export function compatibilityState(aToB: readonly TestResult[], bToA: readonly TestResult[], optional: readonly OptionalTest[]): CompatibilityState {
  const out = failingTests(aToB, optional).length === 0;
  const back = failingTests(bToA, optional).length === 0;
  if (out && back) return 'fully';
  if (out) return 'outbound';
  if (back) return 'inbound';
  return 'incompatible';
}

/** What testing depends on: the profile without the time it was read, and the tests' version. */
export function profileDigest(profile: unknown): string {
  const { collectedAt: _collectedAt, ...rest } = (profile ?? {}) as Record<string, unknown>;
  return createHash('sha256').update(`${TESTS_VERSION}\n`).update(JSON.stringify(rest)).digest('hex');
}
