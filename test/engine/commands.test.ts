// The seed's local commands on real WPARs: every exit code of the seed's tables that Linux
// gives a meaning to, provoked for real.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localCommands } from '../../src/cli/local/index.js';
import { COUNTER, countReaches, startHarness, type Harness } from './harness.js';

async function cmd(line: string[]): Promise<number> {
  const [name, ...args] = line;
  const command = localCommands[name as string];
  assert.ok(command, `no command ${name}`);
  return command(args);
}

describe('local commands and their exit codes', () => {
  let h: Harness;
  let states: string;
  const savedEnv = { ...process.env };
  before(async () => {
    h = await startHarness();
    states = await mkdtemp(join(tmpdir(), 'capstan-cmd-states-'));
    Object.assign(process.env, h.env);
  });
  after(async () => {
    process.env = savedEnv;
    await h?.cleanup();
    await rm(states, { recursive: true, force: true });
  });

  const counterExec = (name: string, extra: string[] = []): string[] => ['wparexec', '--detach', '-c', '-n', name, ...extra, '--', ...COUNTER];

  it('mkwpar, startwpar, lswpar, stopwpar, rmwpar', async () => {
    const name = h.name('sys');
    assert.equal(await cmd(['mkwpar', '-n', name, '-h', 'box1', '-N', `address=${h.subnet}.40`, 'netmask=255.255.255.0', '-R', 'CPU=0.5', 'memory=64M', '-c']), 0);
    const [w] = JSON.parse(await captured(process.stdout, () => cmd(['lswpar', '--json', name]))) as { state: string; spec: { interfaces: { prefix: number }[]; resources: object } }[];
    assert.equal(w?.state, 'Defined');
    assert.equal(w?.spec.interfaces[0]?.prefix, 24);
    assert.deepEqual(w?.spec.resources, { cpuLimit: 0.5, memoryLimitMiB: 64 });
    assert.equal(await cmd(['startwpar', name]), 0);
    const table = await captured(process.stdout, () => cmd(['lswpar', name]));
    assert.match(table, new RegExp(`${name}\\s+A\\s+S\\s+box1\\s+${h.subnet}\\.40/24`));
    assert.equal(await cmd(['rmwpar', name]), 1, 'rmwpar refuses an active WPAR without -F');
    assert.equal(await cmd(['stopwpar', '-F', name]), 0);
    assert.match(await captured(process.stdout, () => cmd(['lswpar', name])), new RegExp(`${name}\\s+D\\s+S`));
    assert.equal(await cmd(['rmwpar', name]), 0);
    assert.equal(await cmd(['mkwpar', '-n', name, '-R', 'bogus=1']), 1, 'unknown resource control');
    assert.equal(await cmd(['mkwpar', '-n', name, '-N', 'netmask=255.0.0.0']), 1, 'netmask without address');
    assert.equal(await h.engine.get(name), undefined);
  });

  it('chwpar changes privileges and resource controls through the engine\'s modify', async () => {
    const name = h.name('ch');
    assert.equal(await cmd(['mkwpar', '-n', name, '-R', 'CPU=0.5', 'memory=64M']), 0);
    assert.equal(await cmd(['chwpar', '-R', 'memory=32M', 'totalProcesses=50', '-S', 'privs=CAP_KILL,CAP_CHOWN', name]), 0);
    const changed = (await h.engine.get(name))?.spec;
    assert.deepEqual(changed?.resources, { cpuLimit: 0.5, memoryLimitMiB: 32, processLimit: 50 }, 'given controls replaced, others kept');
    assert.deepEqual(changed?.privileges, ['CAP_KILL', 'CAP_CHOWN']);

    // Refusals: a stable code on stderr, exit 1, the definition untouched.
    assert.equal(await cmd(['chwpar', '-S', 'privs=CAP_SYS_MODULE', name]), 1, 'the host policy forbids CAP_SYS_MODULE (CAP-E0214)');
    assert.equal(await cmd(['chwpar', '-R', 'bogus=1', name]), 1, 'unknown resource control');
    assert.equal(await cmd(['chwpar', '-S', 'caps=CAP_KILL', name]), 1, 'unknown -S attribute');
    assert.equal(await cmd(['chwpar', name]), 1, 'nothing to change');
    assert.equal(await cmd(['chwpar', '-R', 'CPU=1', 'nosuchwpar']), 1, 'unknown WPAR (CAP-E1000)');
    assert.deepEqual((await h.engine.get(name))?.spec, changed);

    // Active: resource controls change at once, privileges wait for a stop.
    assert.equal(await cmd(['startwpar', name]), 0);
    assert.equal(await cmd(['chwpar', '-R', 'memory=48M', name]), 0);
    assert.equal((await h.engine.get(name))?.spec.resources.memoryLimitMiB, 48);
    assert.equal(await cmd(['chwpar', '-S', 'privs=CAP_KILL', name]), 1, 'privileges do not change while Active (CAP-E1006)');
    assert.deepEqual((await h.engine.get(name))?.spec.privileges, ['CAP_KILL', 'CAP_CHOWN']);
    assert.equal(await cmd(['rmwpar', '-F', name]), 0);
  });

  it('mkwpar -o, -w and -f: specification files', async () => {
    const [a, b, c] = [h.name('spa'), h.name('spb'), h.name('spc')];
    const fileA = join(states, 'a.json');
    assert.equal(await cmd(['mkwpar', '-n', a, '-c', '-h', 'boxa', '-R', 'memory=64M', '-o', fileA, '-w']), 0);
    assert.equal(await h.engine.get(a), undefined, '-w creates nothing');
    const written = JSON.parse(await readFile(fileA, 'utf8')) as { name: string; hostname: string; checkpointable: boolean; resources: object };
    assert.deepEqual([written.name, written.hostname, written.checkpointable, written.resources], [a, 'boxa', true, { memoryLimitMiB: 64 }]);

    assert.equal(await cmd(['mkwpar', '-f', fileA, '-n', b, '-h', 'boxb', '-R', 'CPU=0.5']), 0);
    const made = (await h.engine.get(b))?.spec;
    assert.deepEqual([made?.hostname, made?.checkpointable, made?.resources], ['boxb', true, { memoryLimitMiB: 64, cpuLimit: 0.5 }], 'flags override the file');

    const fileC = join(states, 'c.json');
    assert.equal(await cmd(['mkwpar', '-n', c, '-o', fileC]), 0);
    assert.equal((await h.engine.get(c))?.state, 'Defined', '-o without -w creates too');
    assert.equal((JSON.parse(await readFile(fileC, 'utf8')) as { name: string }).name, c);

    // Bad files and paths: a stable code, exit 1, no WPAR made, no file left behind.
    const before = (await h.engine.list()).map((w) => w.name).sort();
    await writeFile(join(states, 'garbage.json'), '{ not json');
    await writeFile(join(states, 'app.json'), JSON.stringify({ ...written, name: 'appx', type: 'application', command: ['/bin/true'] }));
    await writeFile(join(states, 'invalid.json'), JSON.stringify({ ...written, resources: { bogus: 1 } }));
    for (const bad of ['garbage.json', 'app.json', 'invalid.json', 'missing.json']) {
      const err = await captured(process.stderr, async () => assert.equal(await cmd(['mkwpar', '-f', join(states, bad), '-n', h.name('bad')]), 1, bad));
      assert.match(err, /CAP-E1020/, bad);
    }
    const err = await captured(process.stderr, async () => assert.equal(await cmd(['mkwpar', '-n', h.name('bad'), '-o', fileA]), 1));
    assert.match(err, /CAP-E1021/, 'an existing file is not overwritten');
    assert.deepEqual(JSON.parse(await readFile(fileA, 'utf8')), written);
    assert.equal(await cmd(['mkwpar', '-n', h.name('bad'), '-o', join(states, 'no/such/dir.json')]), 1);
    assert.equal(await cmd(['mkwpar', '-n', h.name('bad'), '-w']), 1, '-w without -o');
    assert.equal(await cmd(['mkwpar', '-c']), 1, 'no name and no file');
    const clash = join(states, 'clash.json');
    assert.equal(await cmd(['mkwpar', '-n', c, '-h', 'other', '-o', clash]), 1, 'a different WPAR of that name exists (CAP-E1010)');
    await assert.rejects(readFile(clash), { code: 'ENOENT' }, 'the file of a WPAR not made goes too');
    assert.deepEqual((await h.engine.list()).map((w) => w.name).sort(), before);
    assert.equal(await cmd(['rmwpar', b]), 0);
    assert.equal(await cmd(['rmwpar', c]), 0);
  });

  it('wparexec waits and exits with the application\'s status', async () => {
    assert.equal(await cmd(['wparexec', '-n', h.name('x'), '--', '/bin/sh', '-c', 'exit 42']), 42);
  });

  it('chkptwpar exit codes', async () => {
    const name = h.name('ck');
    assert.equal(await cmd(counterExec(name)), 0);
    await countReaches(h.engine, name, 2);
    assert.equal(await cmd(['chkptwpar', '-d', join(states, 'a'), '-k', '-p', name]), 1, '-k with -p');
    assert.equal(await cmd(['chkptwpar', '-d', join(states, 'a'), '-l', 'debug', name]), 1, '-l without -o');
    assert.equal(await cmd(['chkptwpar', '--no-such-flag', name]), 1);
    assert.equal(await cmd(['chkptwpar', '-d', join(states, 'a'), 'nosuchwpar']), 16);
    const file = join(states, 'plainfile');
    await writeFile(file, 'x');
    assert.equal(await cmd(['chkptwpar', '-d', file, name]), 21, 'the state path is a file');
    assert.equal(await cmd(['chkptwpar', '-d', 'relative/dir', name]), 21);
    const full = join(states, 'full');
    await mkdir(full);
    await writeFile(join(full, 'something'), 'x');
    assert.equal(await cmd(['chkptwpar', '-d', full, name]), 23, 'the state directory is not empty');
    assert.equal(await cmd(['chkptwpar', '-d', join(states, 'b'), '-o', '/no/such/dir/log', name]), 26);
    assert.equal((await h.engine.get(name))?.state, 'Active', 'refusals left it running');

    const log = join(states, 'ck.log');
    assert.equal(await cmd(['chkptwpar', '-d', join(states, 'ok'), '-o', log, '-l', 'debug', name]), 0);
    assert.match(await readFile(log, 'utf8'), /checkpoint of .* done/);
    assert.equal((await h.engine.get(name))?.state, 'Active', 'checkpointed and still running');

    const noc = h.name('noc');
    assert.equal(await cmd(['wparexec', '--detach', '-n', noc, '--', ...COUNTER]), 0);
    assert.equal(await cmd(['chkptwpar', '-d', join(states, 'c'), noc]), 19, 'not checkpointable');

    const sys = h.name('def');
    assert.equal(await cmd(['mkwpar', '-c', '-n', sys]), 0);
    assert.equal(await cmd(['chkptwpar', '-d', join(states, 'd'), sys]), 17, 'a Defined WPAR has nothing to checkpoint');

    const quick = h.name('quick');
    assert.equal(await cmd(['wparexec', '-c', '-n', quick, '--', '/bin/sh', '-c', 'exit 3']), 3);
    assert.equal(await cmd(['chkptwpar', '-d', join(states, 'e'), quick]), 18, 'the application already exited');
  });

  it('resumewpar and killwpar exit codes', async () => {
    const name = h.name('rk');
    assert.equal(await cmd(counterExec(name)), 0);
    assert.equal(await cmd(['resumewpar', 'nosuchwpar']), 16);
    assert.equal(await cmd(['killwpar', 'nosuchwpar']), 16);
    assert.equal(await cmd(['resumewpar', name]), 17, 'neither paused nor frozen');
    assert.equal(await cmd(['killwpar', name]), 17, 'not paused');
    assert.equal(await cmd(['resumewpar']), 1);
    assert.equal(await cmd(['chkptwpar', '-f', '-d', join(states, 'frozen'), name]), 0);
    assert.equal((await h.engine.get(name))?.state, 'Frozen');
    assert.equal(await cmd(['killwpar', name]), 17, 'frozen is not paused');
    assert.equal((await h.engine.get(name))?.state, 'Frozen', 'and stays frozen');
    assert.equal(await cmd(['resumewpar', name]), 0);
    assert.equal(await cmd(['chkptwpar', '-p', '-d', join(states, 'paused'), name]), 0);
    assert.equal((await h.engine.get(name))?.state, 'Paused');
    assert.equal(await cmd(['killwpar', name]), 0);
    assert.equal(await h.engine.get(name), undefined);
  });

  it('restartwpar exit codes', async () => {
    const name = h.name('rs');
    assert.equal(await cmd(counterExec(name)), 0);
    await countReaches(h.engine, name, 2);
    const dir = join(states, `rs-${name}`);
    assert.equal(await cmd(['chkptwpar', '-k', '-d', dir, name]), 0);

    assert.equal(await cmd(['restartwpar', '-d', dir, '-u', '/bin/true', name]), 1, '-u without -p');
    assert.equal(await cmd(['restartwpar', name]), 1, 'no -d');
    assert.equal(await cmd(['restartwpar', '-d', join(states, 'missing'), name]), 21);
    assert.equal(await cmd(['restartwpar', '-d', dir, 'othername']), 16, 'not the WPAR in the state file');
    assert.equal(await cmd(['restartwpar', '-d', dir, '-o', '/no/such/dir/log', name]), 26);
    const empty = join(states, 'empty');
    await mkdir(empty);
    assert.equal(await cmd(['restartwpar', '-d', empty, name]), 25, 'no checkpoint in it');
    const garbage = join(states, 'garbage');
    await mkdir(garbage);
    await writeFile(join(garbage, 'capstan-checkpoint.json'), '{ not json');
    assert.equal(await cmd(['restartwpar', '-d', garbage, name]), 25);
    assert.equal(await h.engine.get(name), undefined, 'refusals made nothing');

    const bad = join(states, 'usercmd-bad');
    await writeFile(bad, '#!/bin/sh\nexit 0\n');
    await chmod(bad, 0o755);
    assert.equal(await cmd(['restartwpar', '-p', '-u', bad, '-d', dir, name]), 13, 'the user command returned <= 100');
    assert.equal(await h.engine.get(name), undefined, 'and the WPAR was ended');

    const good = join(states, 'usercmd-good');
    await writeFile(good, `#!/bin/sh\n[ "$1" = "${name}" ] && exit 105\nexit 1\n`);
    await chmod(good, 0o755);
    assert.equal(await cmd(['restartwpar', '-p', '-u', good, '-d', dir, name]), 105, 'the user command\'s status');
    assert.equal((await h.engine.get(name))?.state, 'Paused');
    assert.equal(await cmd(['restartwpar', '-d', dir, name]), 17, 'a WPAR of that name is running');
    assert.equal(await cmd(['resumewpar', name]), 0);
    await countReaches(h.engine, name, 3);
    assert.equal(await cmd(['stopwpar', '-F', name]), 0);

    await rm(join(dir, 'layer.tar'));
    assert.equal(await cmd(['restartwpar', '-d', dir, name]), 14, 'the writable layer is missing');

    const sys = h.name('sy');
    assert.equal(await cmd(['mkwpar', '-c', '-s', '-n', sys, '--', ...COUNTER]), 0);
    const sdir = join(states, `rs-${sys}`);
    assert.equal(await cmd(['chkptwpar', '-k', '-d', sdir, sys]), 0);
    assert.equal(await cmd(['rmwpar', sys]), 0);
    assert.equal(await cmd(['mkwpar', '-n', sys, '--', ...COUNTER]), 0);
    assert.equal(await cmd(['restartwpar', '-d', sdir, sys]), 19, 'the Defined WPAR is not checkpointable');
    assert.equal((await h.engine.get(sys))?.state, 'Defined');
    assert.equal(await cmd(['rmwpar', sys]), 0);
    assert.equal(await cmd(['restartwpar', '-d', sdir, sys]), 0, 'made again from the state file');
    assert.equal((await h.engine.get(sys))?.state, 'Active');
  });
});

/** Runs fn and returns what it wrote to `stream` (stdout or stderr). */
async function captured(stream: NodeJS.WriteStream, fn: () => Promise<unknown>): Promise<string> {
  const write = stream.write.bind(stream);
  let out = '';
  stream.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof stream.write;
  try {
    await fn();
  } finally {
    stream.write = write;
  }
  return out;
}
