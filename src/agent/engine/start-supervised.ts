// Starts the supervisor of a WPAR run and waits until runc reports the container's process
// started, or the run failed before that.
//
// The supervisor is a detached shell (its own session) that runs `runc run` or `runc restore`
// in the foreground, so that someone waits for the WPAR's command and learns its exit status,
// even when the process that started it is gone. The container's stdin/stdout/stderr are real
// pipes: runc records them at checkpoint and CRIU can reattach pipes at restore, which it
// cannot do for the socket pairs Node would make. Output is appended to the WPAR's output.log.
// When runc ends, the shell reports { runId, status } at once (the engine waits for that
// after killing a container) and then runs supervisor.ts to settle the WPAR. A shell, not
// Node, runs runc so that no interpreter start-up delays the container.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CapstanError } from '../../api/errors.js';
import { readJsonIfExists } from './json-file.js';
import type { Layout } from './layout.js';
import { waitInDir } from './wait.js';

// Restoring hundreds of MiB can take a while; a stuck runc must not hang the engine forever.
const START_TIMEOUT_MS = 120_000;
/** runc writes its pid file into the WPAR directory, which wakes the wait; the poll is a safety net. */
const START_POLL_MS = 50;

/**
 * $1 is how many of the arguments after it are the settling command; the rest are runc's.
 * Once runc ended, the shell takes the WPAR's lock (see lock.ts) for the settling command,
 * which runs as this very process (exec keeps the pid): the WPAR shows as busy, not Broken,
 * while Node starts. Unless an operation holds the lock: then the command waits for it.
 */
const SUPERVISOR = `
reaper=("\${@:2:$1}"); shift "$(($1 + 1))"
: | runc "$@" 2>&1 | cat >> "$CAPSTAN_OUTPUT"
status=\${PIPESTATUS[1]}
ln -s "$$" "$CAPSTAN_LOCK" 2>/dev/null && locked=locked
printf '{"runId":"%s","status":%d}\\n' "$CAPSTAN_RUN_ID" "$status" > "$CAPSTAN_STATUS.$$.tmp" && mv -f "$CAPSTAN_STATUS.$$.tmp" "$CAPSTAN_STATUS"
exec "\${reaper[@]}" "$status" $locked
`;

export interface SupervisorStatus {
  runId: string;
  status: number;
}

/**
 * The command that runs one of the engine's own scripts (supervisor, pages-reaper) with
 * `args`; under tsx (tests, benchmarks) it is a .ts file and node needs the loader.
 */
export function engineScript(script: string, args: string[]): string[] {
  const ext = extname(fileURLToPath(import.meta.url));
  const path = fileURLToPath(new URL(`./${script}${ext}`, import.meta.url));
  return [process.execPath, ...(ext === '.ts' ? ['--import', 'tsx'] : []), path, ...args];
}

/** The last lines of a log file (empty when there is none). */
export async function tail(path: string, lines = 12): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** How the supervisor of that run said runc ended, or undefined while it runs (or was not that run's). */
export async function supervisorStatus(layout: Layout, name: string, runId: string): Promise<SupervisorStatus | undefined> {
  const ended = await readJsonIfExists<SupervisorStatus>(layout.wpar(name).supervisorStatus);
  return ended?.runId === runId ? ended : undefined;
}

/** The pid runc wrote when the container of the current run started (a small local file: read blocking, see json-file.ts). */
export function containerPid(layout: Layout, name: string): number | undefined {
  try {
    return Number(readFileSync(layout.wpar(name).pidFile, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

export interface SuperviseOptions {
  /** CRIU's log, whose last words join runc's when the start fails. */
  criuLog?: string;
  /** Asked now and then: why the start never will succeed (a start given up is ended, so runc and CRIU hold no file of the WPAR). */
  giveUp?: () => Promise<string | undefined>;
}

/**
 * Runs `runc <runcArgs>` under a new supervisor. Resolves once the container's process
 * exists (the pid file runc writes); throws CAP-E1008 with runc's (and CRIU's) last words
 * when it ended before that, or was given up.
 */
export async function startSupervised(layout: Layout, name: string, runId: string, runcArgs: string[], opts: SuperviseOptions = {}): Promise<void> {
  const { criuLog, giveUp } = opts;
  const paths = layout.wpar(name);
  await Promise.all([rm(paths.pidFile, { force: true }), rm(paths.supervisorStatus, { force: true })]);
  const reaper = engineScript('supervisor', [layout.root, name, runId]);
  const child = spawn('bash', ['-c', SUPERVISOR, 'capstan-supervisor', String(reaper.length), ...reaper, ...runcArgs], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, CAPSTAN_OUTPUT: paths.output, CAPSTAN_STATUS: paths.supervisorStatus, CAPSTAN_LOCK: paths.lock, CAPSTAN_RUN_ID: runId, CAPSTAN_ENGINE_SCOPE: layout.scope },
  });
  child.unref();

  const outcome = await waitInDir(paths.dir, START_TIMEOUT_MS, START_POLL_MS, async (polled) => {
    if (containerPid(layout, name)) return 'started';
    const ended = await supervisorStatus(layout, name, runId);
    if (ended || !polled || !giveUp) return ended;
    return (await giveUp()) ?? undefined;
  });
  if (outcome === 'started') return;
  const lastWords = async (): Promise<string> => [await tail(paths.output), criuLog ? await tail(criuLog) : ''].filter(Boolean).join('\n');
  if (outcome === undefined || typeof outcome === 'string') {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // it ended meanwhile
    }
    const why = outcome ?? `it did not start within ${START_TIMEOUT_MS / 1000} s`;
    throw new CapstanError('CAP-E1008', `${name} did not start: ${why}: ${await lastWords()}`);
  }
  throw new CapstanError('CAP-E1008', `${name} did not start (status ${outcome.status}): ${await lastWords()}`);
}
