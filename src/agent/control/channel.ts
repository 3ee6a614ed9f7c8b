// The agent's end of the control channel: it connects to the manager over mutual TLS,
// says hello (profile and WPARs), sends heartbeats, and reconnects with backoff whenever the
// connection drops. Metrics wait in the outbox (on disk) until the manager acknowledges them,
// and go out, oldest first, on every connection.
import type { PeerCertificate } from 'node:tls';
import { WebSocket, type ClientOptions } from 'ws';
import type { Logger } from 'pino';
import { AGENT_PATHS, HEARTBEAT_MS, type AgentMessage, type ManagerMessage, type MetricSample } from '../../api/agents.js';
import { API_PREFIX } from '../../api/paths.js';
import { fingerprintOf } from '../../client/api-client.js';
import type { AgentIdentity } from './config.js';
import type { MetricsOutbox } from './outbox.js';

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** Samples per message when a backlog is flushed. */
export const FLUSH_BATCH = 500;

export interface ChannelOptions {
  managerHost: string;
  managerPort: number;
  identity: () => AgentIdentity;
  outbox: MetricsOutbox;
  /** The first message of every connection. */
  hello: () => Promise<AgentMessage>;
  onMessage: (msg: ManagerMessage) => void;
  onState: (state: 'connecting' | 'connected' | 'revoked', error?: string) => void;
  log: Logger;
}

/**
 * A WebSocket to the manager at `path` (under the API prefix), over mutual TLS with the
 * agent's certificate; the manager is known by the certificate pinned at registration,
 * whatever name reaches it.
 */
export function dialManager(managerHost: string, managerPort: number, id: AgentIdentity, path: string): WebSocket {
  const pinned = fingerprintOf(id.manager);
  const host = managerHost.includes(':') ? `[${managerHost}]` : managerHost;
  return new WebSocket(`wss://${host}:${managerPort}${API_PREFIX}${path}`, {
    key: id.key,
    cert: id.cert,
    ca: id.manager,
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      cert.fingerprint256 === pinned ? undefined : new Error(`the manager's certificate changed (${cert.fingerprint256})`),
    handshakeTimeout: 10_000,
  } as unknown as ClientOptions);
}

export class ControlChannel {
  private ws?: WebSocket;
  private open = false;
  private stopped = false;
  private backoff = BACKOFF_MIN_MS;
  private retry?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  /** The last sample sent on this connection (acknowledged or not). */
  private sentThrough = 0;
  /** Revoked stays the state until a connection is accepted again. */
  private revoked = false;

  constructor(private readonly o: ChannelOptions) {}

  get connected(): boolean {
    return this.open;
  }

  get buffered(): number {
    return this.o.outbox.size;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.ws?.close(1001, 'agent stopping');
  }

  /** Sends now if connected; otherwise dropped (the next hello carries the full state again). */
  send(msg: AgentMessage): void {
    if (this.open) this.ws!.send(JSON.stringify(msg));
  }

  /** Metrics are kept until the manager has them. */
  report(sample: MetricSample): void {
    this.o.outbox.add(sample);
    this.flush();
  }

  private flush(): void {
    if (!this.open) return;
    const waiting = this.o.outbox.after(this.sentThrough);
    for (let i = 0; i < waiting.length; i += FLUSH_BATCH) {
      const batch = waiting.slice(i, i + FLUSH_BATCH);
      this.sentThrough = batch.at(-1)!.seq;
      this.ws!.send(JSON.stringify({ type: 'metrics', seq: this.sentThrough, samples: batch.map((p) => p.sample) } satisfies AgentMessage));
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = dialManager(this.o.managerHost, this.o.managerPort, this.o.identity(), AGENT_PATHS.channel);
    this.ws = ws;
    let refused = false;
    if (!this.revoked) this.o.onState('connecting');
    ws.on('open', () => {
      void this.o.hello().then((hello) => {
        if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
        ws.send(JSON.stringify(hello));
        this.open = true;
        this.sentThrough = 0;
        this.revoked = false;
        this.backoff = BACKOFF_MIN_MS;
        this.o.onState('connected');
        this.o.log.info('connected to the manager');
        this.heartbeat = setInterval(() => this.send({ type: 'heartbeat' }), HEARTBEAT_MS);
        this.flush();
      }, (e: unknown) => {
        this.o.log.error({ err: e }, 'reading the host for hello failed');
        ws.close(1011, 'hello failed');
      });
    });
    ws.on('message', (data) => {
      try {
        const msg = JSON.parse(data.toString()) as ManagerMessage;
        if (msg.type === 'metricsAck') this.o.outbox.ack(msg.seq);
        else this.o.onMessage(msg);
      } catch (e) {
        this.o.log.warn({ err: e }, 'ignored a message the agent could not read');
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      const revoked = res.statusCode === 401 || res.statusCode === 403;
      if (revoked && !this.revoked) this.o.log.error('the manager refuses this agent: it is not (or no longer) registered; configure it again');
      this.revoked ||= revoked;
      this.o.onState(this.revoked ? 'revoked' : 'connecting', `the manager refused the connection (HTTP ${res.statusCode})`);
      ws.terminate();
    });
    ws.on('error', (e) => {
      this.o.log.debug({ err: e }, 'control channel error');
      if (!refused && !this.revoked) this.o.onState('connecting', e.message);
    });
    ws.on('close', (code, reason) => {
      clearInterval(this.heartbeat);
      const was = this.open;
      this.open = false;
      if (ws !== this.ws) return;
      if (code === 4003) {
        this.revoked = true;
        this.o.onState('revoked', reason.toString());
        this.o.log.error({ reason: reason.toString() }, 'the manager revoked this agent');
      } else if (was) {
        this.o.log.warn({ code, reason: reason.toString() }, 'lost the manager; reconnecting');
      }
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.backoff * (0.75 + Math.random() / 2);
    this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
    this.retry = setTimeout(() => this.connect(), delay);
  }
}
