// Sessions inside a WPAR: a command or login shell that `runc exec` starts in a running WPAR
// (the seed's clogin on the host, `capstan wpar console` through the manager). The seed: the
// processes of such a session cannot be checkpointed (its terminal's other end is outside
// the WPAR), so a checkpoint or relocation refuses while one is open, or ends it first when
// told to. Each open session is a record under the WPAR's directory; its processes are found
// from the pid runc writes, so a session whose owner died is seen as ended.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CapstanError } from '../../api/errors.js';
import { processAlive } from '../exec.js';
import type { EngineContext } from './context.js';
import { readJsonIfExists, writeJsonAtomic } from './json-file.js';
import { observe } from './reconcile.js';

/** What a login session runs when no command is given. */
export const LOGIN_SHELL = ['/bin/sh', '-l'];
/** How long the processes of ended sessions may take to go. */
const END_WAIT_MS = 5_000;

export interface SessionOptions {
  /** The command; default: a login shell. */
  command?: string[];
  /** Give the session a terminal (runc exec -t). */
  tty: boolean;
  /** TERM inside, for a terminal. */
  term?: string;
  /** Who opened it: a user name, or "root on the host" for clogin. */
  by: string;
}

export interface SessionRecord {
  id: string;
  command: string[];
  tty: boolean;
  by: string;
  startedAt: string;
  /** Set when Capstan ends the session (the reason shown to its user). */
  endedReason?: string;
}

/** A session about to run: its caller runs `file args` (runc exec) and reports the process. */
export interface Session {
  readonly id: string;
  readonly file: string;
  readonly args: string[];
  /** Removes the session's record; resolves to the reason Capstan ended it, if it did. */
  close(): Promise<string | undefined>;
}

const dirOf = (ctx: EngineContext, name: string): string => join(ctx.layout.wpar(name).dir, 'sessions');
const pidFileOf = (dir: string, id: string): string => join(dir, `${id}.pid`);

/** Opens a session in a running WPAR; refused (CAP-E1006) when it is not Active. */
export async function openSession(ctx: EngineContext, name: string, opts: SessionOptions): Promise<Session> {
  const rec = await ctx.records.read(name);
  if (!rec) throw new CapstanError('CAP-E1000', name);
  const state = observe(rec, (await ctx.runc.state(name))?.status, false).state;
  if (state !== 'Active') throw new CapstanError('CAP-E1006', `cannot open a session in ${name}: it is ${state}`);
  const dir = dirOf(ctx, name);
  await mkdir(dir, { recursive: true });
  const record: SessionRecord = { id: randomUUID(), command: opts.command?.length ? opts.command : LOGIN_SHELL, tty: opts.tty, by: opts.by, startedAt: new Date().toISOString() };
  await writeJsonAtomic(join(dir, `${record.id}.json`), record);
  const env = opts.tty ? ['--env', `TERM=${opts.term || 'xterm'}`] : [];
  return {
    id: record.id,
    file: 'runc',
    args: [...ctx.runc.globalArgs(), 'exec', ...(opts.tty ? ['-t'] : []), '--pid-file', pidFileOf(dir, record.id), '--cwd', '/', ...env, name, ...record.command],
    async close() {
      const last = await readJsonIfExists<SessionRecord>(join(dir, `${record.id}.json`));
      await rm(join(dir, `${record.id}.json`), { force: true });
      await rm(pidFileOf(dir, record.id), { force: true });
      return last?.endedReason;
    },
  };
}

/** The sessions open in a WPAR now, with the pid of each one's first process. */
export async function openSessions(ctx: EngineContext, name: string): Promise<(SessionRecord & { pid: number })[]> {
  const dir = dirOf(ctx, name);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  // A pid is a session's only while it is in the WPAR's pid namespace: a pid left by a dead
  // owner may since belong to anything on the host.
  const ns = pidNamespace((await ctx.runc.state(name))?.pid ?? 0);
  const open: (SessionRecord & { pid: number })[] = [];
  for (const f of files) {
    const rec = await readJsonIfExists<SessionRecord>(join(dir, f));
    if (!rec) continue;
    const pid = Number((await readFile(pidFileOf(dir, rec.id), 'utf8').catch(() => '')).trim());
    // No pid yet: runc is starting it; count it, its first process is about to exist.
    if (!Number.isInteger(pid) || pid <= 0) open.push({ ...rec, pid: 0 });
    else if (ns && pidNamespace(pid) === ns && processAlive(pid)) open.push({ ...rec, pid });
  }
  return open;
}

/**
 * Before a checkpoint or relocation: refused (CAP-E1022) while sessions are open, unless
 * `endReason` says to end them, which kills their processes and tells their users why.
 */
export async function settleSessions(ctx: EngineContext, name: string, endReason?: string): Promise<number> {
  const open = await openSessions(ctx, name);
  if (open.length === 0) return 0;
  if (endReason === undefined) {
    const list = open.map((s) => `${s.by} since ${s.startedAt} (${s.command.join(' ')})`).join('; ');
    throw new CapstanError('CAP-E1022', `${name} has ${open.length} open session(s): ${list}`);
  }
  const dir = dirOf(ctx, name);
  for (const s of open) {
    const ended: SessionRecord = { id: s.id, command: s.command, tty: s.tty, by: s.by, startedAt: s.startedAt, endedReason: endReason };
    await writeJsonAtomic(join(dir, `${s.id}.json`), ended);
  }
  const deadline = Date.now() + END_WAIT_MS;
  for (;;) {
    const left = (await openSessions(ctx, name)).filter((s) => s.pid > 0);
    const procs = left.flatMap((s) => sessionProcesses(s.pid));
    for (const pid of procs) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    if (procs.length === 0) return open.length;
    if (Date.now() > deadline) throw new CapstanError('CAP-E1022', `the processes of ${name}'s sessions did not end: ${procs.join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The processes of the session started as `leader`: those in its session (a terminal's, after
 * setsid) and its descendants (without a terminal), found in /proc.
 */
export function sessionProcesses(leader: number): number[] {
  const procs: { pid: number; ppid: number; sid: number }[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the command (which may hold spaces and parentheses): state ppid pgrp session.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(e), ppid: Number(f[1]), sid: Number(f[3]) });
    } catch {
      // ended while we looked
    }
  }
  const ns = pidNamespace(leader);
  if (!ns || !procs.some((p) => p.pid === leader)) return [];
  const found = new Set([leader]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!found.has(p.pid) && (p.sid === leader || found.has(p.ppid))) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return [...found].filter((pid) => pidNamespace(pid) === ns);
}

/** The pid namespace a process is in ("pid:[4026532…]"); undefined when it is gone. */
function pidNamespace(pid: number): string | undefined {
  if (pid <= 0) return undefined;
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}
