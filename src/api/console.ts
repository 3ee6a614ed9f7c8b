// A session inside a WPAR through the manager (`capstan wpar console`): the user's WebSocket
// to the manager (routes.wpars.console, with an upgrade) and the agent's WebSocket back to it carry the same frames, which the
// manager passes on unchanged. Binary frames are a stream's bytes, after one byte naming the
// stream; text frames are the JSON control messages below. One source for CLI, manager and
// agent.
import { Type, type Static } from 'typebox';

/** The agent's end, dialled back to the manager with its certificate, under the API prefix. */
export const agentConsolePath = (sessionId: string): string => `/agents/consoles/${sessionId}`;
export const AGENT_CONSOLE_PATTERN = /^\/agents\/consoles\/([0-9a-f-]{36})$/;

export const CONSOLE_LIMITS = { commandWords: 256, wordLength: 4096, maxFrameBytes: 1024 * 1024 } as const;

export const ConsoleQuery = Type.Object(
  {
    /** The command, one word per `arg`; none: a login shell. */
    arg: Type.Optional(Type.Array(Type.String({ maxLength: CONSOLE_LIMITS.wordLength }), { maxItems: CONSOLE_LIMITS.commandWords })),
    /** With a terminal (the default), or plain streams ("0"). */
    tty: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0')])),
    cols: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', maxLength: 4 })),
    rows: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', maxLength: 4 })),
    term: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._+-]{1,64}$', maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ConsoleQuery = Static<typeof ConsoleQuery>;

export const STREAMS = { stdin: 0, stdout: 1, stderr: 2 } as const;

/** Control messages, as text frames. */
export type ConsoleControl =
  /** user → agent: the terminal's size changed. */
  | { type: 'resize'; cols: number; rows: number }
  /** user → agent: no more input (without a terminal). */
  | { type: 'eof' }
  /** agent → user: the session's process ended; `reason` when Capstan ended it. */
  | { type: 'exit'; code: number; reason?: string }
  /** manager or agent → user: the session could not be opened. */
  | { type: 'error'; code: string; message: string };

export function streamFrame(stream: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.of(stream), body]);
}

/** A binary frame's stream and bytes; undefined for an empty frame. */
export function readStreamFrame(frame: Buffer): { stream: number; data: Buffer } | undefined {
  if (frame.length === 0) return undefined;
  return { stream: frame[0] as number, data: frame.subarray(1) };
}

/** A terminal size (from query text or a resize message), bounded to what terminals use. */
export function terminalSize(cols: string | number | undefined, rows: string | number | undefined): { cols: number; rows: number } {
  const clamp = (v: string | number | undefined, d: number): number => Math.min(1000, Math.max(1, Number(v ?? d) || d));
  return { cols: clamp(cols, 80), rows: clamp(rows, 24) };
}
