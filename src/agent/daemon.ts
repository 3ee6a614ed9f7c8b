// `capstan agent run`: the agent of one host. It keeps the control channel to the manager,
// reports the host profile, its WPARs (at connection, on every local change, and every
// half-minute so the manager can reconcile), and metrics every 10 s; it performs the
// manager's WPAR actions through the engine, renews its certificate, and listens on its own
// port for peers (mutual TLS with certificates of the same CA). WPARs never depend on it:
// they keep running whatever happens to the agent or the manager.
import { watch, writeFileSync, type FSWatcher } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { ActionRequest, AgentMessage, CapacityEnforcement, HostProfile, ManagerMessage, WparReport } from '../api/agents.js';
import type { WparState } from '../api/wpar-states.js';
import { isCapstanError } from '../api/errors.js';
import { SAMPLE_INTERVAL_MS } from '../api/metrics.js';
import { certificateRequest, certifiesKey, newKey, readCertificate, type KeyPem } from '../pki/x509.js';
import { performAction } from './control/actions.js';
import { ControlChannel, dialManager } from './control/channel.js';
import { ConsoleSessions } from './console/sessions.js';
import { MetricsOutbox } from './control/outbox.js';
import { LOG_LEVELS, type AgentFiles, type AgentLogLevel, type AgentSettings } from './control/config.js';
import { writeStatus, type AgentStatus } from './control/process.js';
import type { Engine } from './engine/index.js';
import { hostEngine, hostNetworkOf } from './host-engine.js';
import { applyHostNetwork } from './net/host-network.js';
import { Slice, readTopology } from './host/cgroups.js';
import { CapacityEnforcer } from './host/enforcement.js';
import { readProfile } from './host/profile.js';
import { sharedStateId } from './host/shared-state.js';
import { peerSystemId } from './relocation/peer.js';
import { RelocationAgent } from './relocation/service.js';
import { MetricsSampler } from './host/metrics.js';
import type { ImageStore } from './images/index.js';

export const AGENT_VERSION = '0.1.0';
/** Full inventory reports: the manager reconciles against each one. */
const INVENTORY_MS = 30_000;
/** Local changes are reported once they settle. */
const CHANGE_DEBOUNCE_MS = 200;
/** How often the certificate's age is checked: a tenth of its life, between a second and an hour. */
const RENEW_CHECK_MIN_MS = 1000;
const RENEW_CHECK_MAX_MS = 3600_000;
/** A renewal not answered within this is asked for again. */
const RENEW_ANSWER_MS = 60_000;

export class Agent {
  readonly engine: Engine;
  private readonly images: ImageStore;
  private readonly settings: AgentSettings;
  private channel?: ControlChannel;
  private server?: Server;
  private sampler?: MetricsSampler;
  private timers: NodeJS.Timeout[] = [];
  private watcher?: FSWatcher;
  private changeTimer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private stopping = false;
  /** Revoked peer certificates: kept on disk, so that a restart without the manager does not forget them. */
  private revoked: Set<string>;
  /** The key of a renewal asked for and not answered yet. */
  private pendingKey?: { key: KeyPem; askedAt: number };
  private status: AgentStatus;
  private readonly capacity: CapacityEnforcer;
  private readonly relocation: RelocationAgent;
  private readonly consoles: ConsoleSessions;

  constructor(private readonly files: AgentFiles, private readonly log: Logger) {
    this.settings = files.settings();
    this.revoked = files.revocations();
    log.level = this.settings.logLevel;
    ({ engine: this.engine, images: this.images } = hostEngine({ ...this.settings, agentDir: files.dir }));
    this.status = { pid: process.pid, channel: 'connecting', since: new Date().toISOString(), buffered: 0 };
    this.capacity = new CapacityEnforcer(files.capacityFile, async () => {
      const limits = new Map((await this.engine.list()).map((w) => [w.name, w.spec.resources.cpuLimit]));
      return Slice.of(this.engine.layout.cgroupParent, (name) => limits.get(name));
    }, readTopology);
    this.relocation = new RelocationAgent(this.engine, () => this.files.identity(), this.stateDir, this.settings.sharedStateDir, log.child({ component: 'relocation' }));
    this.consoles = new ConsoleSessions(this.engine, (path) => dialManager(this.settings.managerHost, this.settings.managerPort, this.files.identity(), path), log.child({ component: 'console' }));
  }

  /** The host's profile, and the shared state directory it can pass relocation images through. */
  private async profile(): Promise<HostProfile> {
    const dir = this.settings.sharedStateDir;
    return { ...(await readProfile()), ...(dir ? { sharedStateId: await sharedStateId(dir) } : {}) };
  }

  private get stateDir(): string {
    return join(this.engine.layout.root, 'agent-state');
  }

  async start(): Promise<void> {
    await mkdir(this.engine.layout.wparsDir, { recursive: true });
    await mkdir(this.stateDir, { recursive: true });
    // WPARs hang off the host bridge: it is there (and addressed) before anything deploys.
    await applyHostNetwork(hostNetworkOf(this.settings));
    // WPARs name the busybox image unless told otherwise: every host has it.
    await this.images.ensureBusybox();
    // Capacity holds from the start, whether or not the manager can be reached.
    await this.enforce(await this.capacity.kept());
    await this.listen();
    this.sampler = new MetricsSampler(this.engine);
    this.channel = new ControlChannel({
      managerHost: this.settings.managerHost,
      managerPort: this.settings.managerPort,
      identity: () => this.files.identity(),
      outbox: new MetricsOutbox(this.files.spoolFile),
      hello: async () => ({ type: 'hello', agentVersion: AGENT_VERSION, profile: await this.profile(), wpars: await this.inventory() }),
      onMessage: (m) => this.onMessage(m),
      onState: (channel, error) => this.setStatus({ channel, ...(error ? { lastError: error } : {}) }),
      log: this.log,
    });
    this.channel.start();
    void this.sample();
    this.timers.push(
      setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS),
      setInterval(() => void this.reportInventory(), INVENTORY_MS),
    );
    this.watchRecords();
    writeFileSync(this.files.pidFile, String(process.pid));
    this.log.info({ systemId: this.settings.systemId, manager: `${this.settings.managerHost}:${this.settings.managerPort}`, port: this.settings.agentPort }, 'agent started');
    this.scheduleRenewal();
  }

  /** Records change on every local command and engine operation: report them. */
  private watchRecords(): void {
    this.watcher = watch(this.engine.layout.wparsDir, { recursive: true }, () => {
      clearTimeout(this.changeTimer);
      this.changeTimer = setTimeout(() => void this.reportInventory(), CHANGE_DEBOUNCE_MS);
    });
    // Node's recursive watch fails when a directory vanishes while it is read (CRIU's
    // short-lived work directories do): watch again rather than die of it.
    this.watcher.on('error', (e) => {
      this.log.debug({ err: e }, 'watching the WPAR records failed; watching again');
      this.watcher?.close();
      if (!this.stopping) setTimeout(() => this.watchRecords(), CHANGE_DEBOUNCE_MS).unref();
      void this.reportInventory();
    });
  }

  private scheduleRenewal(): void {
    const cert = readCertificate(this.files.identity().cert);
    const life = cert.notAfter.getTime() - cert.notBefore.getTime();
    const next = Math.min(RENEW_CHECK_MAX_MS, Math.max(RENEW_CHECK_MIN_MS, life / 10));
    void this.renewIfDue().finally(() => {
      if (!this.stopping) this.renewTimer = setTimeout(() => this.scheduleRenewal(), next);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.renewTimer);
    clearTimeout(this.changeTimer);
    this.watcher?.close();
    this.channel?.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.engine.close();
    await rm(this.files.pidFile, { force: true });
    this.log.info('agent stopped');
  }

  /** Re-reads the log level from the agent's settings (SIGHUP, `capstan agent log-level`). */
  reloadLogLevel(): void {
    const level = this.files.settings().logLevel;
    if ((LOG_LEVELS as readonly string[]).includes(level)) this.log.level = level;
    this.log.info({ level }, 'log level');
  }

  private setStatus(change: Partial<AgentStatus>): void {
    this.status = { ...this.status, ...change, buffered: this.channel?.buffered ?? 0 };
    if (change.channel) this.status.since = new Date().toISOString();
    if (change.channel === 'connected') delete this.status.lastError;
    writeStatus(this.files, this.status);
  }

  private async inventory(): Promise<WparReport[]> {
    return (await this.engine.list()).map((w) => ({
      name: w.name,
      spec: w.spec,
      state: w.state,
      ...(w.brokenReason ? { brokenReason: w.brokenReason } : {}),
      ...(w.exitStatus !== undefined ? { exitStatus: w.exitStatus } : {}),
    }));
  }

  private async reportInventory(): Promise<void> {
    if (!this.channel?.connected) return;
    try {
      this.channel.send({ type: 'inventory', wpars: await this.inventory() });
    } catch (e) {
      this.log.warn({ err: e }, 'reading the WPARs failed');
    }
  }

  private async sample(): Promise<void> {
    try {
      const s = await this.sampler?.sample();
      if (s) this.channel?.report(s);
    } catch (e) {
      this.log.warn({ err: e }, 'sampling metrics failed');
    }
  }

  private onMessage(m: ManagerMessage): void {
    switch (m.type) {
      case 'action':
        void this.act(m);
        return;
      case 'discover':
        void this.answer(m.id, async () => {
          this.channel?.send({ type: 'inventory', wpars: await this.inventory() });
          return ['reported the WPARs of this system'];
        });
        return;
      case 'updateProfile':
        void this.answer(m.id, async () => {
          const profile = await this.profile();
          this.channel?.send({ type: 'profile', profile });
          return [`profile read: ${profile.cpu.cores} cores, ${Math.round(profile.memoryBytes / 2 ** 20)} MiB, kernel ${profile.kernel}`];
        });
        return;
      case 'logLevel':
        if ((LOG_LEVELS as readonly string[]).includes(m.level)) this.log.level = m.level as AgentLogLevel;
        return;
      case 'revocations':
        this.revoked = new Set(m.serials);
        try {
          this.files.saveRevocations(m.serials);
        } catch (err) {
          this.log.error({ err }, 'keeping the revoked certificates on disk failed');
        }
        return;
      case 'certificate':
        void this.renewed(m.certificate);
        return;
      case 'enforce':
        void this.enforce(m.capacity);
        return;
      case 'arrive':
        void this.answer(m.id, () => this.relocation.arrive(m));
        return;
      case 'depart':
        void this.answer(m.id, () => this.relocation.depart(m));
        return;
      case 'settle':
        void this.answer(m.id, () => this.relocation.settle(m));
        return;
      case 'console':
        void this.answer(m.id, () => this.consoles.open(m));
        return;
    }
  }

  /** Applies capacity and reports what is in force (actual active) to the manager. */
  private async enforce(e: CapacityEnforcement | null): Promise<void> {
    try {
      const applied = await this.capacity.enforce(e);
      if (applied.problem) this.log.warn({ problem: applied.problem }, 'capacity not fully applied');
      else this.log.info({ capacity: e, actual: applied.actual }, 'capacity enforced');
      if (this.channel?.connected) this.channel.send({ type: 'capacityApplied', ...applied });
    } catch (err) {
      this.log.error({ err }, 'enforcing capacity failed');
    }
  }

  private async act(req: ActionRequest): Promise<void> {
    this.log.info({ action: req.action, wpar: req.spec.name }, 'action');
    try {
      const r = await performAction(this.engine, req);
      this.channel?.send({ type: 'result', id: req.id, ok: true, state: r.state, output: r.output });
    } catch (e) {
      this.log.warn({ err: e, action: req.action, wpar: req.spec.name }, 'action failed');
      this.channel?.send({ type: 'result', id: req.id, ok: false, error: errorOf(e), output: [] });
    }
  }

  /** Runs a request and answers it: its output lines, or its outcome's state and output. */
  private async answer(id: string, fn: () => Promise<string[] | { state?: WparState; output: string[] }>): Promise<void> {
    let msg: AgentMessage;
    try {
      const r = await fn();
      msg = { type: 'result', id, ok: true, ...(Array.isArray(r) ? { output: r } : r) };
    } catch (e) {
      msg = { type: 'result', id, ok: false, error: errorOf(e), output: [] };
    }
    this.channel?.send(msg);
  }

  /** Asks for a new certificate once a third of the current one's life is left. */
  private async renewIfDue(): Promise<void> {
    if (!this.channel?.connected) return;
    // An answer lost with a dropped connection is asked for again.
    if (this.pendingKey && Date.now() - this.pendingKey.askedAt < RENEW_ANSWER_MS) return;
    const cert = readCertificate(this.files.identity().cert);
    const life = cert.notAfter.getTime() - cert.notBefore.getTime();
    if (cert.notAfter.getTime() - Date.now() > life / 3) return;
    const key = await newKey();
    this.pendingKey = { key, askedAt: Date.now() };
    this.channel.send({ type: 'renew', csr: await certificateRequest(this.settings.systemName, key.keys) });
  }

  /** Keeps a renewed certificate, if it is for the key last asked for (a late answer to an earlier request is not). */
  private async renewed(certificate: string): Promise<void> {
    const pending = this.pendingKey;
    if (!pending || !(await certifiesKey(certificate, pending.key.keys))) {
      this.log.warn('ignored a certificate for a key this agent is not waiting for');
      return;
    }
    this.files.saveCertificate(pending.key.key, certificate);
    this.pendingKey = undefined;
    const id = this.files.identity();
    this.server?.setSecureContext({ key: id.key, cert: id.cert, ca: id.ca });
    const renewed = readCertificate(certificate);
    // Saved: the manager may now revoke the certificate this one replaces.
    this.channel?.send({ type: 'certificateSaved', serial: renewed.serialNumber.toUpperCase() });
    this.log.info({ notAfter: renewed.notAfter }, 'certificate renewed');
  }

  /** The agent's port: peers (other agents, for transfers) with a current certificate of the same CA. */
  private async listen(): Promise<void> {
    const id = this.files.identity();
    const server = createServer({ key: id.key, cert: id.cert, ca: id.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const serial = (req.socket as TLSSocket).getPeerCertificate().serialNumber?.toUpperCase();
      if (!serial || this.revoked.has(serial)) {
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'CAP-E0601', message: 'revoked certificate' }));
        return;
      }
      const relocation = /^\/relocations\/([0-9a-f-]{36})\/images$/.exec(req.url ?? '');
      if (relocation && req.method === 'PUT') {
        this.relocation.receive(relocation[1] as string, peerSystemId((req.socket as TLSSocket).getPeerCertificate()), req).then(
          (arrived) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(arrived)),
          (e: unknown) => res.writeHead(isCapstanError(e) ? e.status : 500, { 'content-type': 'application/json' }).end(JSON.stringify(errorOf(e))),
        );
        return;
      }
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ systemId: this.settings.systemId, connected: this.channel?.connected ?? false }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'CAP-E0006', message: 'no such route' }));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      const serial = (req.socket as TLSSocket).getPeerCertificate().serialNumber?.toUpperCase();
      if (!serial || this.revoked.has(serial) || !this.relocation.tunnels.upgrade(req, socket)) socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.settings.host, port: this.settings.agentPort }, () => resolve());
    });
    this.server = server;
  }
}

function errorOf(e: unknown): { code: string; message: string } {
  return isCapstanError(e) ? { code: e.code, message: e.message } : { code: 'CAP-E1008', message: e instanceof Error ? e.message : String(e) };
}
