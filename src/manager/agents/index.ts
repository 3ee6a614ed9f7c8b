// The agent layer of the manager: registration and trust, the control channels, the tasks
// that ask an agent to discover its WPARs or re-read its host, and the metrics they report.
import type { IncomingMessage } from 'node:http';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AgentView, RegisterRequest, RegisterResponse, RegistrationRequestView } from '../../api/agents.js';
import { CapstanError } from '../../api/errors.js';
import { AGENT_REPORT_TASK } from '../../api/task-kinds.js';
import type { TaskView } from '../../api/tasks.js';
import type { CapacityService } from '../capacity/service.js';
import type { Database } from '../db/schema.js';
import type { Inventory } from '../inventory/index.js';
import { MetricsStore } from '../metrics/store.js';
import type { TaskEngine } from '../tasks/engine.js';
import type { AgentClient } from './agent-client.js';
import { AgentEnrolment } from './enrolment.js';
import { AgentHub, agentSystemOf } from './hub.js';

/** Rollups and retention run this often. */
const MAINTAIN_MS = 60_000;

export class AgentService {
  readonly enrolment: AgentEnrolment;
  readonly hub: AgentHub;
  /** The one way to ask an agent anything. */
  readonly client: AgentClient;
  readonly metrics: MetricsStore;
  private maintenance?: NodeJS.Timeout;

  constructor(
    db: Kysely<Database>,
    private readonly log: Logger,
    dataDir: string,
    private readonly inventory: Inventory,
    private readonly tasks: TaskEngine,
    capacity: CapacityService,
    opts: {
      /** Lifetime of agent certificates (default 30 days). */
      certificateSeconds?: number;
      /** Told when a system's agent has reported its host profile. */
      profileReported?: (systemId: string) => void;
    } = {},
  ) {
    this.enrolment = new AgentEnrolment(db, dataDir, opts.certificateSeconds);
    this.metrics = new MetricsStore(db);
    this.hub = new AgentHub({
      db,
      log: log.child({ component: 'agents' }),
      enrolment: this.enrolment,
      metrics: this.metrics,
      drivers: inventory.drivers,
      wpars: inventory.wparStore,
      capacity,
      profileReported: opts.profileReported,
    });
    this.client = this.hub.client;
    for (const op of Object.keys(AGENT_REPORT_TASK) as (keyof typeof AGENT_REPORT_TASK)[]) {
      tasks.register({
        kind: AGENT_REPORT_TASK[op],
        // Asking again is harmless: both only make the agent report.
        onRestart: 'resume',
        run: async (ctx) => {
          await ctx.operation(op === 'discover' ? 'discover WPARs' : 'update profile', async (o) => {
            const r = await this.client.ask(ctx.params.systemId, { type: op }, { signal: ctx.signal, log: (line) => o.log(line) });
            for (const line of r.output) o.log(line);
          });
          return { systemId: ctx.params.systemId };
        },
      });
    }
  }

  /** Sends the systems' agents what to enforce now (after a change of their intended capacity), in the background. */
  enforce(systemIds: string[]): void {
    this.hub.pushEnforcement(systemIds).catch((e: unknown) => this.log.error({ err: e, systemIds }, 'sending capacity enforcement failed'));
  }

  /** Starts the periodic rollup of metrics. */
  async start(): Promise<void> {
    await this.hub.start();
    this.maintenance = setInterval(() => {
      this.metrics.maintain().catch((e: unknown) => this.log.error({ err: e }, 'metrics maintenance failed'));
    }, MAINTAIN_MS);
    this.maintenance.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.maintenance);
    await this.hub.close();
  }

  async register(req: RegisterRequest, source: string): Promise<RegisterResponse> {
    const res = await this.enrolment.register(req, source);
    // A re-registration replaces the old identity: its channel goes with it.
    this.hub.disconnect(res.systemId, 're-registered');
    await this.hub.pushRevocations();
    return res;
  }

  /** The seed's removal of a managed system: its agent can no longer talk to the manager. */
  async revoke(systemId: string): Promise<void> {
    await this.enrolment.revoke(systemId);
    this.hub.disconnect(systemId, 'revoked');
    await this.hub.pushRevocations();
  }

  /**
   * The agent on the other end of a mutual-TLS request leaves this manager (configure --force
   * to another one): its certificates are revoked; its system and WPARs stay as this
   * manager's records, Offline, for an administrator to remove (preserving or removing them).
   */
  async unregister(req: IncomingMessage): Promise<void> {
    const systemId = await agentSystemOf(req, this.enrolment);
    await this.revoke(systemId);
    await this.hub.markOffline(systemId);
    this.log.info({ systemId, source: req.socket.remoteAddress }, 'agent unregistered itself: its certificate is revoked, its system stays Offline');
  }

  requests(): Promise<RegistrationRequestView[]> {
    return this.enrolment.requests.list();
  }

  /** An administrator's decision on a registration waiting under `name`; the new agent learns it when it asks again. */
  async decide(name: string, decision: 'approved' | 'refused', by: string): Promise<RegistrationRequestView> {
    const view = await this.enrolment.requests.decide(name, decision, by);
    this.log.info({ system: name, decision, by, source: view.source, keyFingerprint: view.keyFingerprint }, 'agent registration request decided');
    return view;
  }

  list(): Promise<AgentView[]> {
    return this.enrolment.list((id) => this.hub.connected(id));
  }

  /** Submits a task that asks a system's agent to report (discover) or re-read its host (updateProfile). */
  async ask(op: keyof typeof AGENT_REPORT_TASK, ref: string, createdBy?: string): Promise<TaskView> {
    const system = await this.inventory.systems.get(ref);
    if (!this.hub.connected(system.id)) throw new CapstanError('CAP-E0302', system.name);
    return this.tasks.submit(AGENT_REPORT_TASK[op], { systemId: system.id }, { target: { kind: 'system', id: system.id, name: system.name }, createdBy });
  }
}
