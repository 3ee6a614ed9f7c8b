// The reconcile plan: how an agent's report of its WPARs changes the manager's view. Pure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WparReport } from '../../../src/api/agents.js';
import { normalizeWparSpec, type WparSpec } from '../../../src/api/wpar.js';
import { planReconcile, type KnownWpar } from '../../../src/manager/inventory/reconcile-plan.js';

const spec = (name: string): WparSpec => normalizeWparSpec({ name, type: 'system' } as WparSpec);
const known = (name: string, o: Partial<KnownWpar> = {}): KnownWpar =>
  ({ id: `id-${name}`, name, state: 'Active', stateReason: null, systemId: 'sys1', busy: false, spec: spec(name), unaccepted: false, ...o });
const report = (name: string, state: WparReport['state'] = 'Active', extra: Partial<WparReport> = {}): WparReport => ({ name, spec: spec(name), state, ...extra });

describe('planReconcile', () => {
  it('changes nothing when the report agrees', () => {
    assert.deepEqual(planReconcile('sys1', [known('a')], [report('a')]), []);
  });

  it('updates states, reasons and definitions that changed on the system', () => {
    const changed = { ...spec('a'), hostname: 'other' };
    assert.deepEqual(planReconcile('sys1', [known('a'), known('b')], [report('a', 'Defined'), report('b', 'Broken', { brokenReason: 'lost' })]), [
      { kind: 'update', id: 'id-a', state: 'Defined', reason: null, spec: spec('a'), unaccepted: false },
      { kind: 'update', id: 'id-b', state: 'Broken', reason: 'lost', spec: spec('b'), unaccepted: false },
    ]);
    assert.deepEqual(planReconcile('sys1', [known('a')], [{ ...report('a'), spec: changed }]), [{ kind: 'update', id: 'id-a', state: 'Active', reason: null, spec: changed, unaccepted: false }]);
  });

  it('discovers unknown WPARs and adopts definitions deployed nowhere', () => {
    assert.deepEqual(planReconcile('sys1', [known('b', { systemId: null, state: 'Undeployed' })], [report('new', 'Defined'), report('b')]), [
      { kind: 'discover', state: 'Defined', reason: null, spec: spec('new'), unaccepted: false },
      { kind: 'adopt', id: 'id-b', state: 'Active', reason: null, spec: spec('b'), unaccepted: false },
    ]);
  });

  it('never lets a report change the privileged fields of a definition: it keeps them, and flags the WPAR', () => {
    const poisoned: WparSpec = { ...spec('a'), hostname: 'renamed', image: 'host', mounts: [{ source: '/', target: '/h', type: 'bind', readOnly: false }], privileges: ['CAP_SYS_ADMIN'] };
    const steps = planReconcile('sys1', [known('a'), known('b', { systemId: null, state: 'Undeployed' })], [{ ...report('a'), spec: poisoned }, { ...report('b'), spec: { ...poisoned, name: 'b' } }]);
    assert.deepEqual(steps, [
      // What is not privileged (the hostname) follows the report.
      { kind: 'update', id: 'id-a', state: 'Active', reason: null, spec: { ...spec('a'), hostname: 'renamed' }, unaccepted: true },
      { kind: 'adopt', id: 'id-b', state: 'Active', reason: null, spec: { ...spec('b'), hostname: 'renamed' }, unaccepted: true },
    ]);
    // The same privileges in other words (a path not normalised) are no change; a flag stays until accepted.
    const granted: WparSpec = { ...spec('c'), mounts: [{ source: '/srv/data', target: '/d', type: 'bind', readOnly: true }] };
    const same: WparSpec = { ...granted, mounts: [{ source: '/srv//data/', target: '/d', type: 'bind', readOnly: true }] };
    assert.deepEqual(planReconcile('sys1', [known('c', { spec: granted })], [{ ...report('c'), spec: same }]), []);
    assert.deepEqual(planReconcile('sys1', [known('c', { spec: granted, unaccepted: true })], [{ ...report('c'), spec: granted }]), []);
  });

  it('discovers a WPAR with privileged fields flagged, one without unflagged', () => {
    const app = normalizeWparSpec({ name: 'app', type: 'application', command: ['sleep', '1'] } as WparSpec);
    const steps = planReconcile('sys1', [], [{ ...report('app'), spec: app }, report('plain')]);
    assert.deepEqual(steps.map((s) => s.kind === 'discover' && [s.spec.name, s.unaccepted]), [['app', true], ['plain', false]]);
  });

  it('marks WPARs the system no longer has as vanished, and never touches busy ones', () => {
    assert.deepEqual(planReconcile('sys1', [known('gone'), known('busy', { busy: true }), known('busy2', { busy: true, state: 'Transitional' })], [report('busy2', 'Defined')]), [
      { kind: 'vanished', id: 'id-gone' },
    ]);
  });

  it('reports a WPAR deployed on another system as a conflict, not a discovery', () => {
    assert.deepEqual(planReconcile('sys1', [known('x', { systemId: 'sys2' })], [report('x')]), [{ kind: 'conflict', name: 'x', otherSystemId: 'sys2' }]);
  });
});
