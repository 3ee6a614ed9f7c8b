// Before a departing WPAR's link comes off its bridge: its processes are frozen, but what
// they wrote may still be on the way. A segment whose ACK the detached link loses, or one
// the kernel still held back (Nagle's algorithm waits for that ACK), travels in CRIU's
// images as "sent" and goes nowhere from the arrival: its socket waits for the
// retransmission timer, 1 s for a restored socket that has no round-trip estimate yet, and
// holds back everything the process writes meanwhile. So the link stays until the peers
// acknowledged everything (the delayed ACK of a Linux peer comes within 40 ms), or a short
// while has passed: a connection that streams never drains, and the frozen time counts.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long the frozen WPAR waits for its peers' ACKs at most. */
export const DRAIN_MS = 80;
const POLL_MS = 2;

/** TCP states in which the socket still owes its peer data: ESTABLISHED, FIN_WAIT1, CLOSE_WAIT, LAST_ACK. */
const SENDING = new Set(['01', '04', '08', '09']);

/** Bytes written and not yet acknowledged (tx_queue), over the connections of a /proc/net/tcp{,6} table. */
export function unacknowledged(table: string): number {
  let bytes = 0;
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const [tx] = (f[4] ?? '').split(':');
    if (f[3] && SENDING.has(f[3]) && tx) bytes += parseInt(tx, 16) || 0;
  }
  return bytes;
}

async function owed(pid: number): Promise<number> {
  const tables = await Promise.all(['tcp', 'tcp6'].map((t) => readFile(`/proc/${pid}/net/${t}`, 'utf8').catch(() => '')));
  return tables.reduce((n, t) => n + unacknowledged(t), 0);
}

/**
 * Waits (at most `ms`) until no connection of the network namespace that process `pid` is
 * in has unacknowledged data; resolves with whether they drained.
 */
export async function drainConnections(pid: number, ms = DRAIN_MS): Promise<boolean> {
  for (const end = Date.now() + ms; ; await sleep(POLL_MS)) {
    if ((await owed(pid)) === 0) return true;
    if (Date.now() >= end) return false;
  }
}
