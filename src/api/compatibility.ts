// Relocation compatibility between managed systems: the tests the manager runs on their host
// profiles in the background, the results in both directions, and the seed's four states.
// One source of truth for the manager, the CLI and the console.
import { Type, type Static } from 'typebox';
import { ResourceRef } from './resources.js';

/**
 * Tests that must all pass, whatever the WPAR: the seed's critical tests on Linux. Each is
 * read "from the departure system to the arrival system".
 */
export const CRITICAL_TESTS = [
  'osType', 'osVersion', 'kernel', 'cpuVendor', 'cpuFeatures', 'capabilities', 'runc', 'criu', 'libc', 'cgroupVersion',
] as const;
/** Tests a WPAR group may add through its relocation policy. */
export const OPTIONAL_TESTS = ['ntp', 'memory', 'cpuSpeed'] as const;
export const COMPATIBILITY_TESTS = [...CRITICAL_TESTS, ...OPTIONAL_TESTS] as const;

export type CriticalTest = (typeof CRITICAL_TESTS)[number];
export type OptionalTest = (typeof OPTIONAL_TESTS)[number];
export type CompatibilityTest = (typeof COMPATIBILITY_TESTS)[number];
export const OptionalTestSchema = Type.Enum(OPTIONAL_TESTS);

/** What each test checks, for people (the CLI, the console). */
export const TEST_DESCRIPTIONS: Record<CompatibilityTest, string> = {
  osType: 'the same operating system (distribution) on both',
  osVersion: 'arrival OS version at least the departure\'s',
  kernel: 'arrival kernel release at least the departure\'s',
  cpuVendor: 'the same CPU vendor on both (restored processes keep the CPU model they started on)',
  cpuFeatures: 'arrival CPU features a superset of the departure\'s',
  capabilities: 'arrival capability bounding set a superset of the departure\'s',
  runc: 'arrival runc at least as new as the departure\'s',
  criu: 'CRIU on both, arrival at least as new as the departure\'s',
  libc: 'the same C library on both',
  cgroupVersion: 'the same cgroup version on both',
  ntp: 'NTP synchronised on both',
  memory: 'arrival physical memory at least the departure\'s',
  cpuSpeed: 'arrival CPU speed at least the departure\'s',
};

/** The seed's compatibility states, read from the departure system towards the arrival system. */
export const COMPATIBILITY_STATES = ['fully', 'outbound', 'inbound', 'incompatible'] as const;
export type CompatibilityState = (typeof COMPATIBILITY_STATES)[number];
/** A pair is 'testing' until both of its systems have been tested: no relocation is offered between them meanwhile. */
export const PAIR_STATES = [...COMPATIBILITY_STATES, 'testing'] as const;
export type PairState = (typeof PAIR_STATES)[number];
export const PairStateSchema = Type.Enum(PAIR_STATES);

export const STATE_LABELS: Record<PairState, string> = {
  fully: 'fully compatible',
  outbound: 'outbound compatible',
  inbound: 'inbound compatible',
  incompatible: 'incompatible',
  testing: 'testing not done',
};

const Value = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

/** One test in one direction: the values it compared and why it passed or failed. */
export const TestResult = Type.Object({
  test: Type.Enum(COMPATIBILITY_TESTS),
  passed: Type.Boolean(),
  departure: Value,
  arrival: Value,
  reason: Type.String(),
});
export type TestResult = Static<typeof TestResult>;

/** Every test from one system to another (stored for all tests; which ones count depends on the WPAR group). */
export const DirectionView = Type.Object({
  /** All critical tests and the applied optional ones pass. */
  passed: Type.Boolean(),
  /** The applied tests that failed. */
  failing: Type.Array(Type.Enum(COMPATIBILITY_TESTS)),
  tests: Type.Array(TestResult),
});
export type DirectionView = Static<typeof DirectionView>;

/** A system against another: `outbound` is system → other, `inbound` other → system; null while testing. */
export const PairView = Type.Object({
  other: ResourceRef,
  /** With `system` as the departure and `other` as the arrival. */
  state: PairStateSchema,
  outbound: Type.Union([DirectionView, Type.Null()]),
  inbound: Type.Union([DirectionView, Type.Null()]),
  testedAt: Type.Union([Type.String(), Type.Null()]),
});
export type PairView = Static<typeof PairView>;

/** Where a system's own testing is. */
export const TestingView = Type.Object({
  /** Testing against every other system with a profile is done. */
  done: Type.Boolean(),
  testedAt: Type.Union([Type.String(), Type.Null()]),
});
export type TestingView = Static<typeof TestingView>;

export const SystemCompatibilityView = Type.Object({
  system: ResourceRef,
  testing: TestingView,
  /** The optional tests applied on top of the critical ones. */
  optionalTests: Type.Array(OptionalTestSchema),
  pairs: Type.Array(PairView),
});
export type SystemCompatibilityView = Static<typeof SystemCompatibilityView>;

/** One unordered pair of the matrix, read from `a` (departure) towards `b` (arrival). */
export const MatrixPair = Type.Object({
  a: Type.String({ description: 'system id' }),
  b: Type.String({ description: 'system id' }),
  state: PairStateSchema,
  /** Applied tests failing from a to b, and from b to a. */
  failing: Type.Object({ aToB: Type.Array(Type.Enum(COMPATIBILITY_TESTS)), bToA: Type.Array(Type.Enum(COMPATIBILITY_TESTS)) }),
});
export type MatrixPair = Static<typeof MatrixPair>;

export const CompatibilityMatrix = Type.Object({
  optionalTests: Type.Array(OptionalTestSchema),
  systems: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), testing: TestingView })),
  pairs: Type.Array(MatrixPair),
});
export type CompatibilityMatrix = Static<typeof CompatibilityMatrix>;

export const CompatibilityQuery = Type.Object(
  { tests: Type.Optional(Type.Array(OptionalTestSchema, { maxItems: OPTIONAL_TESTS.length, description: 'optional tests to apply on top of the critical ones' })) },
  { additionalProperties: false },
);
export type CompatibilityQuery = Static<typeof CompatibilityQuery>;

/** The state of a pair seen from the other side: outbound and inbound swap. */
export function mirrorState(state: PairState): PairState {
  return state === 'outbound' ? 'inbound' : state === 'inbound' ? 'outbound' : state;
}
