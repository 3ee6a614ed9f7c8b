// The balancer: every interval, one round of the policy engine per group whose policy is
// enabled (scheduler/balance.ts decides; this gathers and acts). An automatic group's mobility
// event starts a relocation task; a recommending group's becomes a recommendation that a
// WPARAdministrator applies or dismisses. Trigger counts and the last round of each group are
// kept in memory: a restarted manager counts again from zero, which only delays a move.
import type { Logger } from 'pino';
import { balanceMode, type BalanceEventsQuery, type BalanceEventView, type BalancePlan, type BalanceStatus, type GroupBalanceView, type GroupPlanView, type MobilityProposal } from '../../api/balance.js';
import { CapstanError } from '../../api/errors.js';
import type { GroupView } from '../../api/groups.js';
import type { Page } from '../../api/resources.js';
import type { TaskView } from '../../api/tasks.js';
import type { Inventory } from '../inventory/index.js';
import { managerActor, type Actor } from '../inventory/privilege-guard.js';
import type { Fleet } from '../mobility/fleet.js';
import { countersAfter, round, type Round, type Trigger } from '../scheduler/balance.js';
import { DEFAULT_LIMITS, decide, type Limits, type MobilityEvent } from '../scheduler/decide.js';
import { wparState, type TriggerCounter } from '../scheduler/policy.js';
import type { BalanceEvents } from './events.js';
import type { GroupSnapshots } from './group-snapshot.js';

export interface BalancerConfig {
  /** How often every group is analysed (default 60 s). */
  intervalSeconds?: number;
  settleMinutes?: number;
  marginPoints?: number;
  maxConcurrentMoves?: number;
}

/** Moves started this long ago or since count as in flight with their WPAR's recent use. */
const IN_FLIGHT_USE_WINDOW_MS = 10 * 60_000;
const LAST_EVENTS = 3;
const pct = (n: number): string => `${n.toFixed(1)}%`;

/** Relocates a WPAR to a system (both by id) on behalf of `by`: the mobility services' relocation. */
export type Relocate = (wparId: string, toId: string, by: Actor) => Promise<TaskView>;

type LastRound = NonNullable<GroupBalanceView['lastRound']>;

function proposalOf(e: MobilityEvent): MobilityProposal {
  return { heat: e.heat, wpar: e.wpar, from: e.from, to: e.to, before: e.before.state, after: e.after.state, gain: e.gain, cost: e.cost, reason: e.reason };
}

function describeTrigger(t: Trigger, triggerCount: number): string {
  if (t.critical) return `${t.wpar.name}: critical metric ${t.critical.metric} at ${pct(t.critical.value)}, beyond its ${t.critical.bound}imum`;
  return `${t.wpar.name} ${t.heat} for ${triggerCount} rounds (state ${pct(t.state)})`;
}

export class BalanceService {
  readonly intervalMs: number;
  readonly limits: Limits;
  private readonly counters = new Map<string, Map<string, TriggerCounter>>();
  private readonly last = new Map<string, LastRound>();
  private timer: NodeJS.Timeout | null = null;
  private passing: Promise<void> | null = null;

  constructor(
    private readonly log: Logger,
    private readonly inventory: Inventory,
    private readonly fleet: Fleet,
    private readonly snapshots: GroupSnapshots,
    private readonly events: BalanceEvents,
    private readonly relocate: Relocate,
    config: BalancerConfig = {},
    private readonly now: () => number = Date.now,
  ) {
    this.intervalMs = (config.intervalSeconds ?? 60) * 1000;
    this.limits = {
      settleMs: config.settleMinutes === undefined ? DEFAULT_LIMITS.settleMs : config.settleMinutes * 60_000,
      marginPoints: config.marginPoints ?? DEFAULT_LIMITS.marginPoints,
      maxConcurrentMoves: config.maxConcurrentMoves ?? DEFAULT_LIMITS.maxConcurrentMoves,
    };
  }

  /** Runs a pass every interval until stopped; a pass never overlaps the previous one. */
  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.passing = this.pass().catch((err: unknown) => this.log.error({ err }, 'balancing pass failed'));
      void this.passing.finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.passing;
  }

  /** One round for every group whose policy is enabled; a group that fails is logged and the others still run. */
  async pass(): Promise<void> {
    for (const group of await this.groups()) {
      if (balanceMode(group.policy) === 'off') {
        this.counters.delete(group.id);
        continue;
      }
      await this.roundFor(group).catch((err: unknown) => this.log.error({ err, group: group.name }, 'balancing round failed'));
    }
  }

  async status(): Promise<BalanceStatus> {
    const groups = await this.groups();
    const inFlight = await this.fleet.inFlight(this.now() - IN_FLIGHT_USE_WINDOW_MS);
    const views: GroupBalanceView[] = [];
    for (const g of groups) {
      const lastEvents = (await this.events.list({ groupId: g.id, limit: LAST_EVENTS, offset: 0 })).items;
      views.push({
        group: { id: g.id, name: g.name }, mode: balanceMode(g.policy), minThreshold: g.policy.minThreshold, maxThreshold: g.policy.maxThreshold,
        triggerCount: g.policy.triggerCount, lastRound: this.last.get(g.id) ?? null, lastEvents,
      });
    }
    return {
      running: this.timer !== null, intervalSeconds: this.intervalMs / 1000, settleMinutes: this.limits.settleMs / 60_000,
      marginPoints: this.limits.marginPoints, maxConcurrentMoves: this.limits.maxConcurrentMoves, movesUnderWay: inFlight.length, groups: views,
    };
  }

  /** A dry run: what each group (or the one named) would move now, whatever its triggers and mode. */
  async plan(groupRef?: string): Promise<BalancePlan> {
    const groups = groupRef ? [await this.inventory.groups.get(groupRef)] : await this.groups();
    const now = this.now();
    const inFlight = await this.fleet.inFlight(now - IN_FLIGHT_USE_WINDOW_MS);
    const out: GroupPlanView[] = [];
    for (const g of groups) {
      const snap = await this.snapshots.of(g, now);
      const d = decide({ policy: g.policy, ...snap, inFlight, now, limits: this.limits });
      out.push({
        group: { id: g.id, name: g.name }, mode: balanceMode(g.policy), minThreshold: g.policy.minThreshold, maxThreshold: g.policy.maxThreshold,
        state: d.event ? d.event.before.state : d.state.state,
        wpars: snap.wpars.map((w) => ({ wpar: w.ask.wpar, state: wparState(g.policy, w.metrics), pinned: w.pinned ?? false })),
        proposal: d.event && proposalOf(d.event),
        reason: d.event ? d.event.reason : d.reason,
      });
    }
    return { groups: out };
  }

  async list(q: BalanceEventsQuery): Promise<Page<BalanceEventView>> {
    const groupId = q.group ? (await this.inventory.groups.named.require(q.group)).id : undefined;
    return this.events.list({ groupId, status: q.status, limit: q.limit, offset: q.offset });
  }

  /** Applies an open recommendation: its relocation, by whoever applies it. A refused relocation leaves it open. */
  async apply(id: string, by: Actor): Promise<TaskView> {
    const e = await this.openEvent(id);
    const task = await this.relocate(e.proposal.wpar.id, e.proposal.to.id, by);
    // The relocation claimed the WPAR: a second apply has already been refused by it (CAP-E0924).
    await this.events.close(id, 'applied', by.name, task.id);
    return task;
  }

  async dismiss(id: string, by: string): Promise<BalanceEventView> {
    await this.openEvent(id);
    if (!(await this.events.close(id, 'dismissed', by))) throw new CapstanError('CAP-E0931', id);
    return (await this.events.get(id))!;
  }

  private async openEvent(id: string): Promise<BalanceEventView> {
    const e = await this.events.get(id);
    if (!e) throw new CapstanError('CAP-E0002', `mobility event ${id}`);
    if (e.status !== 'open') throw new CapstanError('CAP-E0931', `${id} is ${e.status}`);
    return e;
  }

  private async roundFor(group: GroupView): Promise<void> {
    const now = this.now();
    const [snap, inFlight, waiting] = await Promise.all([
      this.snapshots.of(group, now),
      this.fleet.inFlight(now - IN_FLIGHT_USE_WINDOW_MS),
      this.events.pending(group.id),
    ]);
    const r = round({ policy: group.policy, ...snap, inFlight, now, limits: this.limits, counters: this.counters.get(group.id) ?? new Map(), waiting });
    this.counters.set(group.id, countersAfter(r));
    const outcome = await this.act(group, r);
    const pinned = new Set(snap.wpars.filter((w) => w.pinned).map((w) => w.ask.wpar.id));
    this.last.set(group.id, {
      at: new Date(now).toISOString(), state: r.group.state, mean: r.group.mean, override: r.group.override, outcome,
      wpars: r.wpars.map((w) => ({ wpar: w.wpar, state: w.state, heat: w.heat, hot: w.counter.hot, cold: w.counter.cold, pinned: pinned.has(w.wpar.id) })),
    });
  }

  /** Carries out the round's event as the group's mode says; what it did, or why nothing. */
  private async act(group: GroupView, r: Round): Promise<string> {
    if (!r.decision) return r.skipped ?? 'nothing to decide';
    const e = r.decision.event;
    if (!e) return r.decision.reason;
    const trigger = r.fired.map((t) => describeTrigger(t, group.policy.triggerCount)).join('; ');
    const proposal = proposalOf(e);
    const move = `${e.wpar.name} from ${e.from?.name ?? '?'} to ${e.to.name}`;
    if (balanceMode(group.policy) === 'recommend') {
      const rec = await this.events.add({ group, mode: 'recommend', trigger, proposal, taskId: null });
      this.log.info({ group: group.name, event: rec.id }, `recommended: ${move}`);
      return `recommended ${move} (${rec.id})`;
    }
    try {
      const task = await this.relocate(e.wpar.id, e.to.id, managerActor(`balancer (group ${group.name})`));
      await this.events.add({ group, mode: 'automatic', trigger, proposal, taskId: task.id });
      this.log.info({ group: group.name, task: task.id }, `relocating ${move}: ${e.reason}`);
      return `relocating ${move} (task ${task.id})`;
    } catch (err) {
      // Refused before anything moved (a capacity refusal, the WPAR busy): the next round decides again.
      this.log.warn({ err, group: group.name }, `relocation of ${move} refused`);
      return `relocation of ${move} refused: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private async groups(): Promise<GroupView[]> {
    return (await this.inventory.groups.list({ limit: 1000, offset: 0 })).items;
  }
}
