// Lifecycle of real WPARs: system WPARs with an address on the test bridge, application
// WPARs whose exit status is recorded, remove with a preserved file system, refusals.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { WparSpec } from '../../src/api/wpar.js';
import type { ExitRecord } from '../../src/agent/engine/index.js';
import { startHarness, type Harness } from './harness.js';

const exec = promisify(execFile);

function spec(s: Partial<WparSpec> & Pick<WparSpec, 'name' | 'type'>): WparSpec {
  return { image: 'busybox', interfaces: [], mounts: [], resources: {}, checkpointable: false, ...s };
}

describe('engine lifecycle', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.cleanup();
  });

  it('runs a system WPAR whose address answers a ping from the host bridge', async () => {
    const name = h.name('sys');
    const address = `${h.subnet}.20`;
    const defined = await h.engine.create(spec({ name, type: 'system', hostname: 'web1', interfaces: [{ address, prefix: 24 }] }));
    assert.equal(defined.state, 'Defined');
    const active = await h.engine.start(name);
    assert.equal(active.state, 'Active');
    assert.ok(active.pid);
    assert.equal((await h.engine.start(name)).state, 'Active', 'start is idempotent');

    const ping = await exec('busybox', ['ping', '-c', '1', '-W', '2', '-I', h.bridge, address]);
    assert.match(ping.stdout, /1 packets received/);
    const uts = await exec('nsenter', ['-t', String(active.pid), '-u', 'hostname']);
    assert.equal(uts.stdout.trim(), 'web1');

    const stopped = await h.engine.stop(name, { force: true });
    assert.equal(stopped?.state, 'Defined');
    assert.equal((await h.engine.stop(name))?.state, 'Defined', 'stop is idempotent');
    await h.engine.remove(name);
    assert.equal(await h.engine.get(name), undefined);
  });

  it('records the exit status of an application WPAR, which is then gone', async () => {
    const name = h.name('app');
    const exits: ExitRecord[] = [];
    h.engine.on('exit', (e: ExitRecord) => exits.push(e));
    await h.engine.create(spec({ name, type: 'application', command: ['/bin/sh', '-c', 'sleep 0.3; exit 7'] }));
    const exit = await h.engine.waitExit(name);
    assert.equal(exit?.exitStatus, 7);
    assert.equal(await h.engine.get(name), undefined, 'the WPAR is gone (Undeployed)');
    assert.ok(!(await h.engine.list()).some((w) => w.name === name));
    for (let i = 0; i < 50 && !exits.some((e) => e.name === name); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(exits.find((e) => e.name === name)?.exitStatus, 7, 'an exit event was emitted');
    await h.engine.clearExit(name);
    assert.ok(!(await h.engine.exits()).some((e) => e.name === name));
  });

  it('gives an application WPAR a read-only root and a writable /tmp', async () => {
    const name = h.name('ro');
    await h.engine.create(spec({ name, type: 'application', command: ['/bin/sh', '-c', 'touch /tmp/ok && ! touch /etc/nope'] }));
    assert.equal((await h.engine.waitExit(name))?.exitStatus, 0);
  });

  it('keeps the file system of a WPAR removed with preserveFs and gives it back to a WPAR of that name', async () => {
    const name = h.name('keep');
    const s = spec({ name, type: 'system', command: ['/bin/sh', '-c', 'echo kept > /root/data; exec sleep 1000'] });
    await h.engine.create(s, { start: true });
    await h.engine.remove(name, { preserveFs: true });
    assert.equal(await h.engine.get(name), undefined);
    assert.equal(await readFile(join(h.engine.layout.preserved(name), 'root/data'), 'utf8'), 'kept\n');

    const again = { ...s, command: ['/bin/sh', '-c', 'cat /root/data; exec sleep 1000'] };
    await h.engine.create(again, { start: true });
    for (let i = 0; i < 50; i++) {
      if ((await readFile(h.engine.layout.wpar(name).output, 'utf8').catch(() => '')).includes('kept')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(await readFile(h.engine.layout.wpar(name).output, 'utf8'), /kept/);
    await h.engine.remove(name);
    assert.equal(await stat(h.engine.layout.wpar(name).dir).catch(() => undefined), undefined);
  });

  it('refuses bad input with stable codes and changes nothing', async () => {
    const before = await h.engine.list();
    const dirsBefore = await readdir(h.engine.layout.wparsDir).catch(() => []);
    await assert.rejects(h.engine.create(spec({ name: '1bad', type: 'system' })), { code: 'CAP-E0001' });
    await assert.rejects(h.engine.create(spec({ name: h.name('img'), type: 'system', image: 'no-such-image' })), { code: 'CAP-E1007' });
    await assert.rejects(h.engine.create(spec({ name: h.name('cmd'), type: 'application' })), { code: 'CAP-E0205' });
    await assert.rejects(
      h.engine.create(spec({ name: h.name('addr'), type: 'system', interfaces: [{ address: 'not-an-ip', prefix: 24 }] })),
      { code: 'CAP-E0001' },
    );
    await assert.rejects(h.engine.start('nosuchwpar'), { code: 'CAP-E1000' });
    await assert.rejects(h.engine.freeze('nosuchwpar'), { code: 'CAP-E1000' });

    const name = h.name('dup');
    await h.engine.create(spec({ name, type: 'system' }));
    const again = await h.engine.create(spec({ name, type: 'system' }));
    assert.equal(again.state, 'Defined', 'the same create again is a no-op');
    await assert.rejects(h.engine.create(spec({ name, type: 'system', hostname: 'other' })), { code: 'CAP-E1010' });
    await assert.rejects(h.engine.freeze(name), { code: 'CAP-E1002' });
    await assert.rejects(h.engine.resume(name), { code: 'CAP-E1006' });
    assert.equal((await h.engine.get(name))?.state, 'Defined', 'refusals leave the state alone');
    await h.engine.remove(name);

    assert.deepEqual(await h.engine.list(), before);
    assert.deepEqual(await readdir(h.engine.layout.wparsDir).catch(() => []), dirsBefore);
  });

  it('leaves no half-made WPAR when the container cannot start', async () => {
    const name = h.name('fail');
    await assert.rejects(h.engine.create(spec({ name, type: 'application', command: ['/no/such/program'] })), { code: 'CAP-E1008' });
    assert.equal(await h.engine.get(name), undefined);
    assert.equal(await stat(h.engine.layout.wpar(name).dir).catch(() => undefined), undefined);
  });
});
