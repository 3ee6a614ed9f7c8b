// Checkpoint/restart, pause and freeze of real WPARs with CRIU: a counter inside carries
// on from where it was.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WparSpec } from '../../src/api/wpar.js';
import { Engine } from '../../src/agent/engine/index.js';
import { COUNTER, countReaches, lastCount, startHarness, type Harness } from './harness.js';

function counter(name: string, type: WparSpec['type'], extra: Partial<WparSpec> = {}): WparSpec {
  return { name, type, image: 'busybox', command: COUNTER, interfaces: [], mounts: [], resources: {}, checkpointable: true, ...extra };
}

describe('engine checkpoint and restart', () => {
  let h: Harness;
  let states: string;
  before(async () => {
    h = await startHarness();
    states = await mkdtemp(join(tmpdir(), 'capstan-states-'));
  });
  after(async () => {
    await h?.cleanup();
    await rm(states, { recursive: true, force: true });
  });

  it('an application WPAR keeps counting after checkpoint-kill-restart', async () => {
    const name = h.name('app');
    await h.engine.create(counter(name, 'application'));
    await countReaches(h.engine, name, 5);
    const dir = join(states, name);
    assert.equal(await h.engine.checkpoint(name, { dir, mode: 'kill' }), undefined, 'killed: the application WPAR is gone');
    const restarted = await h.engine.restart(name, { dir });
    assert.equal(restarted.info.state, 'Active');
    await sleep(300);
    const first = Number((await readFile(h.engine.layout.wpar(name).output, 'utf8')).split('\n')[0]);
    assert.ok(first > 5, `the restored counter went on from where it was (first line after restore: ${first})`);
    assert.ok(first < 5 + 20, `and did not start over (${first})`);
  });

  it('a system WPAR restarts on another engine root with its writable layer', async () => {
    const name = h.name('sys');
    const spec = counter(name, 'system', {
      command: ['/bin/sh', '-c', 'echo hello > /root/mark; i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done'],
      interfaces: [{ address: `${h.subnet}.30`, prefix: 24 }],
    });
    await h.engine.create(spec, { start: true });
    await countReaches(h.engine, name, 5);
    const dir = join(states, name);
    const after = await h.engine.checkpoint(name, { dir, mode: 'kill' });
    assert.equal(after?.state, 'Defined');
    await h.engine.remove(name);

    const other = new Engine({ root: join(states, 'other-root'), defaultBridge: h.bridge, images: h.images });
    try {
      const r = await other.restart(name, { dir });
      assert.equal(r.info.state, 'Active');
      await sleep(300);
      assert.ok((await lastCount(other, name)) > 5);
      const pid = String(r.info.pid);
      assert.equal(execFileSync('nsenter', ['-t', pid, '-m', 'cat', '/root/mark']).toString(), 'hello\n');
      assert.match(execFileSync('busybox', ['ping', '-c', '1', '-W', '2', '-I', h.bridge, `${h.subnet}.30`]).toString(), /1 packets received/);
    } finally {
      await other.remove(name);
      other.close();
    }
  });

  it('pause stops the counter after a checkpoint and resume continues it', async () => {
    const name = h.name('pause');
    await h.engine.create(counter(name, 'application'));
    await countReaches(h.engine, name, 3);
    const paused = await h.engine.checkpoint(name, { dir: join(states, name), mode: 'pause' });
    assert.equal(paused?.state, 'Paused');
    const held = await lastCount(h.engine, name);
    await sleep(400);
    assert.equal(await lastCount(h.engine, name), held, 'nothing counts while paused');
    assert.equal((await h.engine.resume(name)).state, 'Active');
    await countReaches(h.engine, name, held + 2);
    const c = await lastCount(h.engine, name);
    assert.ok(c < held + 10, 'it went on from where it was');
    assert.ok((await readdir(join(states, name))).includes('criu'), 'a state directory given to pause is the caller\'s: resume keeps it');
  });

  it('a pause given no state directory keeps its checkpoint until resume or the end, one per WPAR', async () => {
    const name = h.name('kept');
    await h.engine.create(counter(name, 'system'), { start: true });
    await countReaches(h.engine, name, 2);
    const kept = h.engine.layout.wpar(name).pauseCheckpoint;
    const contents = (): Promise<string[]> => readdir(kept).catch(() => []);
    assert.equal((await h.engine.checkpoint(name, { mode: 'pause' }))?.state, 'Paused');
    assert.ok((await contents()).includes('criu'), 'the checkpoint is in the WPAR\'s own directory');
    assert.equal((await h.engine.resume(name)).state, 'Active');
    assert.deepEqual(await contents(), [], 'resume removed it');
    await h.engine.checkpoint(name, { mode: 'pause' });
    assert.ok((await contents()).includes('criu'));
    await h.engine.stop(name, { force: true });
    assert.deepEqual(await contents(), [], 'the end of the WPAR removed it');
    assert.deepEqual((await readdir(h.engine.layout.wpar(name).dir)).filter((f) => f.includes('checkpoint')), [], 'no other checkpoint left');
  });

  it('freeze stops the counter, a frozen WPAR can be checkpointed, resume continues', async () => {
    const name = h.name('frz');
    await h.engine.create(counter(name, 'application'));
    await countReaches(h.engine, name, 3);
    const dir = join(states, name);
    assert.equal((await h.engine.freeze(name, { dir })).state, 'Frozen');
    const held = await lastCount(h.engine, name);
    await sleep(400);
    assert.equal(await lastCount(h.engine, name), held);
    const ck = await h.engine.checkpoint(name, { mode: 'pause' });
    assert.equal(ck?.state, 'Paused', 'checkpointed into the directory given at freeze');
    assert.ok((await readdir(dir)).includes('criu'));
    await h.engine.resume(name);
    await countReaches(h.engine, name, held + 2);
  });

  it('kill ends a paused WPAR; restart paused waits for resume', async () => {
    const name = h.name('kil');
    await h.engine.create(counter(name, 'application'));
    await countReaches(h.engine, name, 3);
    const dir = join(states, name);
    await h.engine.checkpoint(name, { dir, mode: 'pause' });
    assert.equal(await h.engine.kill(name), undefined);
    assert.equal(await h.engine.get(name), undefined);

    const r = await h.engine.restart(name, { dir, paused: true });
    assert.equal(r.info.state, 'Paused');
    await sleep(300);
    const held = await lastCount(h.engine, name).catch(() => 0);
    await sleep(300);
    assert.equal(await lastCount(h.engine, name).catch(() => 0), held, 'restarted paused: no counting');
    await h.engine.resume(name);
    await countReaches(h.engine, name, 1);
  });

  it('refuses what is not checkpointable and leaves the WPAR running', async () => {
    const name = h.name('noc');
    await h.engine.create(counter(name, 'application', { checkpointable: false }));
    await assert.rejects(h.engine.checkpoint(name, { dir: join(states, name), mode: 'continue' }), { code: 'CAP-E1002' });
    await assert.rejects(h.engine.freeze(name), { code: 'CAP-E1002' });
    assert.equal((await h.engine.get(name))?.state, 'Active');
    await h.engine.stop(name, { force: true });
  });
});
