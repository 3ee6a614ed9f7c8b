// The rules of activation, deactivation, moving cores, codeword order and compliance, over
// snapshots of a complex: each refusal with its stable code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CapstanError } from '../../../src/api/errors.js';
import {
  assertSequence,
  codewordEffect,
  complianceOf,
  coresInUse,
  distribute,
  planActivation,
  planDeactivationOf,
  planMove,
  type ComplexSnapshot,
} from '../../../src/manager/capacity/rules.js';

function snapshot(over: Partial<ComplexSnapshot> = {}): ComplexSnapshot {
  return {
    rights: { cores: 4, memoryGiB: 16, cells: null },
    totals: { cores: 16, memoryGiB: 64, cells: null },
    balance: 0,
    systems: [
      { id: 'a', name: 'host-a', intended: { cores: 2, memoryGiB: 8, cells: null }, actual: null, hostCores: 8 },
      { id: 'b', name: 'host-b', intended: { cores: 2, memoryGiB: 8, cells: null }, actual: null, hostCores: 8 },
    ],
    ...over,
  };
}

function refused(code: string, fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof CapstanError && e.code === code);
}

describe('activation', () => {
  it('within the usage rights', () => {
    const s = snapshot({ rights: { cores: 6, memoryGiB: 16, cells: null } });
    assert.deepEqual(planActivation(s, 'a', { cores: 2 }), { cores: 4, memoryGiB: 8, cells: null });
  });

  it('beyond the rights only with 30 minutes of temporary capacity for each core activated beyond them', () => {
    assert.equal(planActivation(snapshot({ balance: 3600 }), 'a', { cores: 2 }).cores, 4);
    refused('CAP-E0805', () => planActivation(snapshot({ balance: 3599 }), 'a', { cores: 2 }));
    refused('CAP-E0805', () => planActivation(snapshot({ balance: 0 }), 'a', { cores: 1 }));
    // Rights 5: of 2 cores activated, 1 is beyond the rights and needs 30 minutes.
    const five = { rights: { cores: 5, memoryGiB: 16, cells: null } };
    assert.equal(planActivation(snapshot({ ...five, balance: 1800 }), 'a', { cores: 2 }).cores, 4);
    refused('CAP-E0805', () => planActivation(snapshot({ ...five, balance: 1799 }), 'a', { cores: 2 }));
  });

  it('memory only within its rights (no temporary memory); ungoverned components are refused', () => {
    refused('CAP-E0805', () => planActivation(snapshot({ balance: 1e9 }), 'a', { memoryGiB: 1 }));
    const roomy = snapshot({ rights: { cores: 4, memoryGiB: 24, cells: null } });
    assert.equal(planActivation(roomy, 'a', { memoryGiB: 8 }).memoryGiB, 16);
    refused('CAP-E0813', () => planActivation(snapshot(), 'a', { cells: 1 }));
  });

  it('a cell only with usage rights for all of its memory and at least one core (the seed\'s cell rule)', () => {
    // 4 cells of 16 GiB each (64 GiB installed).
    const cells = (rights: { cores: number; memoryGiB: number | null }, totalMemory: number | null = 64) => snapshot({
      rights: { ...rights, cells: 4 },
      totals: { cores: 16, memoryGiB: totalMemory, cells: 4 },
      systems: [
        { id: 'a', name: 'host-a', intended: { cores: 2, memoryGiB: 8, cells: 0 }, actual: null, hostCores: 8 },
        { id: 'b', name: 'host-b', intended: { cores: 2, memoryGiB: 8, cells: 1 }, actual: null, hostCores: 8 },
      ],
    });
    // One more cell: two active, 32 GiB of memory rights and two core rights needed.
    assert.equal(planActivation(cells({ cores: 4, memoryGiB: 32 }), 'a', { cells: 1 }).cells, 1);
    refused('CAP-E0814', () => planActivation(cells({ cores: 4, memoryGiB: 31 }), 'a', { cells: 1 }));
    refused('CAP-E0814', () => planActivation(cells({ cores: 1, memoryGiB: 64 }), 'a', { cells: 1 }));
    // Memory not governed, or its size unknown: the core part still holds.
    assert.equal(planActivation(cells({ cores: 2, memoryGiB: null }), 'a', { cells: 1 }).cells, 1);
    assert.equal(planActivation(cells({ cores: 2, memoryGiB: 8 }, null), 'a', { cells: 1 }).cells, 1);
    refused('CAP-E0814', () => planActivation(cells({ cores: 2, memoryGiB: null }), 'a', { cells: 2 }));
  });

  it('never beyond what is installed in the complex or in the host', () => {
    // host-a has 8 cores.
    refused('CAP-E0806', () => planActivation(snapshot({ balance: 1e9 }), 'a', { cores: 7 }));
    const small = snapshot({ balance: 1e9, totals: { cores: 6, memoryGiB: 64, cells: null } });
    refused('CAP-E0806', () => planActivation(small, 'a', { cores: 3 }));
    assert.equal(planActivation(small, 'a', { cores: 2 }).cores, 4);
  });

  it('counts unknown totals as no limit', () => {
    const unknown = snapshot({ balance: 1e9, totals: { cores: null, memoryGiB: null, cells: null }, systems: snapshot().systems.map((s) => ({ ...s, hostCores: null })) });
    assert.equal(planActivation(unknown, 'a', { cores: 30 }).cores, 32);
  });
});

describe('deactivation and moves', () => {
  it('deactivation is always allowed, down to nothing, never below', () => {
    assert.equal(planDeactivationOf(snapshot({ balance: -100 }), 'a', { cores: 2 }).cores, 0);
    refused('CAP-E0807', () => planDeactivationOf(snapshot(), 'a', { cores: 3 }));
    refused('CAP-E0813', () => planDeactivationOf(snapshot(), 'a', { cells: 1 }));
  });

  it('moves cores between systems without consulting the rights, within the receiving host', () => {
    const moved = planMove(snapshot(), 'a', 'b', 2);
    assert.deepEqual([moved.from.cores, moved.to.cores], [0, 4]);
    refused('CAP-E0807', () => planMove(snapshot(), 'a', 'b', 3));
    const full = snapshot({ systems: snapshot().systems.map((s) => (s.id === 'b' ? { ...s, hostCores: 3 } : s)) });
    refused('CAP-E0806', () => planMove(full, 'a', 'b', 2));
    refused('CAP-E0001', () => planMove(snapshot(), 'a', 'a', 1));
  });
});

describe('codewords in sequence', () => {
  it('the next one applies; a replay is "already applied"; a gap or a taken number is "out of order"', () => {
    assert.doesNotThrow(() => assertSequence(1, 0, undefined, 'd1'));
    assert.doesNotThrow(() => assertSequence(5, 4, undefined, 'd5'));
    refused('CAP-E0804', () => assertSequence(4, 4, 'd4', 'd4'));
    refused('CAP-E0804', () => assertSequence(2, 4, 'd2', 'd2'));
    refused('CAP-E0803', () => assertSequence(6, 4, undefined, 'd6'));
    refused('CAP-E0803', () => assertSequence(3, 4, 'other', 'd3'));
  });

  it('right-to-use codewords add rights; temporary ones add core-seconds', () => {
    assert.deepEqual(codewordEffect('cores', 2), { rights: { cores: 2 } });
    assert.deepEqual(codewordEffect('memory', 32), { rights: { memoryGiB: 32 } });
    assert.deepEqual(codewordEffect('cell', 1), { rights: { cells: 1 } });
    assert.deepEqual(codewordEffect('temporary', 86_400), { temporarySeconds: 86_400 });
  });
});

describe('compliance', () => {
  it('counts what the agents report, and intended where they have not', () => {
    const s = snapshot({
      systems: [
        { id: 'a', name: 'host-a', intended: { cores: 2, memoryGiB: 8, cells: null }, actual: { cores: 5, memoryGiB: 8, cells: null }, hostCores: 8 },
        { id: 'b', name: 'host-b', intended: { cores: 2, memoryGiB: 8, cells: null }, actual: null, hostCores: 8 },
      ],
    });
    assert.equal(coresInUse(s), 3);
    assert.deepEqual(complianceOf({ ...s, balance: 100 }), { compliant: true, reasons: [] });
    assert.equal(complianceOf({ ...s, balance: 0 }).compliant, false);
    assert.match(complianceOf({ ...s, balance: -1 }).reasons.join(), /negative/);
  });

  it('a negative balance is never compliant; memory beyond its rights is not either', () => {
    assert.equal(complianceOf(snapshot({ balance: -1 })).compliant, false);
    const over = snapshot({ rights: { cores: 4, memoryGiB: 10, cells: null } });
    assert.match(complianceOf(over).reasons.join(), /16 GiB of memory active, 10 usage rights/);
  });

  it('spreads initial rights over the systems within their hosts', () => {
    assert.deepEqual(distribute(5, [null, null]), [3, 2]);
    assert.deepEqual(distribute(5, [1, null]), [1, 4]);
    assert.deepEqual(distribute(5, [1, 2]), [1, 2]);
  });
});
