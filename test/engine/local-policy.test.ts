// The host's local policy on a real engine: a WPAR breaking it is neither made nor run, by
// the engine's API or a local command; the policy file is read afresh and checked.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/agent/engine/index.js';
import type { WparSpec } from '../../src/api/wpar.js';
import { localCommands } from '../../src/cli/local/index.js';
import { startHarness, type Harness } from './harness.js';

describe('the host\'s local policy', () => {
  let h: Harness;
  let dir: string;
  let engine: Engine;
  const savedEnv = { ...process.env };
  const policyFile = () => join(dir, 'agent', 'policy.json');
  const spec = (name: string, o: Partial<WparSpec> = {}): WparSpec =>
    ({ name, type: 'system', image: 'busybox', interfaces: [], mounts: [], resources: {}, checkpointable: false, ...o });
  const bind = (source: string) => [{ source, target: '/m', type: 'bind' as const, readOnly: false }];

  before(async () => {
    h = await startHarness();
    dir = await mkdtemp(join(tmpdir(), 'capstan-policy-'));
    await mkdir(join(dir, 'agent'));
    await mkdir(join(dir, 'data'));
    await symlink('/proc', join(dir, 'to-proc'));
    engine = new Engine({ root: h.root, defaultBridge: h.bridge, images: h.images, policyFile: policyFile() });
    Object.assign(process.env, h.env, { CAPSTAN_AGENT_DIR: join(dir, 'agent') });
  });
  after(async () => {
    process.env = savedEnv;
    engine?.close();
    await h?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to make a WPAR that reaches the host, and makes nothing', async () => {
    for (const [i, o] of [{ mounts: bind(h.root) }, { mounts: bind('/etc') }, { mounts: bind(join(dir, 'to-proc')) }, { privileges: ['CAP_SYS_MODULE'] }].entries()) {
      const name = h.name(`bad${i}`);
      await assert.rejects(engine.create(spec(name, o)), { code: 'CAP-E0214' });
      assert.equal(await engine.get(name), undefined);
    }
  });

  it('refuses to start a WPAR the policy forbids since it was made, leaving it as it was; reads the file afresh', async () => {
    const name = h.name('ok');
    await engine.create(spec(name, { mounts: bind(join(dir, 'data')) }));
    await writeFile(policyFile(), JSON.stringify({ forbiddenMountSources: [join(dir, 'data')] }));
    await assert.rejects(engine.start(name), { code: 'CAP-E0214' });
    assert.equal((await engine.get(name))?.state, 'Defined');
    await writeFile(policyFile(), '{"forbiddenCapabilities": "all"}');
    await assert.rejects(engine.start(name), { code: 'CAP-E0215' });
    await rm(policyFile());
    await engine.remove(name);
  });

  it('holds for the local commands too', async () => {
    const name = h.name('cmd');
    assert.equal(await localCommands.mkwpar!(['-n', name, '-M', 'directory=/h', 'dev=/']), 1);
    assert.equal(await h.engine.get(name), undefined);
    // The same command with a harmless source makes it: the refusal was the policy's.
    assert.equal(await localCommands.mkwpar!(['-n', name, '-M', 'directory=/h', `dev=${join(dir, 'data')}`]), 0);
    assert.equal(await localCommands.rmwpar!([name]), 0);
  });
});
