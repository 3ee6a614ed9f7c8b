// The balancer's views: each group's performance state and triggers, the mobility events it
// made (automatic moves and recommendations) and a dry run of what it would do now. The
// numbers are percents, as the policy's thresholds are.
import { Type, type Static } from 'typebox';
import type { RelocationPolicy } from './groups.js';
import { PageQuery, Ref, ResourceRef } from './resources.js';

export const BALANCE_MODES = ['off', 'recommend', 'automatic'] as const;
export type BalanceMode = (typeof BALANCE_MODES)[number];

/** A group's mode, in the manner of DRS's automation levels: off unless its policy is enabled. */
export function balanceMode(policy: Pick<RelocationPolicy, 'enabled' | 'automation'>): BalanceMode {
  return policy.enabled ? policy.automation : 'off';
}

const Heat = Type.Enum(['hot', 'cold']);
const Percent = Type.Number();

export const EVENT_STATUSES = ['open', 'applied', 'dismissed', 'started'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** What the policy engine proposes or did: one WPAR's move, with why and the numbers. */
export const MobilityProposal = Type.Object({
  heat: Heat,
  wpar: ResourceRef,
  from: Type.Union([ResourceRef, Type.Null()]),
  to: ResourceRef,
  /** The group's state now and as predicted after the move. */
  before: Percent,
  after: Percent,
  /** Percent points closer to the band, and what the move costs in the same points. */
  gain: Type.Number(),
  cost: Type.Number(),
  reason: Type.String(),
});
export type MobilityProposal = Static<typeof MobilityProposal>;

export const BalanceEventView = Type.Object({
  id: Type.String(),
  group: ResourceRef,
  at: Type.String(),
  /** The group's mode when it was made: a recommendation, or a move the balancer started. */
  mode: Type.Enum(['recommend', 'automatic']),
  /** What fired: the WPAR and its trigger, or its critical metric. */
  trigger: Type.String(),
  proposal: MobilityProposal,
  /** open: a recommendation waiting; started: a relocation task runs or ran (taskId); applied, dismissed: by someone. */
  status: Type.Enum([...EVENT_STATUSES]),
  taskId: Type.Union([Type.String(), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
});
export type BalanceEventView = Static<typeof BalanceEventView>;

export const WparStandingView = Type.Object({
  wpar: ResourceRef,
  state: Percent,
  heat: Type.Union([Heat, Type.Null()]),
  /** Consecutive hot and cold rounds so far. */
  hot: Type.Integer({ minimum: 0 }),
  cold: Type.Integer({ minimum: 0 }),
  pinned: Type.Boolean(),
});

export const GroupBalanceView = Type.Object({
  group: ResourceRef,
  mode: Type.Enum([...BALANCE_MODES]),
  minThreshold: Percent,
  maxThreshold: Percent,
  triggerCount: Type.Integer(),
  /** The last round, if the balancer has run one for the group since the manager started. */
  lastRound: Type.Union([Type.Null(), Type.Object({
    at: Type.String(),
    state: Percent,
    mean: Percent,
    /** The metric that overrode the mean (the seed's maximum and minimum per metric). */
    override: Type.Union([Type.Null(), Type.Object({ metric: Type.String(), value: Percent, bound: Type.Enum(['max', 'min']) })]),
    wpars: Type.Array(WparStandingView),
    /** What the round did, or why it did nothing. */
    outcome: Type.String(),
  })]),
  lastEvents: Type.Array(BalanceEventView),
});
export type GroupBalanceView = Static<typeof GroupBalanceView>;

export const BalanceStatus = Type.Object({
  running: Type.Boolean(),
  intervalSeconds: Type.Number(),
  settleMinutes: Type.Number(),
  marginPoints: Type.Number(),
  maxConcurrentMoves: Type.Integer(),
  movesUnderWay: Type.Integer({ minimum: 0 }),
  groups: Type.Array(GroupBalanceView),
});
export type BalanceStatus = Static<typeof BalanceStatus>;

export const GroupPlanView = Type.Object({
  group: ResourceRef,
  mode: Type.Enum([...BALANCE_MODES]),
  state: Percent,
  minThreshold: Percent,
  maxThreshold: Percent,
  wpars: Type.Array(Type.Object({ wpar: ResourceRef, state: Percent, pinned: Type.Boolean() })),
  /** The move the group's state asks for now, whatever the triggers and the mode; null with the reason when none. */
  proposal: Type.Union([MobilityProposal, Type.Null()]),
  reason: Type.String(),
});
export type GroupPlanView = Static<typeof GroupPlanView>;

export const BalancePlanQuery = Type.Object({ group: Type.Optional(Ref) }, { additionalProperties: false });
export const BalancePlan = Type.Object({ groups: Type.Array(GroupPlanView) });
export type BalancePlan = Static<typeof BalancePlan>;

export const BalanceEventsQuery = Type.Object(
  { group: Type.Optional(Ref), status: Type.Optional(Type.Enum([...EVENT_STATUSES])), ...PageQuery },
  { additionalProperties: false },
);
export type BalanceEventsQuery = Static<typeof BalanceEventsQuery>;

export const EventParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$', maxLength: 36 }) }, { additionalProperties: false });
