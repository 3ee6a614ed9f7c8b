// `capstan manager start|stop|restart|status` with the pid-file fallback (this machine has no
// systemd as PID 1), the manager's log levels changed while it runs through the real CLI (a
// debug line appears in its log once raised; they survive a restart), and the backup schedule
// commands. Every manager a test starts is stopped afterwards, also when the file is ended.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BackupScheduleView, LogLevelsView } from '../../src/api/operations.js';
import { processAlive } from '../../src/agent/exec.js';
import type { ManagerStatus } from '../../src/cli/service/manager.js';
import { stopManagerService } from '../../src/cli/service/manager.js';
import { runningManager } from '../../src/manager/pidfile.js';
import { alsoOnTermination } from '../helpers/on-termination.js';
import { freePort } from '../helpers/ports.js';
import { CliWorld, ok, refused } from './harness.js';

describe('the manager as a service (pid-file fallback)', () => {
  const w = new CliWorld();
  const logFile = join(w.dataDir, 'manager.log');
  let port = 0;
  let busy: Server | undefined;

  /** Kills whatever manager runs on the world's data directory (a test that failed half-way left it). */
  const killManager = (): void => {
    const pid = runningManager(w.dataDir);
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  };
  const untilTermination = alsoOnTermination(killManager);

  before(async () => {
    port = await freePort();
  });
  after(async () => {
    busy?.close();
    const pid = runningManager(w.dataDir);
    if (pid !== undefined) {
      await w.cli(['manager', 'stop']);
      killManager();
    }
    untilTermination();
    await w.close();
  });

  const status = async (): Promise<{ code: number; s: ManagerStatus }> => {
    const r = await w.cli(['--json', 'manager', 'status']);
    return { code: r.code, s: JSON.parse(r.stdout) as ManagerStatus };
  };

  it('status of a manager that never ran: stopped, exit 3', async () => {
    const { code, s } = await status();
    assert.equal(code, 3);
    assert.deepEqual([s.state, s.pid, s.url, s.service], ['stopped', null, null, 'pid-file']);
    refused(await w.cli(['manager', 'status']), 3, /^$/);
  });

  it('a start that fails says why, with the end of the log, and leaves nothing running', async () => {
    // Its port is taken: the manager exits at listen.
    const taken = await freePort();
    busy = createServer();
    busy.listen(taken, '127.0.0.1');
    await once(busy, 'listening');
    const r = await w.cli(['manager', 'start', '--host', '127.0.0.1', '--port', String(taken)]);
    refused(r, 9, /CAP-E1035 the manager did not start: it exited \(status \d+\); the end of .*manager\.log:\n[\s\S]*EADDRINUSE/);
    assert.equal((await status()).s.state, 'stopped');
    busy.close();
    busy = undefined;
  });

  it('start: in the background, once its port answers; prints its URL and pid; a second start is refused', async () => {
    const r = ok(await w.cli(['manager', 'start', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'info']));
    const m = /manager started \(pid (\d+), pid file\): (https:\/\/127\.0\.0\.1:(\d+))/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(Number(m[3]), port);
    w.url = m[2]!;
    assert.match(r.stderr, /one-time password is in .*initial-admin-password/);
    const { code, s } = await status();
    assert.equal(code, 0);
    assert.deepEqual([s.state, s.pid, s.url, s.dbKind, s.database, s.log], ['running', Number(m[1]), w.url, 'sqlite', join(w.dataDir, 'capstan.db'), logFile]);
    assert.ok(s.uptimeSeconds !== null && s.uptimeSeconds >= 0 && s.uptimeSeconds < 600);
    assert.ok(processAlive(Number(m[1])));
    assert.match(ok(await w.cli(['manager', 'status'])).stdout, /^manager\s+running \(pid \d+\)\nurl\s+https:\/\/127\.0\.0\.1:\d+\nuptime\s+\d+s/);
    refused(await w.cli(['manager', 'start', '--host', '127.0.0.1', '--port', String(port)]), 6, /CAP-E1033/);
    // Its log is in the data directory.
    assert.match(readFileSync(logFile, 'utf8'), /"msg":"manager started"/);
  });

  it('log-level: shows, raises a component to debug (a debug line appears), refuses unknown levels and components', async () => {
    const first = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
    const shown = ok(await w.cli(['manager', 'log-level'])).stdout;
    assert.match(shown, /^level\s+info \(as started\)\ncomponents\s+none with a level of their own\nknown\s+http, tasks/);

    const debugLines = () => readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"level":20'));
    ok(await w.cli(['db', 'backup']));
    assert.deepEqual(debugLines(), [], 'nothing at debug at info');
    assert.match(ok(await w.cli(['manager', 'log-level', 'debug', '--component', 'tasks'])).stdout, /components\s+tasks debug/);
    ok(await w.cli(['db', 'backup']));
    const lines = debugLines().map((l) => JSON.parse(l) as { component?: string; msg: string });
    assert.ok(lines.some((l) => l.component === 'tasks' && l.msg === 'task queued'), JSON.stringify(lines));

    // The seed's lwilog -addLogger: trace for one component.
    const v = await w.json<LogLevelsView>(['manager', 'log-level', '--add-logger', 'http']);
    assert.deepEqual(v.components, [{ name: 'http', level: 'trace' }, { name: 'tasks', level: 'debug' }]);
    ok(await w.cli(['whoami']));
    assert.match(readFileSync(logFile, 'utf8'), /"level":10,[^\n]*"component":"http"[^\n]*"msg":"authenticated"/);
    assert.deepEqual((await w.json<LogLevelsView>(['manager', 'log-level', '--remove-logger', 'http'])).components, [{ name: 'tasks', level: 'debug' }]);

    refused(await w.cli(['manager', 'log-level', 'verbose']), 3, /CAP-E1030 .*"verbose": one of fatal, error, warn, info, debug, trace/);
    refused(await w.cli(['manager', 'log-level', 'debug', '--component', 'nosuch']), 3, /CAP-E1031/);
    refused(await w.cli(['manager', 'log-level', '--remove-logger', 'nosuch']), 3, /CAP-E1031/);
    refused(await w.cli(['manager', 'log-level', '--component', 'http']), 2, /needs a LEVEL/);
  });

  it('db schedule: sets, shows and refuses a bad time', async () => {
    assert.match(ok(await w.cli(['db', 'schedule'])).stdout, /^schedule\s+none\nlast run\s+none/);
    const set = ok(await w.cli(['db', 'schedule', '--daily', '02:00', '--keep', '7'])).stdout;
    assert.match(set, /^schedule\s+daily at 02:00 \(local time\), keeping 7 backups\nset\s+.* by admin\nnext run\s+\d{4}-\d\d-\d\d 02:00:00/);
    refused(await w.cli(['db', 'schedule', '--daily', '2am', '--keep', '7']), 3, /CAP-E1032/);
    refused(await w.cli(['db', 'schedule', '--daily', '02:00']), 2, /both --daily HH:MM and --keep N/);
    refused(await w.cli(['db', 'schedule', '--daily', '02:00', '--keep', '0']), 2, /--keep/);
  });

  it('restart: a new process with the options it ran with (same port); the log levels and the schedule are kept', async () => {
    const before = (await status()).s.pid;
    const r = ok(await w.cli(['manager', 'restart']));
    assert.match(r.stderr, new RegExp(`manager stopped \\(pid ${before}\\)`));
    assert.match(r.stdout, new RegExp(`manager started \\(pid \\d+, pid file\\): https://127\\.0\\.0\\.1:${port}`));
    const { s } = await status();
    assert.notEqual(s.pid, before);
    assert.equal(s.url, w.url);
    assert.ok(!processAlive(before!));
    const levels = await w.json<LogLevelsView>(['manager', 'log-level']);
    assert.deepEqual(levels.components, [{ name: 'tasks', level: 'debug' }]);
    assert.match(readFileSync(logFile, 'utf8'), /as set while the manager ran/);
    const schedule = await w.json<BackupScheduleView>(['db', 'schedule']);
    assert.deepEqual([schedule.schedule?.daily, schedule.schedule?.keep], ['02:00', 7]);
    assert.match(ok(await w.cli(['manager', 'log-level', '--reset'])).stdout, /level\s+info \(as started\)\ncomponents\s+none/);
  });

  it('stop: SIGTERM, a clean stop; then status says stopped (exit 3) and a second stop is refused', async () => {
    const pid = (await status()).s.pid!;
    const r = ok(await w.cli(['manager', 'stop']));
    assert.match(r.stderr, new RegExp(`manager stopped \\(pid ${pid}\\)`));
    assert.ok(!processAlive(pid));
    assert.match(readFileSync(logFile, 'utf8'), /"signal":"SIGTERM"[^\n]*"msg":"stopping"[\s\S]*"msg":"manager stopped"/);
    assert.equal(existsSync(join(w.dataDir, 'manager.run.json')), false);
    const { code, s } = await status();
    assert.equal(code, 3);
    assert.deepEqual([s.state, s.database], ['stopped', join(w.dataDir, 'capstan.db')]);
    refused(await w.cli(['manager', 'stop']), 6, /CAP-E1034/);
  });

  it('`capstan manager --data-dir X --port N` still runs it in the foreground', async () => {
    await w.startManager({ port });
    const { s } = await status();
    assert.equal(s.state, 'running');
    await w.stopManager();
    assert.equal((await status()).s.state, 'stopped');
  });
});

describe('stopping a manager that ignores SIGTERM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-stop-'));
  const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => console.log('ignored')); console.log('ready'); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const untilTermination = alsoOnTermination(() => child.kill('SIGKILL'));
  after(() => {
    child.kill('SIGKILL');
    untilTermination();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is killed (SIGKILL) after the limit, and says so', async () => {
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); }));
    writeFileSync(join(dir, 'manager.pid'), `${child.pid}\n`);
    const killed: number[] = [];
    const r = await stopManagerService({ dataDir: dir, systemd: false, limitMs: 500, onKill: (pid) => killed.push(pid) });
    assert.deepEqual(r, { pid: child.pid, killed: true });
    assert.deepEqual(killed, [child.pid]);
    assert.ok(!processAlive(child.pid!));
  });
});
