// `capstan wpar console NAME [-- COMMAND …]`: a login shell or one command inside an Active
// WPAR, through the manager and the WPAR's agent (api/console.ts). With a terminal when
// stdin is one (raw mode, its size followed), plain streams otherwise, so it serves a person
// and a script alike; exits with the command's status, as ssh does.
import type { IncomingMessage } from 'node:http';
import type { Command } from 'commander';
import type { WebSocket } from 'ws';
import { readStreamFrame, STREAMS, streamFrame, type ConsoleControl } from '../../../api/console.js';
import { ERRORS, type ErrorCode } from '../../../api/errors.js';
import { routePath } from '../../../api/route-definition.js';
import { routes } from '../../../api/routes/index.js';
import { ApiError, UnreachableError, type ApiClient } from '../../../client/api-client.js';
import { note } from '../../output.js';
import { remote } from '../context.js';

interface ConsoleOptions {
  /** commander's --tty / --no-tty: undefined unless given. */
  tty?: boolean;
}

export function consoleCommand(wpar: Command): void {
  wpar.command('console').description('A login shell inside an Active WPAR, or one command: wpar console NAME [-- COMMAND [ARG ...]]')
    .argument('<name>', 'name or id')
    .argument('[command...]', 'the command to run instead of a login shell (after --)')
    .option('-t, --tty', 'with a terminal (the default when stdin is one)')
    .option('-T, --no-tty', 'without a terminal: separate output and error streams, input until its end')
    .action(remote<ConsoleOptions>(async ({ client, opts, args }) => {
      const [name, command] = args as [string, string[]];
      return runConsole(client, name, command, opts.tty ?? process.stdin.isTTY === true);
    }));
}

async function runConsole(client: ApiClient, name: string, command: string[], tty: boolean): Promise<number> {
  const stdin = process.stdin;
  const size = (): { cols: number; rows: number } => ({ cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 });
  const ws = client.webSocket(routePath(routes.wpars.console, { id: name }), {
    arg: command, tty: tty ? '1' : '0', ...(tty ? { cols: size().cols, rows: size().rows } : {}),
    ...(tty && process.env.TERM && /^[A-Za-z0-9._+-]{1,64}$/.test(process.env.TERM) ? { term: process.env.TERM } : {}),
  });
  await opened(ws);
  const raw = tty && stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  const onInput = (d: Buffer): void => ws.send(streamFrame(STREAMS.stdin, d));
  const onEnd = (): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'eof' } satisfies ConsoleControl));
  };
  const onResize = (): void => ws.send(JSON.stringify({ type: 'resize', ...size() } satisfies ConsoleControl));
  stdin.on('data', onInput);
  stdin.on('end', onEnd);
  if (tty) process.stdout.on('resize', onResize);
  try {
    return await new Promise<number>((resolve, reject) => {
      let exit: number | undefined;
      ws.on('message', (data: Buffer, binary: boolean) => {
        if (binary) {
          const frame = readStreamFrame(data);
          if (frame) (frame.stream === STREAMS.stderr ? process.stderr : process.stdout).write(frame.data);
          return;
        }
        const msg = JSON.parse(data.toString()) as ConsoleControl;
        if (msg.type === 'exit') {
          if (msg.reason) note(`\r\ncapstan: the session was ended: ${msg.reason}`);
          exit = msg.code;
        } else if (msg.type === 'error') {
          reject(new ApiError(ERRORS[msg.code as ErrorCode]?.status ?? 502, msg.code, msg.message));
        }
      });
      ws.on('close', () => (exit === undefined ? reject(new UnreachableError('the session was cut before its command ended')) : resolve(exit)));
      ws.on('error', reject);
    });
  } finally {
    if (raw) stdin.setRawMode(false);
    stdin.off('data', onInput);
    stdin.off('end', onEnd);
    process.stdout.off('resize', onResize);
    stdin.pause();
  }
}

/** Resolves when the socket is open; a refused upgrade becomes the manager's error. */
function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (e) => reject(new UnreachableError(e.message)));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        try {
          const e = JSON.parse(body) as { code: string; message: string };
          reject(new ApiError(res.statusCode ?? 500, e.code, e.message));
        } catch {
          reject(new ApiError(res.statusCode ?? 500, 'CAP-E0005', `the manager answered HTTP ${res.statusCode}`));
        }
      });
    });
  });
}
