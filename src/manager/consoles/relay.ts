// Sessions inside WPARs through the manager (`capstan wpar console`): a user's WebSocket is
// authorised like any change to the WPAR, the WPAR's agent is asked to open the session and
// dials its streams back here with its certificate, and the two sockets are joined; frames
// pass unchanged (api/console.ts). Nothing of a session is stored: it lives as long as both
// sockets do. Every opening is logged with who, which WPAR and what command.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { fastifyCookie } from '@fastify/cookie';
import type { Logger } from 'pino';
import { Compile } from 'typebox/compile';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AGENT_CONSOLE_PATTERN, CONSOLE_LIMITS, ConsoleQuery, terminalSize, type ConsoleControl } from '../../api/console.js';
import { CapstanError, isCapstanError } from '../../api/errors.js';
import { API_PREFIX, SESSION_COOKIE } from '../../api/paths.js';
import { routes } from '../../api/routes/index.js';
import type { WparView } from '../../api/wpar.js';
import type { AgentClient } from '../agents/agent-client.js';
import { agentSystemOf } from '../agents/hub.js';
import type { AgentEnrolment } from '../agents/enrolment.js';
import type { Principal, SessionService } from '../auth/sessions.js';
import { authorizeCaller } from '../http/auth-hook.js';
import type { UpgradeHandler } from '../http/upgrades.js';

const USER_PATTERN = new RegExp(`^${API_PREFIX}${routes.wpars.console.path.replace(':id', '([^/]+)')}$`);
const AGENT_PATTERN = new RegExp(`^${API_PREFIX}${AGENT_CONSOLE_PATTERN.source.slice(1)}`);
const checkQuery = Compile(ConsoleQuery);
/** A session the agent has not dialled back for this long is given up. */
const DIAL_BACK_MS = 30_000;
/** Bytes queued towards one side before the other is read no further. */
const HIGH_WATER = 1024 * 1024;

export interface ConsoleDeps {
  sessions: SessionService;
  wpars: { get(ref: string): Promise<WparView> };
  /** Refuses a caller who may not hold what the WPAR holds (its privileged fields): a session is the WPAR's power. */
  mayEnter(principal: Principal, wpar: WparView): Promise<void>;
  agents: AgentClient;
  enrolment: Pick<AgentEnrolment, 'systemOf'>;
  log: Logger;
}

interface Waiting {
  systemId: string;
  user: WebSocket;
  /** What the user sent before the agent's end was there. */
  early: { data: RawData; binary: boolean }[];
  timer: NodeJS.Timeout;
}

export class ConsoleRelay implements UpgradeHandler {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: CONSOLE_LIMITS.maxFrameBytes });
  private readonly waiting = new Map<string, Waiting>();
  private readonly open = new Set<WebSocket>();

  constructor(private readonly deps: ConsoleDeps) {}

  handles(pathname: string): boolean {
    return USER_PATTERN.test(pathname) || AGENT_PATTERN.test(pathname);
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://x');
    const agentEnd = AGENT_PATTERN.exec(url.pathname);
    if (agentEnd) return this.agentArrives(agentEnd[1] as string, req, socket, head);
    return this.userArrives(decodeURIComponent(USER_PATTERN.exec(url.pathname)?.[1] ?? ''), url.searchParams, req, socket, head);
  }

  close(): void {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    for (const ws of this.open) ws.close(1001, 'manager stopping');
    this.wss.close();
  }

  private async userArrives(ref: string, params: URLSearchParams, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const query = queryOf(params);
    const principal = await authorizeCaller(this.deps.sessions, {
      permission: routes.wpars.console.permission,
      // A session can change anything in the WPAR: its origin is checked as a change's is.
      unsafe: true,
      origin: req.headers.origin,
      host: req.headers.host,
      authorization: req.headers.authorization,
      sessionCookie: fastifyCookie.parse(req.headers.cookie ?? '')[SESSION_COOKIE],
      openBeforePasswordChange: false,
    });
    const wpar = await this.deps.wpars.get(ref);
    if (!principal) throw new CapstanError('CAP-E0100');
    await this.deps.mayEnter(principal, wpar);
    if (!wpar.system) throw new CapstanError('CAP-E1006', `${wpar.name} is not deployed`);
    if (wpar.state !== 'Active') throw new CapstanError('CAP-E1006', `cannot open a session in ${wpar.name}: it is ${wpar.state}`);
    if (!this.deps.agents.connected(wpar.system.id)) throw new CapstanError('CAP-E0302', wpar.system.name);
    const systemId = wpar.system.id;
    const user = await new Promise<WebSocket>((resolve) => this.wss.handleUpgrade(req, socket, head, resolve));
    this.track(user);
    const sessionId = randomUUID();
    const tty = query.tty !== '0';
    const command = query.arg ?? [];
    const fail = (e: unknown): void => {
      if (!this.waiting.delete(sessionId)) return;
      const err = isCapstanError(e) ? e : new CapstanError('CAP-E1023', String(e));
      send(user, { type: 'error', code: err.code, message: err.message });
      user.close(1011, err.code);
    };
    const waiting: Waiting = { systemId, user, early: [], timer: setTimeout(() => fail(new CapstanError('CAP-E1023', 'the agent did not connect the session')), DIAL_BACK_MS) };
    this.waiting.set(sessionId, waiting);
    let earlyBytes = 0;
    user.on('message', (data, binary) => {
      earlyBytes += (data as Buffer).length;
      if (earlyBytes > HIGH_WATER) fail(new CapstanError('CAP-E1023', 'too much input before the session opened'));
      else waiting.early.push({ data, binary });
    });
    user.on('close', () => {
      clearTimeout(waiting.timer);
      this.waiting.delete(sessionId);
    });
    this.deps.log.info({ user: principal.name, wpar: wpar.name, systemId, command, tty, sessionId }, 'console session opening');
    this.deps.agents.ask(systemId, {
      type: 'console', sessionId, name: wpar.name, tty, ...terminalSize(query.cols, query.rows),
      ...(command.length ? { command } : {}), ...(query.term ? { term: query.term } : {}), by: principal.name,
    }).catch((e: unknown) => {
      clearTimeout(waiting.timer);
      fail(e);
    });
  }

  private async agentArrives(sessionId: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const systemId = await agentSystemOf(req, this.deps.enrolment);
    const waiting = this.waiting.get(sessionId);
    // Only the agent asked, and only once.
    if (!waiting || waiting.systemId !== systemId) throw new CapstanError('CAP-E0006', 'no console session waits for this agent');
    this.waiting.delete(sessionId);
    clearTimeout(waiting.timer);
    const agent = await new Promise<WebSocket>((resolve) => this.wss.handleUpgrade(req, socket, head, resolve));
    this.track(agent);
    const { user } = waiting;
    user.removeAllListeners('message');
    for (const m of waiting.early) agent.send(m.data, { binary: m.binary });
    join(user, agent);
    join(agent, user);
    this.deps.log.info({ sessionId, systemId }, 'console session joined');
  }

  private track(ws: WebSocket): void {
    this.open.add(ws);
    ws.on('close', () => this.open.delete(ws));
    ws.on('error', (e) => this.deps.log.debug({ err: e }, 'console socket error'));
  }
}

/** Passes `from`'s frames on to `to`, reading `from` no further while `to` is behind; closes `to` with it. */
function join(from: WebSocket, to: WebSocket): void {
  from.on('message', (data, binary) => {
    if (to.readyState !== to.OPEN) return;
    to.send(data, { binary }, () => {
      if (from.isPaused && to.bufferedAmount < HIGH_WATER / 2) from.resume();
    });
    if (to.bufferedAmount > HIGH_WATER) from.pause();
  });
  from.on('close', () => to.close(1000));
}

function send(ws: WebSocket, msg: ConsoleControl): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

function queryOf(params: URLSearchParams): ConsoleQuery {
  const args = params.getAll('arg');
  const q: Record<string, unknown> = {};
  for (const [k, v] of params) if (k !== 'arg') q[k] = v;
  if (args.length) q.arg = args;
  if (!checkQuery.Check(q)) throw new CapstanError('CAP-E0001', `the console's query is not valid: ${[...checkQuery.Errors(q)].map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
  return q as ConsoleQuery;
}
