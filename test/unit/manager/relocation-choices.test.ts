// How a relocation's memory and images move, decided from the two hosts' profiles without I/O.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageTransport, memoryMethod } from '../../../src/manager/mobility/relocation.js';
import { hostProfile } from '../../manager/mobility-fixtures.js';

const lazy = hostProfile({ memoryTransfer: { postCopy: true, preCopy: false } });
const tracking = hostProfile({ memoryTransfer: { postCopy: false, preCopy: true } });
const neither = hostProfile({ memoryTransfer: { postCopy: false, preCopy: false } });

describe('memory method', () => {
  it('takes post-copy where both hosts can and the group allows it', () => {
    assert.equal(memoryMethod(lazy, lazy, true), 'postCopy');
    assert.equal(memoryMethod(lazy, lazy, false), 'stopAndCopy');
  });

  it('takes pre-copy where both track dirty pages, stop-and-copy otherwise', () => {
    assert.equal(memoryMethod(tracking, tracking, true), 'preCopy');
    assert.equal(memoryMethod(lazy, tracking, true), 'stopAndCopy');
    assert.equal(memoryMethod(neither, lazy, true), 'stopAndCopy');
    assert.equal(memoryMethod(null, lazy, true), 'stopAndCopy');
  });
});

describe('image transport', () => {
  it('uses the shared state directory only when both hosts report the same one', () => {
    const a = { ...lazy, sharedStateId: 'id-a' };
    assert.equal(imageTransport(a, { ...lazy, sharedStateId: 'id-a' }), 'sharedStateDir');
    assert.equal(imageTransport(a, { ...lazy, sharedStateId: 'id-b' }), 'agents');
    assert.equal(imageTransport(a, lazy), 'agents');
    assert.equal(imageTransport(lazy, lazy), 'agents');
    assert.equal(imageTransport(a, null), 'agents');
  });
});
