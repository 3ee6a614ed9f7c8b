import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError, run, runOk } from '../../src/agent/exec.js';

test('run captures stdout, stderr and the exit status', async () => {
  const r = await run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual(r, { stdout: 'out\n', stderr: 'err\n', code: 3 });
});

test('run passes arguments without a shell, input, cwd and env', async () => {
  assert.equal((await run('printf', ['%s|', 'a b', '$HOME', ';'])).stdout, 'a b|$HOME|;|');
  assert.equal((await run('cat', [], { input: 'fed' })).stdout, 'fed');
  assert.equal((await run('pwd', [], { cwd: '/tmp' })).stdout, '/tmp\n');
  assert.equal((await run('sh', ['-c', 'echo $CAPSTAN_X'], { env: { CAPSTAN_X: 'y' } })).stdout, 'y\n');
});

test('a missing command reports 127, a timeout 124, a signal 128+N', async () => {
  const missing = await run('capstan-no-such-command', []);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /ENOENT/);
  const slow = await run('sleep', ['5'], { timeoutMs: 100 });
  assert.equal(slow.code, 124);
  assert.equal((await run('sh', ['-c', 'kill -TERM $$'])).code, 128 + 15);
});

test('runOk returns the result or throws with the command and its stderr', async () => {
  assert.equal((await runOk('echo', ['fine'])).stdout, 'fine\n');
  await assert.rejects(runOk('sh', ['-c', 'echo nope >&2; exit 2']), (e: unknown) => {
    assert.ok(e instanceof CommandError);
    assert.equal(e.result.code, 2);
    assert.match(e.message, /^sh -c .*: nope$/);
    return true;
  });
});
