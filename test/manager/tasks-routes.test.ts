// The tasks API over HTTP: list and show, long-poll wait, cancel (and who may), and the
// live events stream.
import { after, before, describe, it } from 'node:test';
import { until } from '../helpers/until.js';
import assert from 'node:assert/strict';
import { TaskEngine, type TaskFollow } from '../../src/manager/tasks/engine.js';
import { TaskStore } from '../../src/manager/tasks/store.js';
import type { TaskEvent, TaskView } from '../../src/api/tasks.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';

type Headers = { authorization: string };

describe('tasks API', () => {
  let m: TestManager;
  let monitor: Headers;
  let operator: Headers;
  let administrator: Headers;
  /** The app also listens, for the streams: over real HTTP, chunk by chunk. */
  let address: string;
  // A gate opened before its task reaches it stays open.
  const gates = new Map<string, { promise: Promise<void>; open: () => void }>();
  const follows = new Map<string, Promise<TaskFollow>>();
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
    administrator = (await m.userWithRoles(['WPARAdministrator'])).headers;
    address = await m.app.listen({ port: 0, host: '127.0.0.1' });
    testTasks(m).register({
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
    // Two operations, each held at a gate: the tests decide what happens while a stream starts.
    testTasks(m).register({
      kind: 'test.steps',
      onRestart: 'fail',
      async run(ctx) {
        const g = ctx.params.gate;
        await ctx.operation('first', async (op) => {
          op.log('one');
          await gate(`${g}-1`).promise;
          op.log('two');
        });
        await ctx.operation('second', async (op) => {
          await gate(`${g}-2`).promise;
          op.log('three\nfour');
        });
        return null;
      },
    });
    // Follows itself in the same turn as it logs, before any line can be persisted.
    testTasks(m).register({
      kind: 'test.burst',
      onRestart: 'fail',
      async run(ctx) {
        await ctx.operation('burst', async (op) => {
          for (const line of ['a', 'b', 'c']) op.log(line);
          follows.set(ctx.params.gate, m.services.tasks.follow(ctx.taskId));
          for (const line of ['d', 'e']) op.log(line);
          await gate(ctx.params.gate).promise;
          op.log('f');
        });
        return null;
      },
    });
  });
  after(async () => {
    await m.services.tasks.shutdown();
    await m.close();
  });

  const submit = (gate: string) => testTasks(m).submit('test.http', { gate }, { target: { kind: 'wpar', id: 'w-' + gate, name: gate }, createdBy: 'tester' });
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

  it('cancels for an administrator, not for a monitor, nor for a WPAR user when it is no WPAR task; an ended task cannot be cancelled', async () => {
    const t = await submit('cancel');
    await running(m, t.id);
    const post = (headers: Headers) => m.app.inject({ method: 'POST', url: `/api/v1/tasks/${t.id}/cancel`, headers });
    const refused = await post(monitor);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'CAP-E0102');
    const notWpar = await post(operator);
    assert.equal(notWpar.statusCode, 403);
    assert.equal(notWpar.json().code, 'CAP-E0928');
    assert.equal((await get(`/tasks/${t.id}`)).json().status, 'running', 'the refusal changed nothing');
    assert.equal((await post(administrator)).statusCode, 200);
    const done = (await get(`/tasks/${t.id}/wait?timeout=60`)).json();
    assert.equal(done.status, 'cancelled');
    assert.equal(done.error.code, 'CAP-E0403');
    const again = await post(administrator);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'CAP-E0400');
  });

  it('streams a running task over HTTP: snapshot, then its events, closing after the end', async () => {
    const t = await submit('stream');
    await running(m, t.id);
    const res = await fetch(`${address}/api/v1/tasks/${t.id}/events`, { headers: monitor });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    // The snapshot first; only then does the task go on, so every later event is in the stream.
    const events = parseSse(await readStream(res, () => open('stream')));
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

  it('streams each operation and line once when the task goes on while the snapshot is read', async (t) => {
    const tasks = testTasks(m);
    const task = await tasks.submit('test.steps', { gate: 'race' }, {});
    await running(m, task.id);
    // The stream subscribes, then reads the snapshot: in between, the first operation logs
    // its second line and ends, so the snapshot holds what the stream has already heard.
    t.mock.method(tasks, 'get').mock.mockImplementationOnce(async (id: string) => {
      const firstEnded = new Promise<void>((resolve) => {
        const unsubscribe = tasks.subscribe(id, (e) => {
          if (e.type === 'operation' && e.operation.seq === 1 && e.operation.status === 'succeeded') {
            unsubscribe();
            resolve();
          }
        });
      });
      open('race-1');
      await firstEnded;
      return TaskEngine.prototype.get.call(tasks, id);
    });
    const res = await fetch(`${address}/api/v1/tasks/${task.id}/events`, { headers: monitor });
    const [snapshot, ...events] = parseSse(await readStream(res, () => open('race-2')));
    assert.equal((snapshot?.data as TaskView).operations[0]?.status, 'succeeded', 'the snapshot was read after the first operation ended');
    assert.deepEqual(heard(snapshot?.data as TaskView, events.map((e) => e.data as TaskEvent)), {
      lines: ['one', 'two', 'three', 'four'],
      states: { 1: ['succeeded'], 2: expectStates(snapshot?.data as TaskView, 2) },
    });
  });

  it('follows with every line logged before it, even one not yet persisted, and each later one once', async (t) => {
    // Output is persisted behind its events; here not before the follow has read its snapshot.
    const persist = gate('burst-persist');
    const appendOutput = TaskStore.prototype.appendOutput;
    t.mock.method(TaskStore.prototype, 'appendOutput', async function (this: TaskStore, ...args: Parameters<TaskStore['appendOutput']>) {
      await persist.promise;
      return appendOutput.apply(this, args);
    });
    const task = await testTasks(m).submit('test.burst', { gate: 'burst' }, {});
    await until('the task follows itself', async () => follows.has('burst'), { every: 5 });
    const follow = await (follows.get('burst') as Promise<TaskFollow>);
    assert.equal(follow.snapshot.operations[0]?.output, 'a\nb\nc\n', 'the lines logged before the follow, none persisted yet');
    const events: TaskEvent[] = [];
    const ended = new Promise<void>((resolve) => follow.listen((e) => {
      events.push(e);
      if (e.type === 'end') resolve();
    }));
    open('burst-persist');
    open('burst');
    await ended;
    assert.deepEqual(heard(follow.snapshot, events).lines, ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.equal((await m.services.tasks.get(task.id)).operations[0]?.output, 'a\nb\nc\nd\ne\nf\n');
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

/**
 * What a follower hears from a snapshot and the events after it: every line of output in
 * order, and each operation's states (the snapshot's, then each event's). A line or state
 * heard twice shows here twice.
 */
function heard(snapshot: TaskView, events: TaskEvent[]): { lines: string[]; states: Record<number, string[]> } {
  const lines = snapshot.operations.flatMap((o) => o.output.split('\n').slice(0, -1));
  const states: Record<number, string[]> = {};
  for (const o of snapshot.operations) states[o.seq] = [o.status];
  for (const e of events) {
    if (e.type === 'output') lines.push(e.line);
    if (e.type === 'operation') (states[e.operation.seq] ??= []).push(e.operation.status);
  }
  return { lines, states };
}

/** The states of operation `seq` a follower hears after `snapshot`: only those past the snapshot's. */
function expectStates(snapshot: TaskView, seq: number): string[] {
  const all = ['pending', 'running', 'succeeded'];
  const at = snapshot.operations.find((o) => o.seq === seq)?.status;
  return at ? all.slice(all.indexOf(at)) : all;
}

/** Polls until the task has started its work. */
async function running(m: TestManager, id: string): Promise<void> {
  await until(`task ${id} running`, async () => (await m.services.tasks.get(id)).operations.some((o) => o.status === 'running'), { every: 5 });
}


/** Reads an event stream to its end, calling `afterSnapshot` once the first event (the snapshot) is in. */
async function readStream(res: Response, afterSnapshot: () => void): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let body = '';
  while (!body.includes('\n\n')) body += decoder.decode((await reader.read()).value);
  afterSnapshot();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) body += decoder.decode(chunk.value);
  return body;
}

function parseSse(body: string): { event: string; data: unknown }[] {
  return body.split('\n\n').filter((b) => b.trim() && !b.startsWith(':')).map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
    const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
    return { event, data: JSON.parse(data) as unknown };
  });
}

/** The manager's task engine, for this file's own test-only kinds (outside the manager's registry). */
function testTasks(m: TestManager): TaskEngine<Record<string, { gate: string }>> {
  return m.services.tasks as unknown as TaskEngine<Record<string, { gate: string }>>;
}
