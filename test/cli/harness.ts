// Runs the real `capstan` CLI and a real `capstan manager` process (the build, as users run it)
// in a private data directory and CLI profile, and cleans both up.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { CLI_MAIN } from '../helpers/built-cli.js';
import { alsoOnTermination } from '../helpers/on-termination.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The result, asserted successful (its output in the message when not). */
export function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** The result's standard output, asserted successful, parsed as JSON. */
export function parsed<T>(r: CliResult): T {
  return JSON.parse(ok(r).stdout) as T;
}

/** The result, asserted to exit with `code` and, when given, `error` (a pattern) on standard error. */
export function refused(r: CliResult, code: number, error?: string | RegExp): void {
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  if (error) assert.match(r.stderr, typeof error === 'string' ? new RegExp(error) : error);
}

export class CliWorld {
  readonly dir = mkdtempSync(join(tmpdir(), 'capstan-cli-'));
  readonly dataDir = join(this.dir, 'data');
  private manager?: ChildProcess;
  url = '';

  /** Runs `capstan ARGS` with `input` on stdin, as the profile `profile`. */
  cli(args: string[], opts: { input?: string; profile?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: this.env(opts.profile, opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  }

  /** The environment a `capstan` call runs with, as the profile `profile`. */
  env(profile = 'cli', extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, CAPSTAN_CONFIG: join(this.dir, `${profile}.json`), CAPSTAN_DATA_DIR: this.dataDir, ...extra };
  }

  /** `capstan --json ARGS`, asserted successful, parsed. */
  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(ok(await this.cli(['--json', ...args])).stdout) as T;
  }

  /** Starts `capstan manager` (on a free loopback port unless told; `args`: more of its options) and waits until it serves. */
  async startManager(opts: { host?: string; port?: number; db?: string; args?: string[] } = {}): Promise<void> {
    const args = ['manager', '--data-dir', this.dataDir, '--host', opts.host ?? '127.0.0.1', '--port', String(opts.port ?? 0), '--log-level', 'info',
      ...(opts.db ? ['--db', opts.db] : []), ...(opts.args ?? [])];
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.manager = child;
    // A terminated test file takes its manager with it rather than leave an orphan.
    child.once('exit', alsoOnTermination(() => child.kill('SIGKILL')));
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    let buffered = '';
    this.url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        buffered += d;
        for (const line of buffered.split('\n')) {
          if (line.includes('"manager started"')) resolve((JSON.parse(line) as { url: string }).url.replace('localhost', '127.0.0.1'));
        }
      });
      child.on('exit', (code) => reject(new Error(`manager exited ${code}: ${err}`)));
    });
  }

  /** Stops the manager: SIGTERM (clean) or SIGKILL (a crash). */
  async stopManager(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const m = this.manager;
    if (!m || m.exitCode !== null || m.signalCode !== null) return;
    const exited = once(m, 'exit');
    m.kill(signal);
    await exited;
    this.manager = undefined;
  }

  async close(): Promise<void> {
    await this.stopManager('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
