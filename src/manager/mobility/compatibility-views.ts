// The read side of compatibility: a system against every other, the whole matrix, and the
// states from one departure system, with a WPAR group's optional tests applied on top of the
// critical ones. Pairs stay 'testing' until both of their systems are tested.
import type { Kysely } from 'kysely';
import type { CompatibilityMatrix, MatrixPair, OptionalTest, PairState, PairView, SystemCompatibilityView, TestResult } from '../../api/compatibility.js';
import type { Database } from '../db/schema.js';
import type { SystemService } from '../inventory/systems.js';
import { compatibilityState, direction, failingTests } from './compatibility.js';
import { pairKey, type CompatibilityService } from './compatibility-service.js';

interface SystemFacts {
  id: string;
  name: string;
  testedAt: string | null;
}

type Results = Map<string, { results: TestResult[]; testedAt: string }>;

/** Both directions of a pair, or null while either system is untested or a direction is missing. */
function tested(a: SystemFacts, b: SystemFacts, results: Results) {
  const aToB = results.get(pairKey(a.id, b.id));
  const bToA = results.get(pairKey(b.id, a.id));
  return a.testedAt && b.testedAt && aToB && bToA ? { aToB, bToA } : null;
}

export function pairView(a: SystemFacts, b: SystemFacts, results: Results, optional: readonly OptionalTest[]): PairView {
  const t = tested(a, b, results);
  if (!t) return { other: { id: b.id, name: b.name }, state: 'testing', outbound: null, inbound: null, testedAt: null };
  return {
    other: { id: b.id, name: b.name },
    state: compatibilityState(t.aToB.results, t.bToA.results, optional),
    outbound: direction(t.aToB.results, optional),
    inbound: direction(t.bToA.results, optional),
    testedAt: t.aToB.testedAt > t.bToA.testedAt ? t.aToB.testedAt : t.bToA.testedAt,
  };
}

export function matrixPair(a: SystemFacts, b: SystemFacts, results: Results, optional: readonly OptionalTest[]): MatrixPair {
  const t = tested(a, b, results);
  if (!t) return { a: a.id, b: b.id, state: 'testing', failing: { aToB: [], bToA: [] } };
  return {
    a: a.id,
    b: b.id,
    state: compatibilityState(t.aToB.results, t.bToA.results, optional),
    failing: { aToB: failingTests(t.aToB.results, optional), bToA: failingTests(t.bToA.results, optional) },
  };
}

export class CompatibilityViews {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly testing: CompatibilityService,
    private readonly systems: SystemService,
  ) {}

  async forSystem(ref: string, optional: readonly OptionalTest[] = []): Promise<SystemCompatibilityView> {
    const { id } = await this.systems.named.require(ref);
    const all = await this.facts();
    // Removed between the two reads: as if it had never been found.
    const me = this.systems.named.found(all.find((s) => s.id === id), ref);
    const results = await this.testing.results([id]);
    return {
      system: { id: me.id, name: me.name },
      testing: { done: me.testedAt !== null, testedAt: me.testedAt },
      optionalTests: [...optional],
      pairs: all.filter((s) => s.id !== id).map((other) => pairView(me, other, results, optional)),
    };
  }

  async matrix(optional: readonly OptionalTest[] = []): Promise<CompatibilityMatrix> {
    const all = await this.facts();
    const results = await this.testing.results();
    const pairs: MatrixPair[] = [];
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) pairs.push(matrixPair(all[i]!, all[j]!, results, optional));
    }
    return {
      optionalTests: [...optional],
      systems: all.map((s) => ({ id: s.id, name: s.name, testing: { done: s.testedAt !== null, testedAt: s.testedAt } })),
      pairs,
    };
  }

  /** The state from `departureId` to every other system, for a group's optional tests. */
  async statesFrom(departureId: string, optional: readonly OptionalTest[]): Promise<Map<string, PairState>> {
    const all = await this.facts();
    const me = all.find((s) => s.id === departureId);
    const results = await this.testing.results([departureId]);
    return new Map(all.filter((s) => s.id !== departureId).map((s) => [s.id, me ? pairView(me, s, results, optional).state : 'testing']));
  }

  /** Every system by name, with where its testing is (null while testing, or before it reports). */
  private async facts(): Promise<SystemFacts[]> {
    const [rows, states] = await Promise.all([
      this.db.selectFrom('systems').select(['id', 'name']).orderBy('name').execute(),
      this.testing.states(),
    ]);
    return rows.map((r) => ({ id: r.id, name: r.name, testedAt: states.get(r.id)?.testedAt ?? null }));
  }
}
