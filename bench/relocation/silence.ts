// What a relocation costs an outside client: a server inside the WPAR writes a numbered line
// every 50 ms on a TCP connection, and a client on the host (through the bridge, as any peer
// of the segment) notes when each line came. The longest silence around the move is what a
// user of the WPAR waits; a number missing or seen twice is a broken stream. The workload's
// own frozen time (ticks.ts) cannot see the time its packets need to reach anyone.
import { connect, type Socket } from 'node:net';

/** The port the talker listens on inside the WPAR. */
export const TALK_PORT = 5000;

/** A shell line that serves, on every connection, a line "N" every 50 ms (busybox nc runs the rest of its arguments). */
export function talker(port = TALK_PORT): string {
  return `busybox nc -ll -p ${port} -e sh -c 'i=0; while :; do i=$((i+1)); echo $i; usleep 50000; done' &`;
}

export interface Line {
  /** Epoch ms the client read it. */
  at: number;
  n: number;
}

export interface Silence {
  /** The longest gap between two lines (or from the last line to `to`) that ends within [from, to], in ms. */
  longestMs: number;
  /** Numbers between the first and the last that never came, and lines whose number came before. */
  lost: number;
  repeated: number;
}

/** The longest silence of a stream of lines within [from, to] (epoch ms), with what it lost or repeated. */
export function silenceOf(lines: Line[], from: number, to: number): Silence {
  let longestMs = 0;
  for (let i = 1; i < lines.length; i++) {
    const [before, after] = [lines[i - 1] as Line, lines[i] as Line];
    if (after.at >= from && after.at <= to) longestMs = Math.max(longestMs, after.at - before.at);
  }
  const seen = new Set(lines.map((l) => l.n));
  const numbers = [...seen];
  const lost = numbers.length ? Math.max(...numbers) - Math.min(...numbers) + 1 - seen.size : 0;
  const repeated = lines.length - seen.size;
  // A stream that stopped is silent until the end of the window.
  const last = lines.at(-1);
  longestMs = Math.max(longestMs, last ? Math.max(0, to - Math.max(last.at, from)) : to - from);
  return { longestMs, lost, repeated };
}

/** A client of the talker: every line with when it came, and whatever broke the connection. */
export class TalkClient {
  private readonly sk: Socket;
  private buffer = '';
  readonly lines: Line[] = [];
  readonly trouble: string[] = [];

  constructor(host: string, port = TALK_PORT) {
    this.sk = connect(port, host);
    this.sk.setNoDelay(true);
    this.sk.on('data', (d: Buffer) => {
      const at = Date.now();
      this.buffer += d.toString();
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      for (const p of parts) this.lines.push({ at, n: Number(p) });
    });
    this.sk.on('error', (e) => this.trouble.push(`error ${e.message}`));
    this.sk.on('close', () => this.trouble.push('closed'));
  }

  /** Resolves once `count` lines came; rejects when the connection broke or nothing came in time. */
  async receiving(count = 3, ms = 10_000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
      if (this.lines.length >= count) return;
      if (this.trouble.length) break;
    }
    throw new Error(`the talker sent ${this.lines.length} lines (${this.trouble.join(', ') || 'no error'})`);
  }

  close(): void {
    this.sk.destroy();
  }
}
