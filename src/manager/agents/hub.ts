// The manager's end of the control channels: agents connect (WebSocket over mutual TLS,
// agent-initiated), are identified by their certificate, and report their host, WPARs and
// metrics; the manager sends them requests and marks their systems Online or Offline as
// heartbeats come and go.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Compile } from 'typebox/compile';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_PATHS, AgentMessage, HEARTBEAT_MISSES, HEARTBEAT_MS, type CapacityEnforcement, type ManagerMessage, type WparReport } from '../../api/agents.js';
import type { Components } from '../../api/capacity.js';
import { CapstanError } from '../../api/errors.js';
import { API_PREFIX } from '../../api/paths.js';
import type { Database } from '../db/schema.js';
import type { DriverRegistry } from '../inventory/driver.js';
import type { WparStore } from '../inventory/wpar-store.js';
import type { MetricsStore } from '../metrics/store.js';
import { AgentClient } from './agent-client.js';
import { AgentDriver } from './agent-driver.js';
import type { AgentEnrolment } from './enrolment.js';

/** The instant capacity a system's agent enforces, and where it reports what it applied. */
export interface CapacityPort {
  enforcementFor(systemId: string): Promise<(CapacityEnforcement & { systemId: string }) | null>;
  reportActual(systemId: string, actual: Components): Promise<void>;
}

const checkMessage = Compile(AgentMessage);
/** Received agent messages waiting to be handled, per agent, before its socket is read no further. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** last_seen_at is written at most this often; liveness itself is tracked in memory. */
const LAST_SEEN_WRITE_MS = 30_000;

export type AgentResult = Extract<AgentMessage, { type: 'result' }>;
type Request = Extract<ManagerMessage, { id: string }>;
/** What the manager can ask an agent (AgentClient is the one way to ask). */
export type AgentRequest = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

export interface HubDeps {
  db: Kysely<Database>;
  log: Logger;
  enrolment: AgentEnrolment;
  metrics: MetricsStore;
  drivers: DriverRegistry;
  /** Where what the agents report about their WPARs is recorded. */
  wpars: WparStore;
  capacity?: CapacityPort;
  /** Told when a system's agent has reported its host profile (on connecting, and after "update profile"). */
  profileReported?: (systemId: string) => void;
}

export class AgentHub {
  /** The one way the rest of the manager asks an agent anything. */
  readonly client = new AgentClient(this);
  private readonly sessions = new Map<string, AgentSession>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  private liveness?: NodeJS.Timeout;

  constructor(readonly deps: HubDeps) {}

  /**
   * Starts marking silent agents Offline. No agent is connected yet: a system a stopped or
   * crashed manager left Online is Offline until its agent says hello again, so nothing takes
   * it for one that can act.
   */
  async start(): Promise<void> {
    await this.deps.db.updateTable('systems').set({ state: 'Offline', updated_at: new Date().toISOString() }).where('state', '=', 'Online').execute();
    this.liveness = setInterval(() => this.checkLiveness(), HEARTBEAT_MS);
    this.liveness.unref();
  }

  /** Whether the system's agent is connected and has said hello (before that, it drops what it would answer). */
  connected(systemId: string): boolean {
    return this.sessions.get(systemId)?.greeted === true;
  }

  /** Sends a request to a system's agent and waits for its answer, at most `timeoutMs` and until `signal` aborts. */
  request(systemId: string, body: AgentRequest, timeoutMs?: number, signal?: AbortSignal): Promise<AgentResult> {
    const session = this.sessions.get(systemId);
    if (!session?.greeted) return Promise.reject(new CapstanError('CAP-E0302', systemId));
    return session.request(body, timeoutMs, signal);
  }

  /** Drops a system's channel (revoked, or re-registered elsewhere). */
  disconnect(systemId: string, reason: string): void {
    this.sessions.get(systemId)?.close(4003, reason);
  }

  /** Tells every agent which certificates are revoked, so they refuse such peers. */
  async pushRevocations(): Promise<void> {
    const serials = await this.deps.enrolment.revokedSerials();
    for (const s of this.sessions.values()) s.send({ type: 'revocations', serials });
  }

  async close(): Promise<void> {
    clearInterval(this.liveness);
    for (const s of this.sessions.values()) s.close(1001, 'manager stopping');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** The control channel's path (see http/upgrades.ts). */
  handles(pathname: string): boolean {
    return pathname === `${API_PREFIX}${AGENT_PATHS.channel}`;
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const systemId = await agentSystemOf(req, this.deps.enrolment);
    // The agent holds this certificate: any other of its system (one it replaced by renewing) goes.
    if (await this.deps.enrolment.retire(systemId, (req.socket as TLSSocket).getPeerCertificate().serialNumber)) await this.pushRevocations();
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sessions.get(systemId)?.close(4000, 'replaced by a newer connection');
      const session = new AgentSession(this, systemId, ws);
      this.sessions.set(systemId, session);
    });
  }

  /** Called by a session when its socket has closed. */
  ended(session: AgentSession): void {
    if (this.sessions.get(session.systemId) !== session) return;
    this.sessions.delete(session.systemId);
    void this.markOffline(session.systemId, session.lastSeen)
      .catch((e: unknown) => this.deps.log.error({ err: e, systemId: session.systemId }, 'marking the system Offline failed'));
    this.deps.log.info({ systemId: session.systemId }, 'agent disconnected');
  }

  /** The system's agent is gone (disconnected, or unregistered); `lastSeen` when it was last heard from. */
  async markOffline(systemId: string, lastSeen?: number): Promise<void> {
    await this.deps.db.updateTable('systems')
      .set({ state: 'Offline', ...(lastSeen === undefined ? {} : { last_seen_at: new Date(lastSeen).toISOString() }), updated_at: new Date().toISOString() })
      .where('id', '=', systemId).execute();
  }

  /** Sends the systems' agents what to enforce now (after a change of their intended capacity). */
  async pushEnforcement(systemIds: string[]): Promise<void> {
    for (const id of systemIds) await this.sessions.get(id)?.enforce();
  }

  profileReported(systemId: string): void {
    this.deps.profileReported?.(systemId);
  }

  private checkLiveness(): void {
    const deadline = Date.now() - HEARTBEAT_MS * HEARTBEAT_MISSES;
    for (const s of this.sessions.values()) if (s.lastSeen < deadline) s.terminate();
  }
}

/** The system of the agent on the other end of a mutual-TLS request; CAP-E0601 for any other caller. */
export async function agentSystemOf(req: IncomingMessage, enrolment: Pick<AgentEnrolment, 'systemOf'>): Promise<string> {
  const tls = req.socket as TLSSocket;
  if (!tls.authorized) throw new CapstanError('CAP-E0601');
  try {
    return await enrolment.systemOf(tls.getPeerCertificate().serialNumber);
  } catch {
    throw new CapstanError('CAP-E0601');
  }
}

/** One connected agent. Its messages are handled one at a time, in order. */
class AgentSession {
  lastSeen = Date.now();
  /** Its hello has come: the agent answers requests from now on. */
  greeted = false;
  private lastSeenWritten = 0;
  private readonly pending = new Map<string, { resolve: (r: AgentResult) => void; reject: (e: Error) => void }>();
  private queue: Promise<void> = Promise.resolve();
  /** The size of the messages received and not handled yet. */
  private queuedBytes = 0;
  /** A metrics batch failed to store: no later acknowledgement may cover it (see 'metrics'). */
  private metricsLost = false;
  /** The names of the WPARs on this system and their ids, for metrics. */
  private wparIds = new Map<string, string>();
  private disconnectDriver?: () => void;
  private readonly log: Logger;

  constructor(private readonly hub: AgentHub, readonly systemId: string, private readonly ws: WebSocket) {
    this.log = hub.deps.log.child({ systemId });
    ws.on('message', (data: Buffer) => {
      this.lastSeen = Date.now();
      // Bounded: an agent that sends faster than its messages are handled is read no further
      // until they are (TCP then holds it back), instead of queueing without end here.
      this.queuedBytes += data.length;
      if (this.queuedBytes > MAX_QUEUED_BYTES && !ws.isPaused) ws.pause();
      this.queue = this.queue.then(() => this.handle(data.toString())).catch((e: unknown) => {
        this.log.error({ err: e }, 'handling an agent message failed');
      }).finally(() => {
        this.queuedBytes -= data.length;
        if (this.queuedBytes <= MAX_QUEUED_BYTES / 2 && ws.isPaused) ws.resume();
      });
    });
    ws.on('close', () => {
      this.disconnectDriver?.();
      for (const p of this.pending.values()) p.reject(new CapstanError('CAP-E0606'));
      this.pending.clear();
      hub.ended(this);
    });
    ws.on('error', (e) => this.log.warn({ err: e }, 'agent channel error'));
  }

  send(msg: ManagerMessage): void {
    this.ws.send(JSON.stringify(msg));
  }

  request(body: AgentRequest, timeoutMs?: number, signal?: AbortSignal): Promise<AgentResult> {
    if (signal?.aborted) return Promise.reject(cancelled(signal));
    const id = randomUUID();
    return new Promise<AgentResult>((resolve, reject) => {
      const end = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        this.pending.delete(id);
      };
      const fail = (e: Error) => {
        end();
        reject(e);
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        fail(new CapstanError('CAP-E0611', `${body.type}: no answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const abort = () => fail(cancelled(signal!));
      signal?.addEventListener('abort', abort, { once: true });
      this.pending.set(id, { resolve: (r) => { end(); resolve(r); }, reject: fail });
      this.send({ ...body, id } as ManagerMessage);
    });
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.log.warn('agent missed its heartbeats');
    this.ws.terminate();
  }

  private async handle(text: string): Promise<void> {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = undefined;
    }
    if (!checkMessage.Check(msg)) {
      this.log.warn({ sample: text.slice(0, 200) }, 'refused a malformed agent message');
      return;
    }
    const { db, metrics } = this.hub.deps;
    switch (msg.type) {
      case 'hello': {
        const now = new Date().toISOString();
        await db.updateTable('systems').set({ profile: JSON.stringify(msg.profile), last_seen_at: now, updated_at: now })
          .where('id', '=', this.systemId).execute();
        this.lastSeenWritten = Date.now();
        this.greeted = true;
        await this.reconcile(msg.wpars);
        this.disconnectDriver = this.hub.deps.drivers.connect(this.systemId, new AgentDriver(this.hub.client, this.systemId));
        // Online once it can be acted on: a deploy that sees Online finds its driver.
        if (this.ws.readyState === this.ws.OPEN) await db.updateTable('systems').set({ state: 'Online', updated_at: new Date().toISOString() }).where('id', '=', this.systemId).execute();
        this.send({ type: 'revocations', serials: await this.hub.deps.enrolment.revokedSerials() });
        await this.enforce();
        this.log.info({ agentVersion: msg.agentVersion, wpars: msg.wpars.length }, 'agent connected');
        this.hub.profileReported(this.systemId);
        return;
      }
      case 'heartbeat':
        if (Date.now() - this.lastSeenWritten >= LAST_SEEN_WRITE_MS) {
          this.lastSeenWritten = Date.now();
          await db.updateTable('systems').set({ last_seen_at: new Date().toISOString() }).where('id', '=', this.systemId).execute();
        }
        return;
      case 'inventory':
        return this.reconcile(msg.wpars);
      case 'profile':
        await db.updateTable('systems').set({ profile: JSON.stringify(msg.profile), updated_at: new Date().toISOString() }).where('id', '=', this.systemId).execute();
        this.hub.profileReported(this.systemId);
        return;
      case 'metrics':
        if (this.metricsLost) return;
        try {
          await metrics.ingest(this.systemId, msg.samples, this.wparIds);
        } catch (e) {
          // An acknowledgement is cumulative: one for a later batch would drop this one from
          // the agent's outbox. Reconnecting makes the agent send all it still holds again.
          this.metricsLost = true;
          this.close(1011, 'storing metrics failed');
          throw e;
        }
        this.send({ type: 'metricsAck', seq: msg.seq });
        return;
      case 'result': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.resolve(msg);
        return;
      }
      case 'capacityApplied':
        if (msg.problem) this.log.warn({ problem: msg.problem }, 'the agent could not apply all of its capacity');
        if (msg.actual) await this.hub.deps.capacity?.reportActual(this.systemId, msg.actual);
        return;
      case 'renew': {
        const certificate = await this.hub.deps.enrolment.renew(this.systemId, msg.csr);
        this.send({ type: 'certificate', certificate });
        return;
      }
      case 'certificateSaved':
        if (await this.hub.deps.enrolment.retire(this.systemId, msg.serial)) await this.hub.pushRevocations();
        return;
    }
  }

  async enforce(): Promise<void> {
    const capacity = this.hub.deps.capacity;
    if (!capacity) return;
    const e = await capacity.enforcementFor(this.systemId);
    this.send({ type: 'enforce', capacity: e && { serial: e.serial, cores: e.cores, memoryGiB: e.memoryGiB, cells: e.cells } });
  }

  private async reconcile(reports: WparReport[]): Promise<void> {
    const { wpars } = this.hub.deps;
    const steps = await wpars.reconcile(this.systemId, reports);
    for (const s of steps) {
      if (s.kind === 'conflict') this.log.warn({ wpar: s.name, otherSystemId: s.otherSystemId }, 'a WPAR of this name is deployed on another system; not discovered');
    }
    if (steps.length > 0) this.log.info({ steps: steps.map((s) => s.kind) }, 'reconciled WPARs');
    this.wparIds = await wpars.idsByName(this.systemId);
  }
}

/** Why a request stopped waiting when its task's signal aborted: the abort's own CapstanError (cancelled, shutting down) if it has one. */
function cancelled(signal: AbortSignal): CapstanError {
  return signal.reason instanceof CapstanError ? signal.reason : new CapstanError('CAP-E0403');
}
