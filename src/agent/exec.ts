// The one way the agent runs external commands (ip, runc, criu, tar, debootstrap…):
// no shell, arguments passed as a vector, output captured whole. A command that cannot
// be started at all (not installed) reports code 127 like a shell would, so callers have
// a single failure path.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RunOptions {
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables, merged over the agent's own. */
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed; without it stdin is /dev/null. */
  input?: string | Buffer;
  /** Kill the command (SIGKILL) after this many milliseconds; it then reports code 124. */
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit status; 128+N when killed by signal N, 127 when it could not be started, 124 on timeout. */
  code: number;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    if (opts.input !== undefined && child.stdin) {
      // A command that exits without reading its input must not crash the agent with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
    let settled = false;
    const finish = (code: number, extraErr = ''): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + extraErr,
        code,
      });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(e.code === 'ENOENT' ? 127 : 126, `${cmd}: ${e.message}\n`);
    });
    // 'close' (not 'exit') so stdout/stderr are complete.
    child.on('close', (code, signal) => {
      if (timedOut) finish(124, `${cmd}: timed out after ${opts.timeoutMs} ms\n`);
      else if (code !== null) finish(code);
      else finish(128 + (signal ? (SIGNALS[signal] ?? 0) : 0));
    });
  });
}

/** A command failed: carries its result so callers can tell failures apart. */
export class CommandError extends Error {
  constructor(
    readonly cmd: string,
    readonly args: string[],
    readonly result: RunResult,
  ) {
    const why = (result.stderr || result.stdout).trim() || `exit status ${result.code}`;
    super(`${cmd} ${args.join(' ')}: ${why}`);
    this.name = 'CommandError';
  }
}

/** Like run(), but a non-zero exit throws a CommandError with the command's stderr. */
export async function runOk(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new CommandError(cmd, args, r);
  return r;
}

/**
 * Whether a process lives (EPERM: it does, under another user). A zombie does not: it has
 * ended and waits only for its parent to collect it, which a killed agent's reaper may not
 * have done yet when the next `capstan agent start` asks.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !ended(pid);
}

/** Whether /proc says the process has ended (zombie or dead, state Z or X). */
function ended(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // "pid (comm) S …": the command name may hold spaces and parentheses; the state follows the last ')'.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}
