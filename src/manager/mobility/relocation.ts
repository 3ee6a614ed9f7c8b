// Live relocation of a WPAR from its system to another, as one task: the arrival agent is
// told to expect it, the departure agent moves it there agent-to-agent, and the inventory
// follows. Whatever interrupts it — an agent gone, a transfer cut, a refused restore, this
// manager restarted — the task settles it the same way: the WPAR runs on the arrival
// system if it resumed there, else on the departure system, and is removed from the other.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { HostProfile } from '../../api/agents.js';
import { CapstanError, ERRORS } from '../../api/errors.js';
import type { ImageTransport, RelocateRequest, RelocationPeer, RelocationResult } from '../../api/relocation.js';
import { RELOCATE_TASK, type RelocationParams } from '../../api/task-kinds.js';
import type { TaskView } from '../../api/tasks.js';
import type { AgentClient } from '../agents/agent-client.js';
import type { AgentRequest, AgentResult } from '../agents/hub.js';
import type { CapacityService } from '../capacity/service.js';
import type { Database } from '../db/schema.js';
import type { Inventory } from '../inventory/index.js';
import { managerActor, type Actor } from '../inventory/privilege-guard.js';
import type { TaskContext, TaskEngine } from '../tasks/engine.js';
import type { TargetService } from './targets.js';
import { memoryMethod } from '../scheduler/move-cost.js';

// Kept here for its callers: the method is chosen by the scheduler's move-cost module.
export { memoryMethod };

/** How long settling waits for an agent that is away (killed and restarting, reconnecting). */
const AGENT_RETURN_MS = 60_000;

/** Through the state directory both hosts share, if they do; else straight between their agents. */
export function imageTransport(from: HostProfile | null, to: HostProfile | null): ImageTransport {
  return from?.sharedStateId && from.sharedStateId === to?.sharedStateId ? 'sharedStateDir' : 'agents';
}

export class RelocationService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Logger,
    private readonly inventory: Inventory,
    private readonly tasks: TaskEngine,
    private readonly agents: AgentClient,
    private readonly targets: TargetService,
    private readonly capacity: CapacityService,
  ) {
    tasks.register({
      kind: RELOCATE_TASK,
      // Run again after a restart: it finds out where the WPAR is and settles it there.
      onRestart: 'resume',
      run: (ctx) => this.run(ctx),
      onFailed: (info) => inventory.wparStore.release(info.params.wparId, info.taskId),
    });
  }

  /** Checks everything a relocation can be refused for, then submits its task. */
  async relocate(wparRef: string, req: RelocateRequest, by: Actor): Promise<TaskView> {
    const wpar = await this.inventory.wpars.get(wparRef);
    if (!wpar.system) throw new CapstanError('CAP-E0902', wpar.name);
    const spec = await this.inventory.wparStore.spec(wpar.id);
    if (!spec.checkpointable) throw new CapstanError('CAP-E0202', `${wpar.name}: only checkpointable WPARs can be relocated`);
    if (wpar.state !== 'Active') throw new CapstanError('CAP-E0200', `${wpar.name} is ${wpar.state}; only an Active WPAR is relocated live`);
    let toId: string;
    if (req.to) {
      const check = await this.targets.check(wpar.id, req.to);
      if (check.needsConfirmation && !req.confirm) throw new CapstanError('CAP-E0925', `${req.to} is ${check.state} compatible`);
      toId = (await this.inventory.systems.named.require(req.to)).id;
    } else {
      const best = (await this.targets.targets(wpar.id)).ranked[0];
      if (!best) throw new CapstanError('CAP-E0926', wpar.name);
      toId = best.system.id;
    }
    await this.inventory.privileges.assertMayPlace(by, { name: wpar.name, spec, unaccepted: wpar.privilegesUnaccepted }, toId);
    await this.capacity.checkDeploy({ id: wpar.id, name: wpar.name, spec }, toId);
    const group = await this.inventory.groups.get(wpar.group.id);
    const [from, to] = await Promise.all([this.profile(wpar.system.id), this.profile(toId)]);
    const method = req.method ?? memoryMethod(from, to, group.policy.postCopy);
    if (req.method && memoryMethod(from, to, true) !== method && !(method === 'stopAndCopy')) {
      throw new CapstanError('CAP-E0001', `both systems must support ${method}`);
    }
    const params: RelocationParams = { relocationId: randomUUID(), wparId: wpar.id, name: wpar.name, fromId: wpar.system.id, toId, method, transport: imageTransport(from, to), ...(req.force ? { endSessions: true } : {}) };
    return this.inventory.wpars.submitClaimedTask(wpar.id, RELOCATE_TASK, params, by.name);
  }

  private async run(ctx: TaskContext<RelocationParams>): Promise<RelocationResult> {
    const p = ctx.params;
    const [from, to] = await Promise.all([this.peer(p.fromId), this.peer(p.toId)]);
    const spec = await this.inventory.wparStore.spec(p.wparId);
    if (ctx.attempt > 1) return this.settle(ctx, from, to);
    await this.inventory.wparStore.beginRelocation(p.wparId, to.name);
    try {
      await ctx.progress(0.05, `preparing ${to.name}`);
      await ctx.operation(`prepare arrival on ${to.name}`, async (op) => {
        log(op, await this.ask(to.systemId, { type: 'arrive', relocationId: p.relocationId, spec, method: p.method, transport: p.transport, departure: from }, ctx.signal));
      });
    } catch (e) {
      // Nothing has moved: the WPAR runs on where it was. An arrival agent that is away has nothing to clear.
      await this.bestEffort(ctx, `clear ${to.name}`, to.systemId, 'drop', false);
      await this.record(p, p.fromId, 'Active', null);
      throw e;
    }
    try {
      const how = p.transport === 'sharedStateDir' ? `${p.method}, images through the shared state directory` : p.method;
      await ctx.progress(0.15, `moving ${p.name} (${how})`);
      await ctx.operation(`move ${p.name} from ${from.name} to ${to.name} (${how})`, async (op) => {
        log(op, await this.ask(from.systemId, {
          type: 'depart', relocationId: p.relocationId, name: p.name, method: p.method, transport: p.transport, departureHost: from.host, arrival: to,
          ...(p.endSessions ? { endSessions: `${p.name} is relocating to ${to.name}` } : {}),
        }, ctx.signal));
      });
    } catch (e) {
      this.log.warn({ err: e, wpar: p.name, relocationId: p.relocationId }, 'relocation interrupted: settling it');
      await this.settle(ctx, from, to, e);
    }
    await ctx.progress(0.9, 'removing the departure copy');
    return this.finish(ctx, from, to);
  }

  /**
   * After an interruption the WPAR stays where it runs: on the arrival system if the
   * relocation's copy resumed there, else on the departure system; the other copy goes.
   * Agents that are away (killed, restarting) are waited for a while first; a departure
   * system that does not come back took the WPAR with it (lost()).
   */
  private async settle(ctx: TaskContext<RelocationParams>, from: Peer, to: Peer, cause?: unknown): Promise<RelocationResult> {
    const p = ctx.params;
    const arrival = await ctx.operation(`find where ${p.name} runs`, async (op) => {
      const r = await this.askWhenBack(to.systemId, { type: 'settle', relocationId: p.relocationId, name: p.name, outcome: 'probe' }).catch((e: unknown) => {
        op.log(`${to.name} did not answer: ${(e as Error).message}`);
        return undefined;
      });
      op.log(r?.state === 'Active' ? `${p.name} runs on ${to.name}` : r?.state ? `${p.name} is ${r.state} on ${to.name}` : `${p.name} did not resume on ${to.name}`);
      return r?.state;
    });
    if (arrival === 'Active') return this.finish(ctx, from, to);
    await this.bestEffort(ctx, `remove what reached ${to.name}`, to.systemId, 'drop');
    const back = await ctx.operation(`keep ${p.name} running on ${from.name}`, async (op) => {
      try {
        const r = await this.askWhenBack(from.systemId, { type: 'settle', relocationId: p.relocationId, name: p.name, outcome: 'keep' });
        log(op, r);
        return r.state;
      } catch (e) {
        if (!isAgentAway(e)) throw e;
        op.log(`${from.name} did not come back: ${(e as Error).message}`);
        return 'lost';
      }
    });
    const why = cause instanceof Error ? detailOf(cause) : 'the relocation was interrupted';
    if (back === 'lost') return this.lost(ctx, from, to, arrival === 'Broken', why);
    const runs = back === 'Active';
    await this.record(p, p.fromId, runs ? 'Active' : 'Broken', runs ? null : `lost in a relocation to ${to.name}`);
    throw new CapstanError(runs ? 'CAP-E0922' : 'CAP-E0923', `${why}; ${p.name} is ${back ?? 'gone'} on ${from.name}`);
  }

  /**
   * The departure system is gone, and with it the only whole copy of the WPAR (post-copy:
   * the memory the arrival still owed). The WPAR is Broken there, or restarted from scratch
   * on a healthy system when its group says so; either way what the relocation left on the
   * departure system is settled when its agent is back.
   */
  private async lost(ctx: TaskContext<RelocationParams>, from: Peer, to: Peer, pagesOwed: boolean, why: string): Promise<never> {
    const p = ctx.params;
    const reason = `lost with ${from.name} during a relocation to ${to.name}${pagesOwed ? ' while memory pages were still owed (post-copy)' : ''}: ${why}`;
    const wpar = await this.inventory.wpars.get(p.wparId);
    const restart = (await this.inventory.groups.get(wpar.group.id)).policy.restartOnHostFailure;
    const choice = restart ? await this.targets.restartTarget(p.wparId) : undefined;
    const target = choice?.target;
    await this.db.insertInto('relocation_leftovers')
      .values({ relocation_id: p.relocationId, system_id: p.fromId, wpar_name: p.name, outcome: target ? 'drop' : 'keep', created_at: new Date().toISOString() })
      .onConflict((oc) => oc.doNothing())
      .execute();
    if (!target) {
      await this.record(p, p.fromId, 'Broken', reason);
      const none = choice ? `; no healthy system to restart it on (${choice.reasons.join(' | ') || 'no other system'})` : '';
      throw new CapstanError('CAP-E0923', `${reason}${none}`);
    }
    const task = await ctx.operation(`restart ${p.name} from scratch on ${target}`, async (op) => {
      await this.inventory.wparStore.undeployLost(p.wparId, reason);
      const t = await this.inventory.wpars.deploy(p.wparId, { system: target, start: true }, managerActor('capstan'));
      op.log(`task ${t.id}`);
      return t;
    });
    throw new CapstanError('CAP-E0923', `${reason}; restarted from scratch on ${target} (task ${task.id})`);
  }

  /** Settles what relocations left on a system that was lost during them, now that its agent is back. */
  async settleLeftovers(systemId: string): Promise<void> {
    const rows = await this.db.selectFrom('relocation_leftovers').selectAll().where('system_id', '=', systemId).execute();
    for (const row of rows) {
      try {
        const r = await this.ask(systemId, { type: 'settle', relocationId: row.relocation_id, name: row.wpar_name, outcome: row.outcome });
        this.log.info({ wpar: row.wpar_name, relocationId: row.relocation_id, outcome: row.outcome, output: r.output }, 'settled what a relocation left on a system that was lost');
        await this.db.deleteFrom('relocation_leftovers').where('relocation_id', '=', row.relocation_id).where('system_id', '=', systemId).execute();
      } catch (e) {
        this.log.warn({ err: e, wpar: row.wpar_name, relocationId: row.relocation_id }, 'settling a relocation\'s leftover failed; tried again when the agent next connects');
      }
    }
  }

  private async finish(ctx: TaskContext<RelocationParams>, from: Peer, to: Peer): Promise<RelocationResult> {
    const p = ctx.params;
    await ctx.operation(`remove ${p.name} from ${from.name}`, async (op) => {
      log(op, await this.askWhenBack(from.systemId, { type: 'settle', relocationId: p.relocationId, name: p.name, outcome: 'drop' }));
    });
    await this.bestEffort(ctx, `confirm ${p.name} on ${to.name}`, to.systemId, 'keep');
    await this.record(p, p.toId, 'Active', null);
    await ctx.progress(1, `${p.name} runs on ${to.name}`);
    return { wparId: p.wparId, systemId: p.toId, systemName: to.name };
  }

  /** A settling step whose failure is logged, not fatal: what it leaves is the agent's to clear. */
  private async bestEffort(ctx: TaskContext<RelocationParams>, name: string, systemId: string, outcome: 'drop' | 'keep', waitForAgent = true): Promise<void> {
    const p = ctx.params;
    const body = { type: 'settle' as const, relocationId: p.relocationId, name: p.name, outcome };
    await ctx.operation(name, async (op) => {
      try {
        log(op, await (waitForAgent ? this.askWhenBack(systemId, body) : this.ask(systemId, body)));
      } catch (e) {
        op.log(`not done: ${(e as Error).message}`);
      }
    });
  }

  /** The inventory follows the WPAR, and the task's claim on it ends. */
  private async record(p: RelocationParams, systemId: string, state: 'Active' | 'Broken', reason: string | null): Promise<void> {
    await this.inventory.wparStore.settleRelocation(p.wparId, systemId, state, reason);
  }

  /** As ask(), after waiting up to AGENT_RETURN_MS for an agent that is not connected. */
  private async askWhenBack(systemId: string, body: AgentRequest): Promise<AgentResult> {
    const deadline = Date.now() + AGENT_RETURN_MS;
    while (!this.agents.connected(systemId) && Date.now() < deadline) await sleep(500);
    return this.ask(systemId, body);
  }

  /**
   * Only the steps that move the WPAR take the task's signal: settling steps run to their end
   * even when the task is cancelled, since they are what leaves the WPAR in one place.
   */
  private ask(systemId: string, body: AgentRequest, signal?: AbortSignal): Promise<AgentResult> {
    return this.agents.ask(systemId, body, { signal });
  }

  private async peer(systemId: string): Promise<Peer> {
    const s = await this.db.selectFrom('systems')
      .innerJoin('agent_certificates', 'agent_certificates.system_id', 'systems.id')
      .select(['systems.id', 'systems.name', 'systems.host', 'agent_certificates.agent_port'])
      .where('systems.id', '=', systemId).where('agent_certificates.state', '=', 'registered')
      .orderBy('agent_certificates.created_at', 'desc')
      .executeTakeFirst();
    if (!s) throw new CapstanError('CAP-E0302', systemId);
    return { systemId: s.id, host: s.host, agentPort: s.agent_port, name: s.name };
  }

  private async profile(systemId: string): Promise<HostProfile | null> {
    const r = await this.db.selectFrom('systems').select('profile').where('id', '=', systemId).executeTakeFirst();
    return r?.profile ? (JSON.parse(r.profile) as HostProfile) : null;
  }
}

/** What went wrong, without the error code's own message in front (the task's error repeats that). */
function detailOf(e: Error): string {
  const prefix = e instanceof CapstanError ? `${ERRORS[e.code].message}: ` : '';
  return prefix && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/** The agent is not connected, lost its connection, or did not answer in time. */
function isAgentAway(e: unknown): boolean {
  return e instanceof CapstanError && ['CAP-E0302', 'CAP-E0606', 'CAP-E0611'].includes(e.code);
}

interface Peer extends RelocationPeer {
  name: string;
}

function log(op: { log(line: string): void }, r: AgentResult): void {
  for (const line of r.output) op.log(line);
}
