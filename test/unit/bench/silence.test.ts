// How the relocation benchmark reads what its outside client saw. Pure, no I/O.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silenceOf } from '../../../bench/relocation/silence.js';

const at = (pairs: [number, number][]): { at: number; n: number }[] => pairs.map(([t, n]) => ({ at: t, n }));

describe('client silence (pure)', () => {
  it('is the longest gap ending within the window', () => {
    const lines = at([[0, 1], [50, 2], [100, 3], [700, 4], [750, 5], [2000, 6]]);
    assert.deepEqual(silenceOf(lines, 60, 800), { longestMs: 600, lost: 0, repeated: 0 });
    assert.equal(silenceOf(lines, 0, 2500).longestMs, 1250, 'a later gap counts when it ends inside');
  });

  it('counts numbers that never came and numbers that came again', () => {
    assert.deepEqual(silenceOf(at([[0, 1], [50, 2], [400, 5], [450, 5], [500, 4], [550, 6]]), 0, 600), { longestMs: 350, lost: 1, repeated: 1 });
  });

  it('counts a stream that stopped as silent to the end of the window', () => {
    assert.equal(silenceOf(at([[0, 1], [50, 2]]), 20, 1000).longestMs, 950);
    assert.equal(silenceOf([], 0, 1000).longestMs, 1000);
  });
});
