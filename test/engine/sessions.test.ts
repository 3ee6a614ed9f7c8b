// Sessions inside real WPARs (clogin): a command's status comes back, a terminal is a
// terminal, and the seed's rule holds: while a session is open the WPAR is not checkpointed,
// unless told to end the session first, whose user is then told why.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn as spawnPty } from 'node-pty';
import type { WparSpec } from '../../src/api/wpar.js';
import { isCapstanError } from '../../src/api/errors.js';
import { LOCAL_MAIN } from '../helpers/built-cli.js';
import { until } from '../helpers/until.js';
import { COUNTER, countReaches, lastCount, startHarness, type Harness } from './harness.js';

function counter(name: string): WparSpec {
  return { name, type: 'application', image: 'busybox', command: COUNTER, interfaces: [], mounts: [], resources: {}, checkpointable: true };
}

interface Ended { code: number | null; stdout: string; stderr: string }

describe('sessions inside a WPAR (clogin)', () => {
  let h: Harness;
  let states: string;
  before(async () => {
    h = await startHarness();
    states = await mkdtemp(join(tmpdir(), 'capstan-session-states-'));
  });
  after(async () => {
    await h?.cleanup();
    await rm(states, { recursive: true, force: true });
  });

  /** clogin as a user runs it, without a terminal; `exited` settles when it ends. */
  function clogin(args: string[]): { exited: Promise<Ended>; kill(): void } {
    const child = spawn(process.execPath, [LOCAL_MAIN, 'clogin', ...args], { env: h.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return { exited: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))), kill: () => child.kill('SIGKILL') };
  }

  async function running(): Promise<string> {
    const name = h.name('ses');
    await h.engine.create(counter(name), { start: true });
    await countReaches(h.engine, name, 2);
    return name;
  }

  it('runs one command in the WPAR and exits with its status', async () => {
    const name = await running();
    const r = await clogin([name, 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; exit 7']).exited;
    assert.equal(r.code, 7, r.stderr);
    // It ran inside: pid 1 there is the WPAR's own command; and no freer than the WPAR (filtered, no new privileges).
    assert.match(r.stdout, /while true/);
    assert.match(r.stdout, /NoNewPrivs:\s+1/);
    assert.match(r.stdout, /Seccomp:\s+2/);
    assert.deepEqual(await h.engine.sessions(name), [], 'the ended session left no record');
  });

  it('gives a login session a terminal', async () => {
    const name = await running();
    const pty = spawnPty(process.execPath, [LOCAL_MAIN, 'clogin', name, 'sh', '-c', 'tty; exit 3'], { env: h.env as Record<string, string>, cols: 100, rows: 30 });
    let out = '';
    pty.onData((d) => (out += d));
    const code = await new Promise<number>((resolve) => pty.onExit((e) => resolve(e.exitCode)));
    assert.equal(code, 3, out);
    assert.match(out, /\/dev\/pts\/\d+/);
  });

  it('refuses to checkpoint a WPAR with an open session, which runs on untouched', async () => {
    const name = await running();
    const s = clogin([name, 'sleep', '600']);
    try {
      await until('the session has started', async () => (await h.engine.sessions(name)).some((x) => x.pid > 0));
      await assert.rejects(h.engine.checkpoint(name, { dir: join(states, `${name}-1`), mode: 'continue' }), (e) => isCapstanError(e) && e.code === 'CAP-E1022');
      const before = await lastCount(h.engine, name);
      await countReaches(h.engine, name, before + 2);
      assert.equal((await h.engine.get(name))?.state, 'Active');
      // chkptwpar says so with the seed's "cannot dump" status.
      const r = await new Promise<number | null>((resolve) => spawn(process.execPath, [LOCAL_MAIN, 'chkptwpar', '-d', join(states, `${name}-2`), name], { env: h.env, stdio: 'ignore' }).on('close', resolve));
      assert.equal(r, 7);
      assert.equal((await h.engine.sessions(name)).length, 1, 'the session is still open');
    } finally {
      s.kill();
    }
  });

  it('ends the sessions when told to, tells their user why, and then checkpoints', async () => {
    const name = await running();
    const s = clogin([name, 'sh', '-c', 'sleep 600 & sleep 600']);
    await until('the session has started', async () => (await h.engine.sessions(name)).some((x) => x.pid > 0));
    const info = await h.engine.checkpoint(name, { dir: join(states, `${name}-forced`), mode: 'continue', endSessions: 'the test checkpoints it' });
    assert.equal(info?.state, 'Active');
    const r = await s.exited;
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the session was ended: the test checkpoints it/);
    assert.deepEqual(await h.engine.sessions(name), []);
    await countReaches(h.engine, name, (await lastCount(h.engine, name)) + 2);
  });

  it('never takes a host process for a session (a pid left behind by a dead session)', async () => {
    const name = await running();
    const dir = join(h.engine.layout.wpar(name).dir, 'sessions');
    const id = '00000000-0000-4000-8000-000000000000';
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${id}.json`), JSON.stringify({ id, command: ['sh'], tty: false, by: 'test', startedAt: new Date().toISOString() }));
    // This test's own pid: alive, but on the host, not in the WPAR.
    await writeFile(join(dir, `${id}.pid`), String(process.pid));
    assert.deepEqual(await h.engine.sessions(name), []);
    const info = await h.engine.checkpoint(name, { dir: join(states, `${name}-stale`), mode: 'continue', endSessions: 'must not be used' });
    assert.equal(info?.state, 'Active');
  });
});
