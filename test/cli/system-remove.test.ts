// `capstan system remove` with its choice for the WPARs, and `capstan agent configure --force`
// leaving one manager for another, against real manager processes. The WPARs are put on the
// system in the database while the manager is stopped, as if its agent had reported them.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { freePort } from '../helpers/ports.js';
import { CliWorld, ok, refused, type CliResult } from './harness.js';

async function loggedIn(w: CliWorld): Promise<void> {
  await w.startManager();
  const first = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
  ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
}

describe('capstan system remove and agent configure --force', () => {
  const a = new CliWorld();
  const b = new CliWorld();
  const agentDir = join(a.dir, 'agent');

  before(async () => {
    await loggedIn(a);
    ok(await a.cli(['system', 'add', 'keep1', '--host', 'keep1.example.test']));
    ok(await a.cli(['group', 'create', 'team']));
    for (const name of ['w1', 'w2']) ok(await a.cli(['wpar', 'create', name, '--group', 'team']));
    await a.stopManager();
    const db = new SQLite(join(a.dataDir, 'capstan.db'));
    try {
      db.prepare("update wpars set system_id = (select id from systems where name = 'keep1'), state = 'Active'").run();
    } finally {
      db.close();
    }
    await a.startManager();
    await loggedIn(b);
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  // The first manager started again on another port than its login's: each call names it.
  const cliA = (args: string[]): Promise<CliResult> => a.cli(args, { env: { CAPSTAN_URL: a.url } });
  const json = async <T>(w: CliWorld, args: string[]): Promise<T> => JSON.parse(ok(await w.cli(['--json', ...args], { env: { CAPSTAN_URL: w.url } })).stdout) as T;

  it('refuses a system with WPARs without a choice, both choices at once, and removing them from a system that is not online', async () => {
    refused(await cliA(['system', 'remove', 'keep1']), 6, /CAP-E0004.*--preserve-wpars.*--remove-wpars/s);
    refused(await cliA(['system', 'remove', 'keep1', '--preserve-wpars', '--remove-wpars']), 2, /cannot be used with/);
    refused(await cliA(['system', 'remove', 'keep1', '--remove-wpars']), 6, /CAP-E0302/);
    assert.equal((await json<{ wparCount: number }>(a, ['system', 'show', 'keep1'])).wparCount, 2);
  });

  it('preserves the WPARs as Undeployed definitions of their group and removes the system', async () => {
    const r = ok(await cliA(['system', 'remove', 'keep1', '--preserve-wpars']));
    assert.match(r.stderr, /system keep1 removed; its WPARs stay as Undeployed definitions/);
    refused(await cliA(['system', 'show', 'keep1']), 5, /CAP-E0002/);
    const wpars = await json<{ items: { name: string; state: string; system: unknown; group: { name: string } }[] }>(a, ['wpar', 'list']);
    assert.deepEqual(wpars.items.map((w) => [w.name, w.state, w.system, w.group.name]), [['w1', 'Undeployed', null, 'team'], ['w2', 'Undeployed', null, 'team']]);
  });

  it('configure --force to another manager unregisters the agent from the old one; an old one out of reach is a warning', async () => {
    const env = { CAPSTAN_AGENT_DIR: agentDir };
    // The registration password of a manager, through its own CLI, in a file.
    const password = async (w: CliWorld): Promise<string> => {
      const file = join(w.dir, 'registration-password');
      writeFileSync(file, (await json<{ password: string }>(w, ['agent', 'password'])).password);
      return file;
    };
    const configure = async (w: CliWorld, force: boolean): Promise<CliResult> => a.cli(['agent', 'configure', '--hostname', '127.0.0.1', '--pubport', new URL(w.url).port,
      '--agentport', String(await freePort()), '--address', '127.0.0.1', '--name', 'movehost', '--password-file', await password(w), ...(force ? ['--force'] : [])], { env });

    ok(await configure(a, false));
    const agentOn = async (w: CliWorld) => (await json<{ systemName: string; state: string }[]>(w, ['agent', 'list'])).find((x) => x.systemName === 'movehost');
    assert.equal((await agentOn(a))?.state, 'registered');

    const moved = ok(await configure(b, true));
    assert.match(moved.stderr, new RegExp(`unregistered from the manager it leaves, https://127\\.0\\.0\\.1:${new URL(a.url).port}`));
    assert.equal((await agentOn(a))?.state, 'revoked');
    const system = await json<{ state: string }>(a, ['system', 'show', 'movehost']);
    assert.equal(system.state, 'Offline', 'the system stays with the old manager, Offline');
    assert.equal((await agentOn(b))?.state, 'registered');

    // Back to the first manager while the second is down: configured all the same, with a warning naming it.
    const bUrl = b.url;
    await b.stopManager();
    const back = ok(await configure(a, true));
    assert.match(back.stderr, new RegExp(`warning: the manager it leaves, https://127\\.0\\.0\\.1:${new URL(bUrl).port}, could not unregister it`));
    assert.match(back.stderr, /registered as movehost/);
  });
});
