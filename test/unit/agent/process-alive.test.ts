// processAlive: a zombie (ended, not yet collected by its parent) is not alive, so a killed
// agent does not block the next `capstan agent start`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { processAlive } from '../../../src/agent/exec.js';
import { until } from '../../helpers/until.js';

describe('processAlive', () => {
  it('is true for a running process, false for a zombie and for no process', async () => {
    assert.equal(processAlive(process.pid), true);
    // The child ends once its parent has become `sleep`, which never collects it.
    const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number((await until('the child pid', () => new Promise<string | undefined>((r) => parent.stdout.once('data', (d: Buffer) => r(d.toString()))))).trim());
      await until('the child a zombie', () => / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')));
      assert.equal(processAlive(pid), false);
      assert.equal(processAlive(parent.pid as number), true);
    } finally {
      parent.kill('SIGKILL');
    }
    assert.equal(processAlive(2 ** 22 + 1), false);
  });
});
