// The WPAR rules of the seed, checked without I/O: every action in every state for both
// types with and without checkpointing, what each action leaves behind, what may change
// in which state, and templates.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CapstanError } from '../../../src/api/errors.js';
import { refuseAction, stateAfter, WPAR_ACTIONS, WPAR_STATES, type WparAction, type WparState } from '../../../src/api/wpar-states.js';
import { normalizeWparSpec, type WparSpec } from '../../../src/api/wpar.js';
import {
  applyModification,
  assertActionAllowed,
  assertChangesAllowed,
  changedProperties,
  changesTheSystem,
  CLAIM_TTL_MS,
  holderIsLive,
  newClaim,
  refusedChanges,
  specFromTemplate,
} from '../../../src/manager/inventory/wpar-rules.js';

// The seed's lifecycle, written per state (the code keeps it per action): which actions a
// WPAR in each state accepts, before the type and checkpointable conditions.
const ACCEPTS: Record<WparState, readonly WparAction[]> = {
  Undeployed: ['deploy', 'remove', 'modify', 'delete'],
  Defined: ['start', 'remove', 'modify', 'delete'],
  Active: ['stop', 'pause', 'freeze', 'checkpoint', 'remove', 'modify', 'delete'],
  Paused: ['resume', 'endProcesses', 'checkpoint', 'modify'],
  Frozen: ['pause', 'resume', 'checkpoint', 'modify'],
  Broken: ['stop', 'remove', 'modify', 'delete'],
  // An operation is in progress, or (Loaded) no operation can be performed at all.
  Transitional: [],
  Loaded: [],
};
// "A WPAR can only be paused if it has been configured to enable relocation (checkpointable)."
const NEEDS_CHECKPOINTABLE: readonly WparAction[] = ['pause', 'freeze', 'checkpoint'];
// "Only system WPARs that are in the Defined state can be started."
const SYSTEM_ONLY: readonly WparAction[] = ['start'];

const CODE = { state: 'CAP-E0200', type: 'CAP-E0203', checkpointable: 'CAP-E0202' } as const;

function spec(overrides: Partial<WparSpec> = {}): WparSpec {
  return normalizeWparSpec({ name: 'w1', type: 'system', ...overrides });
}

describe('WPAR actions by state, type and checkpointable', () => {
  for (const action of WPAR_ACTIONS) {
    it(`${action}: refused or allowed in every combination`, () => {
      for (const state of WPAR_STATES) {
        for (const type of ['system', 'application'] as const) {
          for (const checkpointable of [false, true]) {
            const expected = SYSTEM_ONLY.includes(action) && type !== 'system' ? 'type'
              : NEEDS_CHECKPOINTABLE.includes(action) && !checkpointable ? 'checkpointable'
                : !ACCEPTS[state].includes(action) ? 'state'
                  : null;
            const wpar = { name: 'w', state, type, checkpointable };
            const where = `${action} on ${type} ${state}${checkpointable ? ' checkpointable' : ''}`;
            assert.equal(refuseAction(action, wpar), expected, where);
            if (expected === null) {
              assert.doesNotThrow(() => assertActionAllowed(action, wpar), where);
            } else {
              assert.throws(() => assertActionAllowed(action, wpar), (e: unknown) => e instanceof CapstanError && e.code === CODE[expected], where);
            }
          }
        }
      }
    });
  }

  it('names the WPAR and its state in a refusal', () => {
    assert.throws(() => assertActionAllowed('start', { name: 'web1', state: 'Active', type: 'system', checkpointable: false }), /start web1 \(system, Active\)/);
  });
});

describe('the state an action leaves', () => {
  const cases: [WparAction, 'system' | 'application', { start?: boolean }, WparState | 'deleted'][] = [
    // "Unless otherwise specified as part of the deployment options, the WPAR will not be started."
    ['deploy', 'system', {}, 'Defined'],
    ['deploy', 'system', { start: true }, 'Active'],
    // "Application WPARs, however, are started as soon as the WPAR is deployed."
    ['deploy', 'application', {}, 'Active'],
    ['start', 'system', {}, 'Active'],
    // "System WPARs remain in the system but are inactive ... Defined"; application WPARs are removed.
    ['stop', 'system', {}, 'Defined'],
    ['stop', 'application', {}, 'Undeployed'],
    ['endProcesses', 'system', {}, 'Defined'],
    ['endProcesses', 'application', {}, 'Undeployed'],
    ['pause', 'system', {}, 'Paused'],
    ['freeze', 'application', {}, 'Frozen'],
    ['resume', 'system', {}, 'Active'],
    ['remove', 'system', {}, 'Undeployed'],
    ['delete', 'application', {}, 'deleted'],
  ];
  for (const [action, type, opts, expected] of cases) {
    it(`${action} of a ${type} WPAR${opts.start ? ' with start' : ''} → ${expected}`, () => {
      assert.equal(stateAfter(action, { type }, opts), expected);
    });
  }
});

describe('modification rules', () => {
  const everything = ['name', 'type', 'hostname', 'image', 'command', 'interfaces', 'mounts', 'resources', 'checkpointable', 'privileges', 'group'];

  it('allows any property while Undeployed', () => {
    assert.deepEqual(refusedChanges('Undeployed', everything), []);
  });

  it('allows only the listed properties in each deployed state', () => {
    const allowed: Partial<Record<WparState, string[]>> = {
      Defined: ['resources', 'privileges', 'mounts', 'interfaces', 'hostname', 'checkpointable', 'group', 'command'],
      Active: ['resources', 'group'],
      Paused: ['group'],
      Frozen: ['group'],
      Broken: ['group'],
    };
    for (const state of ['Defined', 'Active', 'Paused', 'Frozen', 'Broken'] as const) {
      assert.deepEqual(refusedChanges(state, everything), everything.filter((k) => !allowed[state]!.includes(k)), state);
    }
  });

  it('refuses with CAP-E0201 naming the properties', () => {
    const wpar = { name: 'web1', state: 'Active' as const, type: 'system' as const, checkpointable: false };
    assert.throws(() => assertChangesAllowed(wpar, ['image', 'resources']), (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0201' && /image of web1/.test(e.message));
    assert.doesNotThrow(() => assertChangesAllowed(wpar, ['resources']));
  });

  it('sees only real changes, deep', () => {
    const before = { spec: spec({ resources: { cpuShares: 100 } }), groupId: 'g1' };
    assert.deepEqual(changedProperties(before, { spec: spec({ resources: { cpuShares: 100 } }), groupId: 'g1' }), []);
    assert.deepEqual(changedProperties(before, { spec: spec({ resources: { cpuShares: 200 } }), groupId: 'g2' }), ['group', 'resources']);
    assert.deepEqual(changedProperties(before, { spec: spec({ resources: { cpuShares: 100 }, hostname: 'h' }), groupId: 'g1' }), ['hostname']);
  });

  it('clears an optional property with null and keeps what is not named', () => {
    const s = spec({ hostname: 'h1', privileges: ['CAP_NET_ADMIN'] });
    const next = normalizeWparSpec(applyModification(s, { hostname: null, resources: { memoryLimitMiB: 64 } }));
    assert.equal(next.hostname, undefined);
    assert.deepEqual(next.privileges, ['CAP_NET_ADMIN']);
    assert.deepEqual(next.resources, { memoryLimitMiB: 64 });
    assert.equal(s.hostname, 'h1', 'the original is untouched');
  });

  it('refuses an application WPAR without a command (CAP-E0205)', () => {
    const app = spec({ type: 'application', command: ['/bin/true'] });
    assert.throws(() => normalizeWparSpec(applyModification(app, { command: null })), (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0205');
  });

  it('goes to the system only for deployed WPARs and only for spec properties', () => {
    assert.equal(changesTheSystem('Undeployed', ['resources']), false);
    assert.equal(changesTheSystem('Active', ['group']), false);
    assert.equal(changesTheSystem('Active', ['group', 'resources']), true);
    assert.equal(changesTheSystem('Defined', ['hostname']), true);
  });
});

describe('create from a template', () => {
  const template = spec({
    hostname: 'tmpl',
    checkpointable: true,
    interfaces: [{ address: '10.0.0.5', prefix: 24 }, { address: '10.1.0.5', prefix: 16, bridge: 'br1' }],
    resources: { cpuLimit: 0.5 },
  });

  it('copies the spec with a new name and without the template\'s host name', () => {
    const s = specFromTemplate(template, { name: 'copy1' });
    assert.equal(s.name, 'copy1');
    assert.equal(s.hostname, undefined);
    assert.deepEqual({ ...s, name: template.name, hostname: template.hostname }, template);
  });

  it('takes new addresses in interface order, keeping the rest of each interface', () => {
    const s = specFromTemplate(template, { name: 'copy2', hostname: 'c2', addresses: ['10.0.0.6', '10.1.0.6'] });
    assert.deepEqual(s.interfaces, [{ address: '10.0.0.6', prefix: 24 }, { address: '10.1.0.6', prefix: 16, bridge: 'br1' }]);
    assert.equal(s.hostname, 'c2');
    assert.equal(template.interfaces[0]!.address, '10.0.0.5', 'the template is untouched');
  });

  it('refuses a number of addresses that does not match the interfaces (CAP-E0001)', () => {
    assert.throws(() => specFromTemplate(template, { name: 'copy3', addresses: ['10.0.0.7'] }), (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0001');
  });
});

describe('who holds a busy WPAR', () => {
  const now = 1_700_000_000_000;

  it('a task until it ends', () => {
    for (const status of ['queued', 'running'] as const) assert.equal(holderIsLive('t1', now, { status }), true, status);
    for (const status of ['succeeded', 'failed', 'cancelled'] as const) assert.equal(holderIsLive('t1', now, { status }), false, status);
    assert.equal(holderIsLive('t1', now, undefined), false, 'a task that is gone');
  });

  it('a request\'s claim until it is too old to belong to a live request', () => {
    assert.equal(holderIsLive(newClaim(now, 'n'), now + 1000, undefined), true);
    assert.equal(holderIsLive(newClaim(now, 'n'), now + CLAIM_TTL_MS, undefined), false);
  });
});
