// The per-WPAR lock across processes: taken once, refused while its owner lives, taken over
// from a dead owner, and waited for until its release (woken by the release itself).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isLocked, lockWithin, tryLock } from '../../src/agent/engine/lock.js';

/** The pid of a process that has ended. */
function deadPid(): number {
  const pid = spawnSync('/bin/sh', ['-c', 'echo $$']).stdout.toString().trim();
  return Number(pid);
}

describe('engine locks', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capstan-locks-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is taken once and free again once released', async () => {
    const lock = join(dir, 'once');
    const release = await tryLock(lock);
    assert.ok(release);
    assert.equal(await isLocked(lock), true);
    assert.equal(await tryLock(lock), undefined, 'held by a live process (this one)');
    await release();
    assert.equal(await isLocked(lock), false);
    const again = await tryLock(lock);
    assert.ok(again);
    await again();
  });

  it('is taken over from a dead owner, also in the plain file of earlier versions', async () => {
    const link = join(dir, 'dead-link');
    await symlink(String(deadPid()), link);
    const file = join(dir, 'dead-file');
    await writeFile(file, String(deadPid()));
    for (const lock of [link, file]) {
      assert.equal(await isLocked(lock), false);
      const release = await tryLock(lock);
      assert.ok(release, lock);
      await release();
    }
  });

  it('is waited for until released, and given up on when it is not', async () => {
    const lock = join(dir, 'wait');
    const release = await tryLock(lock);
    assert.ok(release);
    assert.equal(await lockWithin(lock, 200), undefined, 'still held');
    const waiting = lockWithin(lock, 30_000);
    setTimeout(() => void release(), 100);
    const next = await waiting;
    assert.ok(next, 'taken once released');
    await next();
  });

  it('refuses a WPAR that does not exist', async () => {
    await assert.rejects(tryLock(join(dir, 'no-such-wpar', 'lock')), { code: 'ENOENT' });
  });
});
