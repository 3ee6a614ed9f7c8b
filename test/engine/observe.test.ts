// The engine trusts its record where runc would refuse a container that is not as recorded
// (pause, resume), and decides again on runc's view when it is not; a container whose
// supervisor is gone still ends when asked.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { WparSpec } from '../../src/api/wpar.js';
import { run } from '../../src/agent/exec.js';
import { COUNTER, startHarness, type Harness } from './harness.js';

function app(name: string): WparSpec {
  return { name, type: 'application', image: 'busybox', command: COUNTER, interfaces: [], mounts: [], resources: {}, checkpointable: true };
}

describe('engine decisions on the record and on runc', () => {
  let h: Harness;
  /** runc on the engine's containers, behind the engine's back. */
  let runc: (...args: string[]) => Promise<void>;
  before(async () => {
    h = await startHarness();
    runc = async (...args) => {
      const r = await run('runc', ['--root', h.engine.layout.runcRoot, ...args]);
      assert.equal(r.code, 0, r.stderr);
    };
  });
  after(async () => {
    await h?.cleanup();
  });

  it('freeze and resume follow runc where the record is wrong, and change nothing when refused', async () => {
    const name = h.name('back');
    await h.engine.create(app(name));
    const record = (): Promise<string> => readFile(h.engine.layout.wpar(name).record, 'utf8');

    await runc('pause', name);
    const before = await record();
    assert.equal((await h.engine.freeze(name)).state, 'Frozen', 'already frozen: nothing to do');
    assert.equal(await record(), before, 'the record is as it was');
    assert.equal((await h.engine.resume(name)).state, 'Active');

    await runc('pause', name);
    await runc('resume', name);
    const frozen = await h.engine.freeze(name);
    assert.equal(frozen.state, 'Frozen');
    assert.ok(frozen.pid);
    await runc('resume', name);
    const unchanged = await record();
    await assert.rejects(h.engine.resume(name), { code: 'CAP-E1006' });
    assert.equal(await record(), unchanged, 'a refusal leaves the record alone');
    assert.equal((await h.engine.get(name))?.state, 'Active');
    await h.engine.stop(name, { force: true });
  });

  it('ends a container whose supervisor is gone', async () => {
    const name = h.name('orph');
    const { pid } = await h.engine.create(app(name));
    assert.ok(pid);
    // The container's init → runc run → the supervising shell.
    const ppid = async (p: number | string): Promise<string> => (await readFile(`/proc/${p}/stat`, 'utf8')).split(') ')[1]?.split(' ')[1] ?? '';
    const shell = await ppid(await ppid(pid));
    assert.match(await readFile(`/proc/${shell}/cmdline`, 'utf8'), /capstan-supervisor/);
    process.kill(Number(shell), 'SIGKILL');
    assert.equal(await h.engine.stop(name, { force: true }), undefined, 'the application WPAR is gone');
    assert.equal(await h.engine.get(name), undefined);
  });
});
