// The deploy-time address check on its own: which specs share an address on a bridge.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CapstanError } from '../../../src/api/errors.js';
import { normalizeWparSpec, type WparSpec } from '../../../src/api/wpar.js';
import { assertAddressesFree } from '../../../src/manager/inventory/address-check.js';

const spec = (name: string, interfaces: { address: string; bridge?: string }[]): WparSpec =>
  normalizeWparSpec({ name, type: 'system', interfaces });
const deployed = (name: string, interfaces: { address: string; bridge?: string }[]) => ({ name, spec: spec(name, interfaces) });
const clash = (fn: () => void) => assert.throws(fn, (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0007');

describe('addresses at deploy', () => {
  const web = deployed('web', [{ address: '10.0.0.5' }, { address: '192.168.9.5', bridge: 'back0' }]);

  it('refuses an address a deployed WPAR uses on the same bridge, the default one included', () => {
    clash(() => assertAddressesFree(spec('db', [{ address: '10.0.0.5' }]), [web]));
    clash(() => assertAddressesFree(spec('db', [{ address: '192.168.9.5', bridge: 'back0' }]), [web]));
    assert.throws(() => assertAddressesFree(spec('db', [{ address: '10.0.0.5' }]), [web]), /used by WPAR web/);
  });

  it('accepts the same address on another bridge, and other addresses', () => {
    assertAddressesFree(spec('db', [{ address: '10.0.0.5', bridge: 'back0' }, { address: '192.168.9.5' }]), [web]);
    assertAddressesFree(spec('db', [{ address: '10.0.0.6' }]), [web]);
    assertAddressesFree(spec('db', []), [web]);
  });

  it('refuses a spec that gives one address twice on one bridge', () => {
    clash(() => assertAddressesFree(spec('db', [{ address: '10.0.0.7' }, { address: '10.0.0.7' }]), []));
    assertAddressesFree(spec('db', [{ address: '10.0.0.7' }, { address: '10.0.0.7', bridge: 'back0' }]), []);
  });
});
