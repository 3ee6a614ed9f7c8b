// The manager's one way to ask an agent: the deadline of each request kind, the task's signal
// passed on, and an agent's refusal as a CapstanError (the agent's code kept when known).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapstanError } from '../../src/api/errors.js';
import { AgentClient, agentError } from '../../src/manager/agents/agent-client.js';
import type { AgentHub, AgentRequest, AgentResult } from '../../src/manager/agents/hub.js';

/** A TEST-ONLY hub that records what it is asked and answers with `answer`. */
function fakeHub(answer: Omit<AgentResult, 'type' | 'id'>) {
  const asked: { body: AgentRequest; timeoutMs?: number; signal?: AbortSignal }[] = [];
  const hub = {
    connected: () => true,
    request: async (_systemId: string, body: AgentRequest, timeoutMs?: number, signal?: AbortSignal): Promise<AgentResult> => {
      asked.push({ body, timeoutMs, signal });
      return { type: 'result', id: 'x', ...answer };
    },
  };
  return { client: new AgentClient(hub as unknown as AgentHub), asked };
}

describe('agent client', () => {
  it('gives every request kind a deadline, relocation steps longer ones, and passes the signal on', async () => {
    const { client, asked } = fakeHub({ ok: true, output: [] });
    const signal = new AbortController().signal;
    await client.ask('s', { type: 'discover' }, { signal });
    await client.ask('s', { type: 'settle', relocationId: 'r', name: 'w', outcome: 'probe' });
    assert.equal(asked[0]!.signal, signal);
    assert.ok(asked[0]!.timeoutMs! > 0);
    assert.ok(asked[1]!.timeoutMs! > asked[0]!.timeoutMs!);
  });

  it('turns a refusal into a CapstanError with the agent\'s code, and logs what the agent printed', async () => {
    const { client } = fakeHub({ ok: false, error: { code: 'CAP-E1002', message: 'the WPAR is not checkpointable: w1' }, output: ['line'] });
    const lines: string[] = [];
    await assert.rejects(client.ask('s', { type: 'discover' }, { log: (l) => lines.push(l) }), (e: unknown) => {
      assert.ok(e instanceof CapstanError);
      assert.equal(e.code, 'CAP-E1002');
      assert.equal(e.message, 'the WPAR is not checkpointable: w1');
      return true;
    });
    assert.deepEqual(lines, ['line']);
  });

  it('gives a refusal with a code unknown here, or none, the request kind\'s code', () => {
    const unknown = agentError({ code: 'CAP-E9999', message: 'something new' }, 'CAP-E0920');
    assert.equal(unknown.code, 'CAP-E0920');
    assert.match(unknown.message, /something new$/);
    assert.equal(agentError(undefined, 'CAP-E1008').code, 'CAP-E1008');
  });
});
