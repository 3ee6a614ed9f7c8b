// A real debootstrap build (minbase, from the host's own mirror): minutes the first time,
// so the image is kept in a cache directory and reused by later runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CapstanError } from '../../src/api/errors.js';
import { runOk } from '../../src/agent/exec.js';
import { ImageStore } from '../../src/agent/images/index.js';

const CACHE = '/var/cache/capstan-test/images';
const NAME = 'debian-minbase';

test('a debootstrap minbase image builds (or is reused) and runs its own tools', { timeout: 600_000 }, async () => {
  const store = new ImageStore(CACHE);
  if (!(await store.info(NAME))) {
    const started = Date.now();
    await store.buildDebian(NAME, { variant: 'minbase' }).catch((e: unknown) => {
      // Another run built it at the same time: its image is as good as ours.
      if (!(e instanceof CapstanError && e.code === 'CAP-E0003')) throw e;
    });
    console.log(`debootstrap build took ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const info = await store.info(NAME);
  assert.equal(info?.source, 'debootstrap');
  assert.ok((info?.sizeBytes ?? 0) > 50_000_000, `size ${info?.sizeBytes}`);

  const rootfs = await store.rootfs(NAME);
  const hostSuite = /^VERSION_CODENAME=(\w+)/m.exec(await readFile('/etc/os-release', 'utf8'))?.[1];
  const osRelease = await readFile(join(rootfs, 'etc/os-release'), 'utf8');
  assert.match(osRelease, new RegExp(`^VERSION_CODENAME=${hostSuite}$`, 'm'));
  const r = await runOk('chroot', [rootfs, '/bin/bash', '-c', 'dpkg-query -W -f "\\${Package}\\n" | wc -l; id -un']);
  const [packages, user] = r.stdout.trim().split('\n');
  assert.ok(Number(packages) > 50 && Number(packages) < 200, `${packages} packages`);
  assert.equal(user, 'root');
  // Cleaned after the build: no package files left in the image.
  assert.deepEqual((await readdir(join(rootfs, 'var/cache/apt/archives'))).filter((f) => f.endsWith('.deb')), []);
  // debootstrap's own mounts are gone.
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  assert.ok(!mounts.includes(` ${CACHE}/`), 'nothing mounted under the image store');
});
