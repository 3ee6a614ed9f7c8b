// Metrics the manager has not acknowledged yet. Each sample is appended to a file as it is
// taken and leaves it only when the manager says it has stored it, so a dropped connection,
// a manager killed before storing, and this agent killed all lose nothing. Sending a sample
// twice (an acknowledgement lost on the way) is harmless: the manager stores idempotently.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { MetricSample } from '../../api/agents.js';

export interface Pending {
  seq: number;
  sample: MetricSample;
}

/** A day of samples at one every 10 s. */
export const MAX_PENDING = 8640;
/** Lines no longer needed (acknowledged samples, acknowledgements) tolerated before the file is rewritten without them. */
const COMPACT_SLACK = 1000;

export class MetricsOutbox {
  private entries: Pending[] = [];
  private seq = 0;
  /** Lines in the file, acknowledged or not. */
  private lines = 0;

  constructor(private readonly file: string, private readonly max = MAX_PENDING) {
    let acked = 0;
    for (const line of readLines(file)) {
      if (!line) continue;
      try {
        const p = JSON.parse(line) as Pending | { ack: number };
        if ('ack' in p) acked = Math.max(acked, p.ack);
        else if (Number.isInteger(p.seq) && p.sample) this.entries.push(p);
      } catch {
        // A line torn by a kill mid-write: the sample was never complete.
      }
    }
    this.entries = this.entries.filter((p) => p.seq > acked).sort((a, b) => a.seq - b.seq);
    this.seq = Math.max(acked, this.entries.at(-1)?.seq ?? 0);
    this.trim();
    this.compact();
  }

  get size(): number {
    return this.entries.length;
  }

  add(sample: MetricSample): void {
    const p = { seq: ++this.seq, sample };
    this.append(p);
    this.entries.push(p);
    if (this.trim() || this.lines > this.entries.length + COMPACT_SLACK) this.compact();
  }

  /** The samples after `seq`, oldest first. */
  after(seq: number): Pending[] {
    return this.entries.filter((p) => p.seq > seq);
  }

  /** The manager has stored everything up to `seq`. */
  ack(seq: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((p) => p.seq > seq);
    if (this.entries.length === before) return;
    if (this.entries.length === 0 || this.lines > this.entries.length + COMPACT_SLACK) this.compact();
    else this.append({ ack: seq });
  }

  private append(line: Pending | { ack: number }): void {
    appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    this.lines++;
  }

  /** Drops the oldest beyond the bound; true when it did. */
  private trim(): boolean {
    if (this.entries.length <= this.max) return false;
    this.entries.splice(0, this.entries.length - this.max);
    return true;
  }

  /** Rewrites the file with the unacknowledged samples only (atomically: a kill keeps one or the other). */
  private compact(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, this.entries.map((p) => `${JSON.stringify(p)}\n`).join(''), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.lines = this.entries.length;
  }
}

/** The file's lines; none when there is no file yet. */
function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
