// An event stream whose reader stops reading: the manager holds a bounded amount for it, then
// cuts it off; a reader that keeps up gets every event.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { eventWriter } from '../../../src/manager/http/event-stream.js';

/** A socket whose reader takes the first write and then nothing more (nothing is ever acknowledged). */
const stalled = () => new Writable({ highWaterMark: 16, write: () => undefined });

describe('event stream writer', () => {
  it('cuts off a reader that falls behind by more than the bound, holding no more than it', () => {
    const out = stalled();
    const w = eventWriter(out, 10_000);
    let sent = 0;
    while (w.event('log', { line: 'x'.repeat(100) })) sent++;
    assert.ok(out.destroyed);
    assert.ok(out.writableLength <= 10_000, `held ${out.writableLength} bytes`);
    assert.ok(sent > 50 && sent < 100, `${sent} events before the cut`);
    assert.equal(w.comment('keepalive'), false, 'nothing more is written');
  });

  it('passes every event to a reader that keeps up', async () => {
    const got: string[] = [];
    const out = new Writable({ write: (chunk: Buffer, _enc, done) => { got.push(chunk.toString()); done(); } });
    const w = eventWriter(out, 1000);
    for (let i = 0; i < 100; i++) assert.ok(w.event('log', { i, pad: 'y'.repeat(200) }));
    assert.equal(got.length, 100);
    assert.equal(got[7], `event: log\ndata: ${JSON.stringify({ i: 7, pad: 'y'.repeat(200) })}\n\n`);
    out.end();
    assert.equal(w.event('log', {}), false);
  });
});
