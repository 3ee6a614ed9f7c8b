// The `capstan` CLI against a real manager process: first login, certificate trust, every
// resource's commands, tables and --json, tasks, roles, backup and restore, exit codes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { CliWorld, ok, parsed, refused } from './harness.js';

/** A CLI on another host: the manager's certificate file is not at hand. */
const elsewhere = { CAPSTAN_DATA_DIR: '/nonexistent' };

describe('capstan CLI against a manager process', () => {
  const w = new CliWorld();
  let firstPassword = '';

  before(async () => {
    await w.startManager();
    firstPassword = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
  });
  after(() => w.close());

  it('keeps the first login across a crash before it was used', async () => {
    await w.stopManager('SIGKILL');
    await w.startManager();
    assert.equal(readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim(), firstPassword);
  });

  it('refuses an untrusted certificate without a terminal, writing no login', async () => {
    refused(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${firstPassword}\n`, env: elsewhere }), 8, 'fingerprint');
    assert.equal(existsSync(join(w.dir, 'cli.json')), false);
  });

  it('first login: trusts the local manager\'s certificate, replaces the one-time password, keeps a token', async () => {
    const r = ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${firstPassword}\nadmin-pass-2\n` }));
    assert.match(r.stderr, /must be changed/);
    assert.equal(existsSync(join(w.dataDir, 'initial-admin-password')), true, 'removed only at the next start');
    const me = parsed<{ name: string; roles: string[] }>(await w.cli(['--json', 'whoami']));
    assert.deepEqual([me.name, me.roles], ['admin', ['administrator', 'WPARAdministrator']]);
    // The old password is gone, the new one works, and --accept-certificate pins without the local file.
    refused(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin', '--accept-certificate'], { input: `${firstPassword}\n`, profile: 'other', env: elsewhere }), 4, 'CAP-E0101');
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin', '--accept-certificate'], { input: 'admin-pass-2\n', profile: 'other', env: elsewhere }));
    assert.equal(parsed<{ name: string }>(await w.cli(['--json', 'whoami'], { profile: 'other', env: elsewhere })).name, 'admin');
    // --ca with the generated certificate (copied from the manager's host): it vouches for itself.
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin', '--ca', join(w.dataDir, 'tls', 'manager.crt')], { input: 'admin-pass-2\n', profile: 'byca', env: elsewhere }));
    assert.equal(parsed<{ name: string }>(await w.cli(['--json', 'whoami'], { profile: 'byca', env: elsewhere })).name, 'admin');
  });

  it('manages systems, domains and groups, with stable exit codes for refusals', async () => {
    ok(await w.cli(['domain', 'create', 'lab', '--description', 'test hosts']));
    const sys = parsed<{ name: string; state: string; domain: { name: string } }>(await w.cli(['--json', 'system', 'add', 'host1', '--host', '10.200.0.1', '--domain', 'lab']));
    assert.deepEqual([sys.name, sys.state, sys.domain.name], ['host1', 'Unknown', 'lab']);
    refused(await w.cli(['system', 'add', 'host1', '--host', '10.200.0.1']), 6, 'CAP-E0003');
    refused(await w.cli(['system', 'add', 'host2', '--host', 'not a host!']), 3, 'CAP-E0001');
    refused(await w.cli(['system', 'show', 'nosuch']), 5, 'CAP-E0002');
    const asJson = await w.cli(['--json', 'system', 'show', 'nosuch']);
    assert.equal(asJson.code, 5);
    assert.equal((JSON.parse(asJson.stderr) as { code: string }).code, 'CAP-E0002', 'with --json the error is JSON too');
    refused(await w.cli(['system', 'add', 'host2']), 2);
    const table = ok(await w.cli(['system', 'list'])).stdout.split('\n');
    assert.match(table[0] ?? '', /^Name\s+Host\s+State\s+Domain/);
    assert.match(table[2] ?? '', /^host1\s+10\.200\.0\.1\s+Unknown\s+lab/);
    refused(await w.cli(['domain', 'remove', 'lab']), 6, 'CAP-E0301');

    const policy = join(w.dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ enabled: true, maxThreshold: 70 }));
    const g = parsed<{ policy: { enabled: boolean; maxThreshold: number; minThreshold: number } }>(await w.cli(['--json', 'group', 'create', 'web', '--policy', policy]));
    assert.deepEqual([g.policy.enabled, g.policy.maxThreshold, g.policy.minThreshold], [true, 70, 20]);
    refused(await w.cli(['group', 'modify', 'web']), 2, 'nothing to change');
  });

  it('defines, modifies and lists WPARs through tasks; refuses actions the state does not allow', async () => {
    const created = ok(await w.cli(['wpar', 'create', 'web1', '-c', '-N', 'address=10.50.0.5/24', '-R', 'memory=256M', 'CPU=0.5', '--group', 'web']));
    // However soon the task ended, its operation and output show, once.
    assert.deepEqual(created.stderr.split('\n').filter((l) => l.startsWith('  ')), ['  … define', '    defined web1', '  ✔ define'], created.stderr);
    ok(await w.cli(['wpar', 'modify', 'web1', '-R', 'totalProcesses=64']));
    const web1 = parsed<{ state: string; checkpointable: boolean; resources: object; group: { name: string } }>(await w.cli(['--json', 'wpar', 'show', 'web1']));
    assert.deepEqual([web1.state, web1.checkpointable, web1.group.name], ['Undeployed', true, 'web']);
    assert.deepEqual(web1.resources, { memoryLimitMiB: 256, cpuLimit: 0.5, processLimit: 64 }, '-R changes only what it names');

    // --no-wait prints the task's id; task wait follows it to the end.
    const id = ok(await w.cli(['wpar', 'create', 'app1', '-t', 'application', '--no-wait', '--', '/bin/echo', 'hi'])).stdout.trim();
    const ended = parsed<{ status: string; kind: string }>(await w.cli(['--json', 'task', 'wait', id]));
    assert.deepEqual([ended.status, ended.kind], ['succeeded', 'wpar.create']);
    // Following a task that has already ended shows what it did, as live: each line once, in order.
    assert.deepEqual(ok(await w.cli(['task', 'wait', id])).stderr.split('\n'), [
      `task ${id} (wpar.create app1): succeeded`,
      '  … define',
      '    defined app1',
      '  ✔ define',
      '',
    ]);
    assert.match(ok(await w.cli(['task', 'show', id])).stdout, /define\s+succeeded/);

    const list = parsed<{ items: { name: string }[]; total: number }>(await w.cli(['--json', 'wpar', 'list', '--state', 'Undeployed']));
    assert.deepEqual(list.items.map((x) => x.name), ['app1', 'web1']);
    refused(await w.cli(['wpar', 'start', 'web1']), 6, 'CAP-E0200');
    refused(await w.cli(['wpar', 'deploy', 'web1', '--system', 'host1']), 6, 'CAP-E0302');
    refused(await w.cli(['wpar', 'create', 'bad1', '-R', 'bogus=1']), 2, 'unknown resource control');
    refused(await w.cli(['wpar', 'create', 'app2', '-t', 'application']), 3, 'CAP-E0205');
    ok(await w.cli(['wpar', 'delete', 'app1']));
    refused(await w.cli(['wpar', 'show', 'app1']), 5);
  });

  it('maps roles as lwiMapRole does, and a WPARMonitor may look but not change', async () => {
    ok(await w.cli(['user', 'create', 'mon1', '--password-stdin'], { input: 'mon-pass-1\n' }));
    ok(await w.cli(['lwiMapRole', '-add', '-role', 'WPARMonitor', '-user', 'mon1']));
    assert.deepEqual(parsed<{ users: string[] }>(await w.cli(['--json', 'role', 'query', 'getUsersByRole', 'WPARMonitor'])).users, ['mon1']);
    refused(await w.cli(['role', 'query', 'getRolesByUser']), 2, 'needs a userName');
    refused(await w.cli(['role', 'add', '--role', 'nosuchrole', '--user', 'mon1']), 3, 'CAP-E0104');

    ok(await w.cli(['login', w.url, '-u', 'mon1', '--password-stdin'], { input: 'mon-pass-1\nmon-pass-2\n', profile: 'mon' }));
    assert.equal(parsed<{ items: unknown[] }>(await w.cli(['--json', 'wpar', 'list'], { profile: 'mon' })).items.length, 1);
    refused(await w.cli(['wpar', 'create', 'x1'], { profile: 'mon' }), 4, 'CAP-E0102');
    refused(await w.cli(['user', 'list'], { profile: 'mon' }), 4, 'CAP-E0102');
    ok(await w.cli(['logout'], { profile: 'mon' }));
    refused(await w.cli(['whoami'], { profile: 'mon' }), 4, 'not logged in');
    refused(await w.cli(['whoami'], { env: { CAPSTAN_URL: 'https://127.0.0.1:1' } }), 8, 'cannot reach');
  });

  it('backs up online, refuses a restore while the manager runs, restores offline', async () => {
    const r = ok(await w.cli(['db', 'backup']));
    const file = /backup written: (\S+)/.exec(r.stderr)?.[1];
    assert.ok(file && existsSync(file), r.stderr);
    refused(await w.cli(['db', 'restore', file, '-y']), 6, 'stop it first');

    await w.stopManager();
    const junk = join(w.dir, 'junk.tar');
    writeFileSync(junk, 'not a backup');
    refused(await w.cli(['db', 'restore', junk, '-y']), 3, 'CAP-E0500');
    const restored = ok(await w.cli(['db', 'restore', file, '-y']));
    assert.ok(restored.stderr.includes(`restoring into ${join(w.dataDir, 'capstan.db')}: the database the manager last ran with`), restored.stderr);
    await w.startManager();
    // The token was made before the backup, so it is in the restored database too (the port is new).
    assert.deepEqual(parsed<{ items: { name: string }[] }>(await w.cli(['--json', 'wpar', 'list'], { env: { CAPSTAN_URL: w.url } })).items.map((x) => x.name), ['web1']);
    assert.equal(existsSync(join(w.dataDir, 'initial-admin-password')), false, 'the used first login is forgotten');
  });
});

describe('capstan db restore for a manager on PostgreSQL', { skip: process.env.CAPSTAN_TEST_PG ? false : 'CAPSTAN_TEST_PG is not set: run through scripts/test.sh' }, () => {
  const w = new CliWorld();
  const server = process.env.CAPSTAN_TEST_PG ?? '';
  // A database of its own: the manager uses the default schema, which other suites may share.
  const name = `capstan_cli_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
  const onServer = async (statement: string): Promise<void> => {
    const client = new pg.Client(server);
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };

  before(async () => {
    await onServer(`create database ${name}`);
    await w.startManager({ db: url });
  });
  after(async () => {
    await w.close();
    await onServer(`drop database if exists ${name}`);
  });

  it('restores into the database the manager ran with, without --db again; --db still wins', async () => {
    const first = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
    assert.equal(statSync(join(w.dataDir, 'database.json')).mode & 0o777, 0o600, 'the record holds the URL, password and all');
    ok(await w.cli(['wpar', 'create', 'kept1']));
    const file = /backup written: (\S+)/.exec(ok(await w.cli(['db', 'backup'])).stderr)?.[1];
    assert.ok(file && existsSync(file));
    ok(await w.cli(['wpar', 'create', 'lost1']));
    await w.stopManager();

    // Told another database (SQLite), the restore goes there: a PostgreSQL backup does not fit it.
    refused(await w.cli(['db', 'restore', file, '-y', '--db', join(w.dir, 'other.db')]), 3, 'CAP-E0501');
    const r = ok(await w.cli(['db', 'restore', file, '-y']));
    const shown = Object.assign(new URL(url), { password: '***' }).toString();
    assert.ok(r.stderr.includes(`restoring into ${shown}: the database the manager last ran with`), r.stderr);
    assert.ok(!r.stderr.includes(`:${new URL(url).password}@`), 'the password is not shown');

    await w.startManager({ db: url });
    assert.deepEqual(parsed<{ items: { name: string }[] }>(await w.cli(['--json', 'wpar', 'list'], { env: { CAPSTAN_URL: w.url } })).items.map((x) => x.name), ['kept1']);
  });
});
