// The HTTPS server's bounds on a real manager: connections past the cap are refused at once,
// and the server takes new ones again when others close.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadManagerConfig } from '../../src/manager/config.js';
import { startManager, type RunningManager } from '../../src/manager/main.js';

describe('HTTPS server bounds', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'capstan-http-limits-'));
  let manager: RunningManager | undefined;
  let port = 0;
  const open: TLSSocket[] = [];

  before(async () => {
    manager = await startManager(loadManagerConfig({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent', http: { maxConnections: 2 } }), pino({ level: 'silent' }));
    port = Number(new URL(manager.url).port);
  });
  after(async () => {
    for (const s of open) s.destroy();
    await manager?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A TLS connection: 'up' once the handshake is done, 'refused' when the server drops it first. */
  const dial = () => new Promise<'up' | 'refused'>((resolve) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve('up'));
    open.push(s);
    s.on('error', () => resolve('refused'));
    s.on('close', () => resolve('refused'));
  });

  it('refuses connections past the cap, and takes one again once another closed', async () => {
    assert.equal(await dial(), 'up');
    assert.equal(await dial(), 'up');
    assert.equal(await dial(), 'refused');
    open[0]!.destroy();
    // The server counts the closed one out once it has seen it close: dial until it has.
    let again: 'up' | 'refused' = 'refused';
    for (let i = 0; i < 50 && again === 'refused'; i++) again = await dial();
    assert.equal(again, 'up');
  });
});
