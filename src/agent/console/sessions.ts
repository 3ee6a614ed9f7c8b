// The agent's end of `capstan wpar console`: asked by the manager, it opens a session in the
// WPAR (engine/sessions.ts), runs it under a pseudo-terminal (or with plain pipes), and
// dials its streams back to the manager, which joins them to the user's socket.
import { spawn as spawnChild } from 'node:child_process';
import { constants } from 'node:os';
import type { Logger } from 'pino';
import { spawn as spawnPty } from 'node-pty';
import type { WebSocket } from 'ws';
import type { ConsoleRequest } from '../../api/agents.js';
import { agentConsolePath, readStreamFrame, STREAMS, streamFrame, terminalSize, type ConsoleControl } from '../../api/console.js';
import { CapstanError } from '../../api/errors.js';
import type { Engine } from '../engine/index.js';
import type { Session } from '../engine/sessions.js';

/** The running command of a session, with or without a terminal. */
interface Running {
  write(data: Buffer): void;
  endInput(): void;
  resize(cols: number, rows: number): void;
  hangUp(): void;
  /** Stops reading the session's output (the manager is behind), and starts again. */
  hold(on: boolean): void;
  onOutput(fn: (stream: number, data: Buffer) => void): void;
  exited: Promise<number>;
}

/** Bytes of output queued towards the manager before the session's output is read no further. */
const OUTPUT_HIGH_WATER = 1024 * 1024;

export class ConsoleSessions {
  constructor(
    private readonly engine: Engine,
    /** A WebSocket to the manager at this path. */
    private readonly dial: (path: string) => WebSocket,
    private readonly log: Logger,
  ) {}

  /** Opens the session and joins it to the manager; resolves once it runs. */
  async open(req: ConsoleRequest): Promise<string[]> {
    const session = await this.engine.openSession(req.name, {
      ...(req.command ? { command: req.command } : {}), tty: req.tty, ...(req.term ? { term: req.term } : {}), by: req.by,
    });
    let ws: WebSocket;
    try {
      ws = await connected(this.dial(agentConsolePath(req.sessionId)));
    } catch (e) {
      await session.close();
      throw new CapstanError('CAP-E1023', `the agent could not reach the manager for the session: ${(e as Error).message}`);
    }
    const running = req.tty ? withTerminal(session, req) : withPipes(session);
    // Bounded: a WPAR that prints faster than its user reads is read no further meanwhile,
    // rather than piling its output up in the agent.
    let held = false;
    running.onOutput((stream, data) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(streamFrame(stream, data), () => {
        if (held && ws.bufferedAmount < OUTPUT_HIGH_WATER / 2) {
          held = false;
          running.hold(false);
        }
      });
      if (!held && ws.bufferedAmount > OUTPUT_HIGH_WATER) {
        held = true;
        running.hold(true);
      }
    });
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (binary) {
        const frame = readStreamFrame(data);
        if (frame?.stream === STREAMS.stdin) running.write(frame.data);
        return;
      }
      try {
        const msg = JSON.parse(data.toString()) as ConsoleControl;
        if (msg.type === 'resize') running.resize(msg.cols, msg.rows);
        else if (msg.type === 'eof') running.endInput();
      } catch {
        // not a control message: ignored
      }
    });
    // The user went away: the session ends as a terminal's does when it hangs up.
    ws.on('close', () => running.hangUp());
    ws.on('error', (e) => this.log.debug({ err: e }, 'console socket error'));
    void running.exited.then(async (code) => {
      const reason = await session.close();
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'exit', code, ...(reason ? { reason } : {}) } satisfies ConsoleControl));
      ws.close(1000);
      this.log.info({ wpar: req.name, sessionId: req.sessionId, code, reason }, 'console session ended');
    });
    this.log.info({ wpar: req.name, sessionId: req.sessionId, by: req.by, command: req.command ?? 'login shell' }, 'console session opened');
    return [`session ${session.id} open in ${req.name}`];
  }
}

function connected(ws: WebSocket): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`the manager answered HTTP ${res.statusCode}`)));
  });
}

const statusOf = (code: number | null, signal: string | number | null | undefined): number =>
  code ?? 128 + (typeof signal === 'number' ? signal : signal ? (constants.signals[signal as NodeJS.Signals] ?? 0) : 0);

function withTerminal(session: Session, req: ConsoleRequest): Running {
  // encoding null: bytes both ways, whatever the session prints.
  const pty = spawnPty(session.file, session.args, { name: req.term ?? 'xterm', cols: req.cols, rows: req.rows, env: process.env as Record<string, string>, encoding: null });
  return {
    write: (data) => pty.write(data),
    endInput: () => undefined,
    resize: (cols, rows) => {
      const size = terminalSize(cols, rows);
      pty.resize(size.cols, size.rows);
    },
    hangUp: () => pty.kill('SIGHUP'),
    hold: (on) => (on ? pty.pause() : pty.resume()),
    // With encoding null the data are Buffers, though typed as strings.
    onOutput: (fn) => pty.onData((d) => fn(STREAMS.stdout, d as unknown as Buffer)),
    exited: new Promise((resolve) => pty.onExit((e) => resolve(statusOf(e.exitCode, e.signal || null)))),
  };
}

function withPipes(session: Session): Running {
  const child = spawnChild(session.file, session.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  return {
    write: (data) => child.stdin.write(data),
    endInput: () => child.stdin.end(),
    resize: () => undefined,
    hangUp: () => child.kill('SIGHUP'),
    hold: (on) => {
      for (const s of [child.stdout, child.stderr]) {
        if (on) s.pause();
        else s.resume();
      }
    },
    onOutput: (fn) => {
      child.stdout.on('data', (d: Buffer) => fn(STREAMS.stdout, d));
      child.stderr.on('data', (d: Buffer) => fn(STREAMS.stderr, d));
    },
    exited: new Promise((resolve) => {
      child.on('error', () => resolve(255));
      child.on('close', (code, signal) => resolve(statusOf(code, signal)));
    }),
  };
}
