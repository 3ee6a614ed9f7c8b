// What a departing WPAR still owes its peers before its link comes off the bridge. Pure, no I/O.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unacknowledged } from '../../../src/agent/engine/relocate/drain.js';

const HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const row = (st: string, tx: string, rx = '00000000'): string => `   0: 0A00EE0A:1388 0100EE0A:9C46 ${st} ${tx}:${rx} 01:00000014 00000000     0        0 1 1 0 20 4 30 10 -1`;

describe('unacknowledged data of a departing WPAR (pure)', () => {
  it('sums the send queues of connections that still owe data, in hex', () => {
    assert.equal(unacknowledged([HEAD, row('01', '00000004'), row('08', '00000010'), row('04', '00000001'), row('09', '00000002')].join('\n')), 23);
  });

  it('ignores listeners, closed and waiting sockets, receive queues and the header', () => {
    assert.equal(unacknowledged([HEAD, row('0A', '00000000', '00000005'), row('06', '00000004'), row('07', '00000004'), row('01', '00000000', '000000FF')].join('\n')), 0);
    assert.equal(unacknowledged(''), 0);
  });
});
