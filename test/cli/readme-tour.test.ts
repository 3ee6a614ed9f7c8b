// The README's tour, line by line as written, against `capstan up` on a fresh data directory
// (its own engine root and scope; the host bridge capstan0 is the real one, removed again when
// this test made it), so that the README cannot drift from the product.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hostEngine } from '../../src/agent/host-engine.js';
import { Layout } from '../../src/agent/engine/layout.js';
import { endCgroupTree } from '../../src/agent/host/cgroups.js';
import { deleteBridge } from '../../src/agent/net/index.js';
import { getLink } from '../../src/agent/net/ip.js';
import { CLI_MAIN } from '../helpers/built-cli.js';
import { ok, type CliResult } from './harness.js';

const ROOT = join(import.meta.dirname, '../..');

/** The lines of the README's ```sh tour block that are commands (comments and blank lines left out). */
function tourLines(readme: string): string[] {
  const block = /^```sh tour\n([\s\S]*?)^```$/m.exec(readme)?.[1];
  assert.ok(block, 'the README has a ```sh tour block');
  return block.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}

describe('the README tour, against capstan up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-tour-'));
  const env = {
    ...process.env,
    CAPSTAN_DATA_DIR: join(dir, 'data'),
    CAPSTAN_ENGINE_ROOT: join(dir, 'engine'),
    CAPSTAN_ENGINE_SCOPE: 'tour',
    CAPSTAN_CONFIG: join(dir, 'cli.json'),
    // `capstan` on PATH is this checkout's, whatever is installed.
    PATH: `${join(ROOT, 'bin')}:${process.env.PATH ?? ''}`,
  };
  let up: ChildProcess | undefined;
  let bridgeWasThere = false;

  const sh = (line: string, input = ''): Promise<CliResult> => {
    const child = spawn('bash', ['-c', line], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A line that needs no input may be gone before its stdin closes (EPIPE): nothing is lost.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  };

  before(async () => {
    bridgeWasThere = (await getLink('capstan0')) !== undefined;
    up = spawn(process.execPath, [CLI_MAIN, 'up', '--host', '127.0.0.1', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    up.stderr?.on('data', (d) => (err += d));
    const url = await new Promise<string>((resolve, reject) => {
      up?.stdout?.on('data', (d) => {
        out += d;
        const m = /manager\s+(https:\/\/\S+)/.exec(out);
        if (m && /Capstan is up/.test(out)) resolve(m[1] as string);
      });
      up?.on('exit', (code) => reject(new Error(`capstan up exited ${code}: ${err}`)));
    });
    const first = readFileSync(join(dir, 'data/initial-admin-password'), 'utf8').trim();
    ok(await sh(`capstan login ${url} -u admin --password-stdin --accept-certificate`, `${first}\ntour-pass-2\n`));
  });

  after(async () => {
    if (up && up.exitCode === null) {
      const exited = once(up, 'exit');
      up.kill('SIGTERM');
      await exited;
    }
    // What a failed tour left running goes with the engine root.
    const { engine } = hostEngine({ engineRoot: join(dir, 'engine') });
    for (const w of await engine.list().catch(() => [])) await engine.remove(w.name).catch(() => undefined);
    engine.close();
    await endCgroupTree(new Layout(join(dir, 'engine'), 'tour').cgroupParent, 10_000);
    if (!bridgeWasThere) await deleteBridge('capstan0');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every command of the tour as written, each succeeding', async () => {
    const lines = tourLines(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    assert.ok(lines.length >= 20, `${lines.length} commands in the tour`);
    // Lines that set a shell variable are run with the next one, in one shell.
    let carried = '';
    for (const line of lines) {
      if (/^\w+=\$\(/.test(line)) {
        carried += `${line}\n`;
        continue;
      }
      const r = await sh(`set -e\n${carried}${line}`);
      carried = '';
      assert.equal(r.code, 0, `\`${line}\` exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    // The tour's WPAR ran on this host's bridge, and what the tour deleted is gone.
    assert.equal((await sh('capstan wpar show web1')).code, 5);
    assert.match(ok(await sh('capstan wpar list')).stdout, /web2[\s\S]*web3|web3[\s\S]*web2/);
    assert.match(ok(await sh('ip -o addr show dev capstan0')).stdout, /10\.50\.0\.1\/24/);
  });
});
