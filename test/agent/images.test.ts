import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { CapstanError } from '../../src/api/errors.js';
import { run, runOk } from '../../src/agent/exec.js';
import { ImageStore } from '../../src/agent/images/index.js';

let dir: string;
let store: ImageStore;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capstan-images-test-'));
  store = new ImageStore(join(dir, 'images'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function hasCode(code: string) {
  return (e: unknown) => e instanceof CapstanError && e.code === code;
}

test('busybox image: runs busybox via chroot, has its init and files', async () => {
  const built = await store.ensureBusybox();
  const rootfs = await store.rootfs('busybox');
  assert.equal(rootfs, join(dir, 'images', 'busybox', 'rootfs'));
  assert.equal(built, rootfs);
  const t = await run('chroot', [rootfs, '/bin/busybox', 'true']);
  assert.equal(t.code, 0, t.stderr);
  // Applets are links to the one binary, and the shell works.
  assert.equal(await readlink(join(rootfs, 'bin/sh')), '/bin/busybox');
  const sh = await runOk('chroot', [rootfs, '/bin/sh', '-c', 'echo hello; cat /etc/hostname; ls /']);
  assert.match(sh.stdout, /^hello\nbusybox\n/);
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'run']) assert.ok((await stat(join(rootfs, d))).isDirectory(), d);
  assert.equal((await stat(join(rootfs, 'tmp'))).mode & 0o7777, 0o1777);
  assert.match(await readFile(join(rootfs, 'etc/passwd'), 'utf8'), /^root:x:0:0:/);
  assert.match(await readFile(join(rootfs, 'etc/group'), 'utf8'), /^root:x:0:/);
  assert.ok(((await stat(join(rootfs, 'sbin/init'))).mode & 0o111) !== 0, '/sbin/init is executable');

  const [info] = await store.list();
  assert.equal(info?.name, 'busybox');
  assert.equal(info?.source, 'busybox');
  assert.ok((info?.sizeBytes ?? 0) > 500_000, `size ${info?.sizeBytes}`);
  assert.ok(!Number.isNaN(Date.parse(info?.createdAt ?? '')));

  // Idempotent: a second call keeps the image as it is.
  assert.equal(await store.ensureBusybox(), rootfs);
  assert.deepEqual(await store.list(), [info]);
});

test('busybox init stays up and ends promptly on SIGTERM', async () => {
  const rootfs = await store.rootfs('busybox');
  // The init in its own PID namespace, as in a WPAR (with a /dev/null, as runc provides).
  await runOk('mount', ['--bind', '/dev', join(rootfs, 'dev')]);
  try {
    const child = spawn('unshare', ['--fork', '--pid', `--mount-proc=${join(rootfs, 'proc')}`, 'chroot', rootfs, '/sbin/init'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    await sleep(500);
    assert.equal(child.exitCode, null, 'init is still running');
    // unshare does not forward signals: send SIGTERM to the namespace's PID 1 itself.
    const init = Number((await runOk('pgrep', ['-P', String(child.pid)])).stdout.trim());
    assert.ok(init > 0);
    const started = Date.now();
    process.kill(init, 'SIGTERM');
    const code = await Promise.race([exited, sleep(5000).then(() => 'timeout' as const)]);
    if (code === 'timeout') process.kill(init, 'SIGKILL');
    assert.notEqual(code, 'timeout');
    assert.ok(Date.now() - started < 1500, `stopped in ${Date.now() - started} ms`);
  } finally {
    await run('umount', ['--lazy', join(rootfs, 'proc')]);
    await runOk('umount', ['--lazy', join(rootfs, 'dev')]);
  }
});

test('tarball import round trip', async () => {
  const tarball = join(dir, 'bb.tar.gz');
  await runOk('tar', ['-C', await store.rootfs('busybox'), '--numeric-owner', '-czf', tarball, '.']);
  await store.importTarball('bb-copy', tarball);
  const copy = await store.rootfs('bb-copy');
  assert.equal((await run('chroot', [copy, '/bin/busybox', 'true'])).code, 0);
  const listing = async (root: string) => (await runOk('find', [root, '-printf', '%P %y %m %U %l\n'], {})).stdout.split('\n').sort();
  assert.deepEqual(await listing(copy), await listing(await store.rootfs('busybox')));
  const info = (await store.list()).find((i) => i.name === 'bb-copy');
  assert.equal(info?.source, 'tarball');

  // Images are immutable: the same name again is refused, the image stays.
  await assert.rejects(store.importTarball('bb-copy', tarball), hasCode('CAP-E0003'));
  await store.remove('bb-copy');
  await store.remove('bb-copy'); // idempotent
  await assert.rejects(store.rootfs('bb-copy'), hasCode('CAP-E1007'));
});

test('bad names and bad input are refused and change nothing', async () => {
  const before = await readdir(join(dir, 'images'));
  for (const bad of ['', '../etc', 'a/b', '.hidden', '-x', 'x'.repeat(65), 'sp ace']) {
    await assert.rejects(store.rootfs(bad), hasCode('CAP-E0001'), bad);
    await assert.rejects(store.ensureBusybox(bad), hasCode('CAP-E0001'), bad);
    await assert.rejects(store.importTarball(bad, '/dev/null'), hasCode('CAP-E0001'), bad);
    await assert.rejects(store.buildDebian(bad), hasCode('CAP-E0001'), bad);
    await assert.rejects(store.remove(bad), hasCode('CAP-E0001'), bad);
  }
  await assert.rejects(store.rootfs('nosuch'), hasCode('CAP-E1007'));
  await assert.rejects(store.importTarball('x', join(dir, 'missing.tar')), hasCode('CAP-E0001'));
  await assert.rejects(store.buildDebian('x', { suite: 'bad suite' }), hasCode('CAP-E0001'));
  await assert.rejects(store.ensureBusybox('bb-other').then(() => store.importTarball('bb-other', '/etc/hostname')), hasCode('CAP-E0003'));
  await store.remove('bb-other');
  assert.deepEqual(await readdir(join(dir, 'images')), before);
});

test('a failed build leaves no partial image', async () => {
  const junk = join(dir, 'junk.tar');
  await writeFile(junk, 'this is not a tarball\n'.repeat(100));
  await assert.rejects(store.importTarball('broken', junk), hasCode('CAP-E0001'));
  await assert.rejects(store.rootfs('broken'), hasCode('CAP-E1007'));
  assert.deepEqual((await readdir(join(dir, 'images'))).sort(), ['busybox']);
});

test('a builder killed mid-build leaves no image, and its leftovers are swept', async () => {
  const fifo = join(dir, 'slow.tar');
  await runOk('mkfifo', [fifo]);
  const tarball = join(dir, 'bb.tar');
  await runOk('tar', ['-C', await store.rootfs('busybox'), '-cf', tarball, '.']);
  const data = await readFile(tarball);

  // A separate process imports from a pipe we feed half a tarball, then dies by SIGKILL.
  const module = fileURLToPath(new URL('../../src/agent/images/index.ts', import.meta.url));
  const script = `import { ImageStore } from ${JSON.stringify(module)};
    await new ImageStore(${JSON.stringify(join(dir, 'images'))}).importTarball('crashed', ${JSON.stringify(fifo)});`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
  // Read-write, so opening never blocks; less than a pipe's buffer, so writing never does.
  const writer = await open(fifo, 'r+');
  try {
    await writer.write(data.subarray(0, 32 * 1024));
    let staging: string[] = [];
    for (let i = 0; i < 100 && staging.length === 0; i++) {
      staging = (await readdir(join(dir, 'images'))).filter((e) => e.startsWith('.build-crashed-'));
      await sleep(20);
    }
    assert.equal(staging.length, 1, 'the build started');
    child.kill('SIGKILL');
    await new Promise((res) => child.on('exit', res));
  } finally {
    await writer.close();
  }
  // tar (the dead builder's orphan) ends at end of input; wait for it to let go.
  for (let i = 0; i < 100 && (await run('fuser', [fifo])).code === 0; i++) await sleep(20);

  await assert.rejects(store.rootfs('crashed'), hasCode('CAP-E1007'));
  assert.deepEqual((await store.list()).map((i) => i.name), ['busybox']);
  assert.equal((await readdir(join(dir, 'images'))).filter((e) => e.startsWith('.build-')).length, 1);
  await store.sweep();
  assert.deepEqual((await readdir(join(dir, 'images'))).sort(), ['busybox']);
});

test('sweep unmounts what a dead builder left mounted, never deleting through it', async () => {
  const staging = join(dir, 'images', '.build-mounted-999999999-abcdef01');
  const guarded = join(dir, 'guarded');
  await mkdir(join(staging, 'rootfs', 'mnt'), { recursive: true });
  await mkdir(guarded);
  await writeFile(join(guarded, 'keep'), 'precious');
  await runOk('mount', ['--bind', guarded, join(staging, 'rootfs', 'mnt')]);
  try {
    await store.sweep();
    assert.equal(await readFile(join(guarded, 'keep'), 'utf8'), 'precious');
    assert.deepEqual((await readdir(join(dir, 'images'))).sort(), ['busybox']);
  } finally {
    await run('umount', ['--lazy', join(staging, 'rootfs', 'mnt')]);
  }
});
