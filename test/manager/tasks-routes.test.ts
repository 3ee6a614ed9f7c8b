// The tasks API over HTTP: list and show, long-poll wait, cancel (and who may), and the
// live events stream.
import { after, before, describe, it } from 'node:test';
import { until } from '../helpers/until.js';
import assert from 'node:assert/strict';
import type { TaskView } from '../../src/api/tasks.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';

type Headers = { authorization: string };

describe('tasks API', () => {
  let m: TestManager;
  let monitor: Headers;
  let operator: Headers;
  /** The app also listens, for the streams: over real HTTP, chunk by chunk. */
  let address: string;
  // A gate opened before its task reaches it stays open.
  const gates = new Map<string, { promise: Promise<void>; open: () => void }>();
  const gate = (name: string) => {
    let g = gates.get(name);
    if (!g) {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      g = { promise, open };
      gates.set(name, g);
    }
    return g;
  };

  before(async () => {
    m = await startTestManager();
    monitor = (await m.userWithRoles(['WPARMonitor'])).headers;
    operator = (await m.userWithRoles(['WPARUser'])).headers;
    address = await m.app.listen({ port: 0, host: '127.0.0.1' });
    m.services.tasks.register<{ gate: string }>({
      kind: 'test.http',
      onRestart: 'fail',
      async run(ctx) {
        await ctx.operation('wait', async (op) => {
          op.log('waiting for the gate');
          await new Promise<void>((resolve, reject) => {
            void gate(ctx.params.gate).promise.then(resolve);
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
          });
          op.log('through');
        });
        await ctx.progress(0.5, 'half');
        return { gate: ctx.params.gate };
      },
    });
  });
  after(async () => {
    await m.services.tasks.shutdown();
    await m.close();
  });

  const submit = (gate: string) => m.services.tasks.submit('test.http', { gate }, { target: { kind: 'wpar', id: 'w-' + gate, name: gate }, createdBy: 'tester' });
  const open = (name: string) => gate(name).open();
  const get = (url: string, headers: Headers = monitor) => m.app.inject({ method: 'GET', url: `/api/v1${url}`, headers });

  it('lists and shows tasks to a monitor; refuses anonymous callers', async () => {
    const t = await submit('list');
    await running(m, t.id);
    const list = await get('/tasks?targetKind=wpar&targetId=w-list');
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().items.map((x: TaskView) => x.id), [t.id]);
    const one = await get(`/tasks/${t.id}`);
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().kind, 'test.http');
    assert.equal(one.json().operations[0].output, 'waiting for the gate\n');
    assert.equal((await get('/tasks/nope')).json().code, 'CAP-E0002');
    assert.equal((await get('/tasks?status=bogus')).json().code, 'CAP-E0001');
    assert.equal((await m.app.inject({ method: 'GET', url: '/api/v1/tasks' })).statusCode, 401);
    open('list');
    await m.services.tasks.wait(t.id);
  });

  it('long-polls: answers at the timeout with the running task, and at the end with the ended one', async () => {
    const t = await submit('wait');
    await running(m, t.id);
    const early = await get(`/tasks/${t.id}/wait?timeout=0.05`);
    assert.equal(early.statusCode, 200);
    assert.equal(early.json().status, 'running');
    const late = get(`/tasks/${t.id}/wait?timeout=60`);
    open('wait');
    const done = (await late).json();
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.result, { gate: 'wait' });
  });

  it('cancels for an operator, not for a monitor; an ended task cannot be cancelled', async () => {
    const t = await submit('cancel');
    await running(m, t.id);
    const post = (headers: Headers) => m.app.inject({ method: 'POST', url: `/api/v1/tasks/${t.id}/cancel`, headers });
    const refused = await post(monitor);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'CAP-E0102');
    assert.equal((await post(operator)).statusCode, 200);
    const done = (await get(`/tasks/${t.id}/wait?timeout=60`)).json();
    assert.equal(done.status, 'cancelled');
    assert.equal(done.error.code, 'CAP-E0403');
    const again = await post(operator);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'CAP-E0400');
  });

  it('streams a running task over HTTP: snapshot, then its events, closing after the end', async () => {
    const t = await submit('stream');
    await running(m, t.id);
    const res = await fetch(`${address}/api/v1/tasks/${t.id}/events`, { headers: monitor });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let body = '';
    // The snapshot first; only then does the task go on, so every later event is in the stream.
    while (!body.includes('\n\n')) body += decoder.decode((await reader.read()).value);
    open('stream');
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) body += decoder.decode(chunk.value);
    const events = parseSse(body);
    assert.equal(events[0]?.event, 'snapshot');
    assert.equal((events[0]?.data as TaskView).status, 'running');
    assert.deepEqual(events.slice(1).map((e) => e.event), ['output', 'operation', 'progress', 'end']);
    assert.equal((events.at(-1)?.data as { task: TaskView }).task.status, 'succeeded');
  });

  it('streams an ended task as its snapshot and the end', async () => {
    const t = await submit('ended');
    open('ended');
    await m.services.tasks.wait(t.id);
    const res = await get(`/tasks/${t.id}/events`);
    assert.deepEqual(parseSse(res.body).map((e) => e.event), ['snapshot', 'end']);
    assert.equal((await get('/tasks/nope/events')).json().code, 'CAP-E0002');
  });

  // Last: it closes the app.
  it('ends open streams when the server closes, so closing does not hang on them', async () => {
    const t = await submit('closing');
    await running(m, t.id);
    const res = await fetch(`${address}/api/v1/tasks/${t.id}/events`, { headers: monitor });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let body = '';
    while (!body.includes('\n\n')) body += decoder.decode((await reader.read()).value);
    await m.app.close();
    while (!(await reader.read()).done) { /* drain until the server ends the stream */ }
    assert.equal(parseSse(body)[0]?.event, 'snapshot');
    open('closing');
  });
});

/** Polls until the task has started its work. */
async function running(m: TestManager, id: string): Promise<void> {
  await until(`task ${id} running`, async () => (await m.services.tasks.get(id)).operations.some((o) => o.status === 'running'), { every: 5 });
}


function parseSse(body: string): { event: string; data: unknown }[] {
  return body.split('\n\n').filter((b) => b.trim() && !b.startsWith(':')).map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
    const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
    return { event, data: JSON.parse(data) as unknown };
  });
}
