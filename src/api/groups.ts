// WPAR groups and the relocation policy each one carries. Every WPAR belongs to exactly one
// group; new WPARs join the default group. The policy is stored and checked here; the
// policy engine that acts on it reads the same schema.
import { Type, type Static } from 'typebox';
import { OPTIONAL_TESTS, OptionalTestSchema } from './compatibility.js';
import { Description, PageQuery, Ref, ResourceName } from './resources.js';

/**
 * The metrics a policy can weigh, and their kind. A utilization metric is a fraction of a
 * resource (its limit is always 1); a rate metric has no natural ceiling, so the policy
 * gives the value that counts as 100% (its limit).
 */
export const POLICY_METRICS = {
  cpu: 'utilization',
  memory: 'utilization',
  processes: 'rate',
  diskThroughput: 'rate',
  networkThroughput: 'rate',
} as const;
export type PolicyMetricName = keyof typeof POLICY_METRICS;

const Percent = (description: string, dflt?: number) =>
  Type.Number({ minimum: 0, maximum: 100, description, ...(dflt === undefined ? {} : { default: dflt }) });

export const PolicyMetric = Type.Object(
  {
    metric: Type.Enum(Object.keys(POLICY_METRICS) as PolicyMetricName[]),
    weight: Type.Number({ minimum: 0, maximum: 1_000_000, default: 1, description: 'strength of this metric relative to the others' }),
    limit: Type.Number({ exclusiveMinimum: 0, maximum: 1e15, default: 1, description: 'the measured value that counts as 100%; always 1 for utilization metrics' }),
    max: Type.Optional(Percent('above this, the metric overrides the weighted group state (percent of the limit)')),
    min: Type.Optional(Percent('below this, the metric overrides the weighted group state (percent of the limit)')),
  },
  { additionalProperties: false },
);
export type PolicyMetric = Static<typeof PolicyMetric>;

const RuleSets = (description: string) =>
  Type.Array(Type.Array(Ref, { minItems: 2, maxItems: 100 }), { default: [], maxItems: 100, description });

export const RelocationPolicy = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'policy-based relocation of the group\'s WPARs' }),
    metrics: Type.Array(PolicyMetric, {
      maxItems: 32,
      default: [{ metric: 'cpu', weight: 1, limit: 1 }, { metric: 'memory', weight: 1, limit: 1 }],
    }),
    maxThreshold: Percent('a WPAR or the group above this is "hot"', 80),
    minThreshold: Percent('a WPAR or the group below this is "cold"', 20),
    averagingPeriodMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 10, description: 'window over which metrics are averaged' }),
    triggerCount: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'consecutive hot or cold readings of a WPAR before the group is analysed' }),
    // Mobility: where the group's WPARs may go, and how.
    domain: Type.Optional(Type.String({ ...Ref, description: 'relocation domain the WPARs relocate within (id or name; stored as the id); default: the domain of the system a WPAR is on' })),
    systemProfiles: Type.Optional(Type.Array(Type.String({ pattern: '^sp-[0-9a-f]{12}$', maxLength: 15 }), { maxItems: 100, description: 'automatic selection considers only systems of these system profiles, preferring earlier ones on equal use' })),
    compatibilityTests: Type.Array(OptionalTestSchema, { default: [], maxItems: OPTIONAL_TESTS.length, description: 'optional compatibility tests applied on top of the critical ones' }),
    postCopy: Type.Boolean({ default: true, description: 'live relocation may use post-copy (lazy pages) where both systems support it' }),
    restartOnHostFailure: Type.Boolean({ default: false, description: 'a WPAR lost with its system is restarted from scratch on a healthy one' }),
    // Balancing: what the policy engine does with a mobility event, and the rules it keeps.
    automation: Type.Enum(['recommend', 'automatic'], { default: 'recommend', description: 'with the policy enabled: recommend (mobility events become recommendations a WPARAdministrator applies or dismisses) or automatic (the balancer relocates)' }),
    pinned: Type.Array(Ref, { default: [], maxItems: 1000, description: 'WPARs the balancer never moves (id or name; stored as the id)' }),
    affinity: RuleSets('sets of WPARs kept on one system (id or name; stored as the id)'),
    antiAffinity: RuleSets('sets of WPARs never two on one system (id or name; stored as the id)'),
  },
  { additionalProperties: false },
);
export type RelocationPolicy = Static<typeof RelocationPolicy>;

/** Rules the schema cannot express; an empty list when the policy is sound. */
export function policyProblems(policy: RelocationPolicy): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of policy.metrics) {
    if (seen.has(m.metric)) problems.push(`metric ${m.metric} is listed twice`);
    seen.add(m.metric);
    if (POLICY_METRICS[m.metric] === 'utilization' && m.limit !== 1) problems.push(`${m.metric} is a utilization metric: its limit must be 1`);
    if (m.min !== undefined && m.max !== undefined && m.min > m.max) problems.push(`${m.metric}: min is above max`);
  }
  if (policy.minThreshold >= policy.maxThreshold) problems.push('minThreshold must be below maxThreshold');
  for (const [name, list] of [['compatibilityTests', policy.compatibilityTests], ['systemProfiles', policy.systemProfiles]] as const) {
    if (list && new Set<string>(list).size !== list.length) problems.push(`${name} lists an entry twice`);
  }
  for (const [name, sets] of [['affinity', policy.affinity], ['antiAffinity', policy.antiAffinity]] as const) {
    for (const set of sets) if (new Set(set).size !== set.length) problems.push(`${name} lists a WPAR twice in one set`);
  }
  for (const a of policy.affinity) {
    for (const b of policy.antiAffinity) {
      if (b.filter((w) => a.includes(w)).length >= 2) problems.push('two WPARs are kept both together (affinity) and apart (antiAffinity)');
    }
  }
  // The seed: with every weight at zero the performance state is always zero.
  if (policy.enabled && !policy.metrics.some((m) => m.weight > 0)) problems.push('policy-based relocation needs a metric with a weight above zero');
  return problems;
}

export const GroupView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  policy: RelocationPolicy,
  /** The default group exists always and cannot be removed. */
  isDefault: Type.Boolean(),
  wparCount: Type.Integer({ minimum: 0 }),
  createdAt: Type.String(),
});
export type GroupView = Static<typeof GroupView>;

export const CreateGroupRequest = Type.Object(
  { name: ResourceName, description: Type.Optional(Description), policy: Type.Optional(RelocationPolicy) },
  { additionalProperties: false },
);
export type CreateGroupRequest = Static<typeof CreateGroupRequest>;

export const ModifyGroupRequest = Type.Object(
  {
    name: Type.Optional(ResourceName),
    description: Type.Optional(Description),
    policy: Type.Optional(Type.Object(RelocationPolicy.properties, { additionalProperties: false, description: 'replaces the whole policy; settings left out take their defaults' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ModifyGroupRequest = Static<typeof ModifyGroupRequest>;

export const GroupListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type GroupListQuery = Static<typeof GroupListQuery>;
