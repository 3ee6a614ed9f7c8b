// PostgreSQL: an online dump of the manager's schema with pg_dump (custom format), and an
// offline restore that replaces the schema completely or not at all: pg_restore renders
// the dump as SQL, and psql runs it after dropping the schema, in one transaction that is
// only committed once the whole dump has been rendered.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { CapstanError, type ErrorCode } from '../../api/errors.js';

/** PostgreSQL's default schema, where the tables are unless the handle names another. */
export const DEFAULT_SCHEMA = 'public';
const STDERR_TAIL = 20;

/**
 * The connection as libpq environment variables, so the password never appears on a
 * command line (where every local user could read it).
 */
export function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  const q = u.searchParams;
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: 'capstan-backup' };
  const set = (name: string, value: string | null | undefined) => {
    if (value) env[name] = value;
  };
  set('PGHOST', q.get('host') ?? u.hostname.replace(/^\[(.*)\]$/, '$1'));
  set('PGPORT', q.get('port') ?? u.port);
  set('PGUSER', q.get('user') ?? decodeURIComponent(u.username));
  set('PGPASSWORD', q.get('password') ?? decodeURIComponent(u.password));
  set('PGDATABASE', q.get('dbname') ?? decodeURIComponent(u.pathname.replace(/^\//, '')));
  set('PGSSLMODE', q.get('sslmode'));
  return env;
}

/**
 * Dumps `schema` to `dest`. pg_dump names each table as it dumps its rows: with the number
 * of tables known, that gives the progress.
 */
export async function dumpPostgres(
  url: string,
  schema: string,
  dest: string,
  opts: { tables: number; signal: AbortSignal; log: (line: string) => void; onProgress: (fraction: number) => void },
): Promise<void> {
  const child = spawn('pg_dump', ['--format=custom', '--verbose', '--no-password', `--schema=${quoteIdent(schema)}`, `--file=${dest}`], {
    env: pgEnv(url),
    stdio: ['ignore', 'ignore', 'pipe'],
    signal: opts.signal,
  });
  let dumped = 0;
  const tail = collect(child.stderr, (line) => {
    opts.log(line);
    if (/dumping contents of table/.test(line)) opts.onProgress(Math.min(1, ++dumped / Math.max(1, opts.tables)));
  });
  const code = await finished(child, 'pg_dump', 'CAP-E0502', opts.signal);
  if (code !== 0) throw new CapstanError('CAP-E0502', `pg_dump exited with ${code}: ${tail.join(' | ')}`);
}

/** Replaces `schema` in the database at `url` by the one in the dump; CAP-E0504 (and nothing changed) if it fails. */
export async function restorePostgres(dumpFile: string, url: string, schema: string): Promise<void> {
  const env = pgEnv(url);
  const psql = spawn('psql', ['-X', '-q', '--no-password', '--single-transaction', '-v', 'ON_ERROR_STOP=1', '--file=-'], {
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  // psql may stop reading (an SQL error); its exit code says so, the broken pipe need not.
  psql.stdin.on('error', () => undefined);
  const psqlTail = collect(psql.stderr);
  const psqlDone = finished(psql, 'psql', 'CAP-E0504');

  const render = spawn('pg_restore', ['--no-owner', '--no-privileges', '--file=-', dumpFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const renderTail = collect(render.stderr);
  psql.stdin.write(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE;\n`);
  render.stdout.pipe(psql.stdin, { end: false });
  let renderCode: number;
  try {
    renderCode = await finished(render, 'pg_restore', 'CAP-E0504');
  } catch (e) {
    psql.kill('SIGKILL');
    await psqlDone.catch(() => undefined);
    throw e;
  }
  if (renderCode !== 0) {
    // psql has not seen the end of its input, so it has not committed: killing it rolls back.
    psql.kill('SIGKILL');
    await psqlDone.catch(() => undefined);
    throw new CapstanError('CAP-E0504', `pg_restore exited with ${renderCode}: ${renderTail.join(' | ')}`);
  }
  psql.stdin.end();
  const code = await psqlDone;
  if (code !== 0) throw new CapstanError('CAP-E0504', `psql exited with ${code}: ${psqlTail.join(' | ')}`);
}

/** A quoted identifier; pg_dump's name patterns also take a quoted name literally (no case folding, no wildcards). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Calls `onLine` for each line of `stream`; returns the live array of its last lines (for error messages). */
function collect(stream: Readable, onLine?: (line: string) => void): string[] {
  const tail: string[] = [];
  createInterface({ input: stream }).on('line', (line) => {
    onLine?.(line);
    tail.push(line);
    if (tail.length > STDERR_TAIL) tail.shift();
  });
  return tail;
}

/** The exit code once the process and its output streams are closed. */
function finished(child: ChildProcess, tool: string, code: ErrorCode, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (signal?.aborted) reject(signal.reason);
      else reject(new CapstanError(code, err.code === 'ENOENT' ? `${tool} is not installed (Debian: postgresql-client)` : `${tool}: ${err.message}`));
    });
    child.once('close', (exitCode, sig) => resolve(exitCode ?? (sig ? 128 : 1)));
  });
}
