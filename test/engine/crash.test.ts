// A local command killed in the middle of an operation: the WPAR is reported for what it is
// (Broken, with the operation that was interrupted), the half-written state directory is not
// taken for a checkpoint, and the WPAR can be removed without leaving anything behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/agent/exec.js';
import { LOCAL_MAIN } from '../helpers/built-cli.js';
import { until } from '../helpers/until.js';
import { startHarness, type Harness } from './harness.js';


/** A system WPAR whose init holds `mib` MiB, so that its checkpoint takes a while. */
const holder = (mib: number): string[] => ['/bin/sh', '-c', `x=$(busybox yes | busybox head -c ${mib * 1024 * 1024}); while :; do sleep 1; done`];

describe('a local command killed mid-operation', () => {
  let h: Harness;
  let states: string;
  before(async () => {
    h = await startHarness();
    states = await mkdtemp(join(tmpdir(), 'capstan-crash-states-'));
  });
  after(async () => {
    await h?.cleanup();
    await rm(states, { recursive: true, force: true });
  });

  it('chkptwpar killed during the dump leaves a Broken WPAR, no usable checkpoint, and nothing after rmwpar', async () => {
    const name = h.name('crash');
    await h.engine.create({
      name, type: 'system', image: 'busybox', command: holder(96), checkpointable: true,
      interfaces: [{ address: `${h.subnet}.77`, prefix: 24 }], mounts: [], resources: {},
    }, { start: true });
    for (let i = 0; i < 100 && (await h.engine.stats(name)).memoryUsageBytes < 96 * 1024 * 1024; i++) await sleep(100);

    const dir = join(states, 'ck');
    const child = spawn(process.execPath, [LOCAL_MAIN, 'chkptwpar', '-k', '-d', dir, name], { env: h.env, stdio: 'ignore' });
    const exited = once(child, 'exit');
    // Kill it once the checkpoint is under way: the record says so, and CRIU has begun writing images.
    const record = h.engine.layout.wpar(name).record;
    // A limit in time, not in polls: on a loaded host the command alone may take many seconds to start.
    await until('the checkpoint under way', async () => {
      const rec = JSON.parse(await readFile(record, 'utf8').catch(() => '{}')) as { state?: string; operation?: string };
      return rec.state === 'Transitional' && rec.operation === 'checkpoint' && (await readdir(join(dir, 'criu')).catch(() => [])).length > 0;
    }, { within: 120_000, every: 5 });
    child.kill('SIGKILL');
    await exited;

    const seen = await h.engine.get(name);
    assert.equal(seen?.state, 'Broken');
    assert.match(seen?.brokenReason ?? '', /interrupted during checkpoint/);

    const restart = spawn(process.execPath, [LOCAL_MAIN, 'restartwpar', '-d', dir, name], { env: h.env, stdio: 'ignore' });
    const [code] = (await once(restart, 'exit')) as [number];
    assert.equal(code, 25, 'an interrupted checkpoint is not a state file to restart from');

    const rm = spawn(process.execPath, [LOCAL_MAIN, 'rmwpar', '-F', name], { env: h.env, stdio: 'ignore' });
    const [rmCode] = (await once(rm, 'exit')) as [number];
    assert.equal(rmCode, 0);
    assert.equal(await h.engine.get(name), undefined);
    const containers = (await run('runc', ['--root', h.engine.layout.runcRoot, 'list', '-q'])).stdout;
    assert.doesNotMatch(containers, new RegExp(`^${name}$`, 'm'), 'no container left');
    assert.doesNotMatch((await run('ip', ['netns', 'list'])).stdout, new RegExp(`^${h.engine.layout.netns(name)}\\b`, 'm'), 'no network namespace left');
    assert.doesNotMatch(await readFile('/proc/self/mounts', 'utf8'), new RegExp(h.engine.layout.wpar(name).dir), 'no mount left');

    // The name is free again for a WPAR of the same kind.
    await h.engine.create({ name, type: 'system', image: 'busybox', checkpointable: true, interfaces: [{ address: `${h.subnet}.77`, prefix: 24 }], mounts: [], resources: {} }, { start: true });
    assert.equal((await h.engine.get(name))?.state, 'Active');
  });
});
