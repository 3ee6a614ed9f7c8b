// The task engine's semantics, on both database kinds: operations and their output,
// failures with codes, cancel, wait, the order of live events, bounded concurrency,
// shutdown, and recovery of the tasks a dead manager left behind.
import { after, before, describe, it } from 'node:test';
import { until } from '../helpers/until.js';
import assert from 'node:assert/strict';
import { CapstanError } from '../../src/api/errors.js';
import type { TaskEvent, TaskView } from '../../src/api/tasks.js';
import type { DbHandle } from '../../src/manager/db/index.js';
import { TaskEngine, type TaskKind } from '../../src/manager/tasks/engine.js';

/** The test's own task kinds, in place of the manager's registry. */
type TestKinds = Record<string, { gate?: string; n?: number }>;
import { DB_KINDS, silentLog, skipUnlessAvailable, testDb, type TestDb } from './fixtures/test-db.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves when the signal aborts, with its reason as the rejection. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

for (const kind of DB_KINDS) {
  describe(`task engine (${kind})`, { skip: skipUnlessAvailable(kind) }, () => {
    let t: TestDb;
    let h: DbHandle;
    let engine: TaskEngine<TestKinds>;
    const failedCalls: { taskId: string; code: string; message: string; params: unknown }[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const gate = (name: string) => {
      let g = gates.get(name);
      if (!g) {
        g = deferred();
        gates.set(name, g);
      }
      return g;
    };

    const kinds: TaskKind<{ gate?: string; n?: number }>[] = [
      {
        kind: 'test.echo',
        onRestart: 'resume',
        async run(ctx) {
          await ctx.operation('first', async (op) => {
            op.log('hello');
            op.log('world');
          });
          await ctx.progress(0.5, 'half way');
          const n = await ctx.operation('second', async () => (ctx.params.n ?? 0) * 2);
          return { doubled: n };
        },
      },
      {
        kind: 'test.fail',
        onRestart: 'fail',
        async run(ctx) {
          await ctx.operation('ok step', async (op) => op.log('fine'));
          await ctx.operation('bad step', async (op) => {
            op.log('about to fail');
            throw new CapstanError('CAP-E0302', 'sys1');
          });
        },
        async onFailed(info) {
          failedCalls.push({ taskId: info.taskId, ...info.error, params: info.params });
        },
      },
      {
        kind: 'test.throw',
        onRestart: 'fail',
        async run() {
          throw new Error('plain failure');
        },
      },
      {
        kind: 'test.block',
        onRestart: 'fail',
        async run(ctx) {
          await ctx.operation('wait for the gate', async (op) => {
            op.log('waiting');
            await Promise.race([gate(ctx.params.gate ?? '').promise, aborted(ctx.signal)]);
          });
          return 'released';
        },
        async onFailed(info) {
          failedCalls.push({ taskId: info.taskId, ...info.error, params: info.params });
        },
      },
    ];

    before(async () => {
      t = testDb(kind);
      h = await t.open();
      engine = new TaskEngine<TestKinds>(h.db, silentLog);
      for (const k of kinds) engine.register(k);
    });
    after(async () => {
      // Gates still closed belong to "dead" managers: their runs are left hanging, as a killed process's would be.
      await engine.shutdown();
      await t.destroy(h);
    });

    it('stores a task queued before returning, then runs it: operations with output, progress, result', async () => {
      const submitted = await engine.submit('test.echo', { n: 21 }, { target: { kind: 'wpar', id: 'w1', name: 'web' }, createdBy: 'alice' });
      assert.equal(submitted.status, 'queued');
      assert.equal(submitted.attempts, 0);
      assert.deepEqual(submitted.target, { kind: 'wpar', id: 'w1', name: 'web' });
      const done = await engine.wait(submitted.id);
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(done.result, { doubled: 42 });
      assert.deepEqual(done.params, { n: 21 });
      assert.equal(done.progress, 1);
      assert.equal(done.progressMessage, 'half way');
      assert.equal(done.attempts, 1);
      assert.equal(done.createdBy, 'alice');
      assert.equal(done.error, null);
      assert.ok(done.startedAt && done.endedAt);
      assert.deepEqual(done.operations.map((o) => [o.seq, o.name, o.status, o.output, o.error]), [
        [1, 'first', 'succeeded', 'hello\nworld\n', null],
        [2, 'second', 'succeeded', '', null],
      ]);
      assert.deepEqual(await engine.get(submitted.id), done);
    });

    it('records a failure with its code on the operation and the task, and calls onFailed', async () => {
      const task = await engine.submit('test.fail', { n: 1 }, {});
      const done = await engine.wait(task.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.error?.code, 'CAP-E0302');
      assert.match(done.error?.message ?? '', /the system is not online: sys1/);
      assert.deepEqual(done.operations.map((o) => [o.name, o.status, o.output, o.error?.code ?? null]), [
        ['ok step', 'succeeded', 'fine\n', null],
        ['bad step', 'failed', 'about to fail\n', 'CAP-E0302'],
      ]);
      assert.deepEqual(failedCalls.find((c) => c.taskId === task.id), { taskId: task.id, code: 'CAP-E0302', message: done.error?.message, params: { n: 1 } });
    });

    it('records an error without a code as CAP-E0404 with its message', async () => {
      const done = await engine.wait((await engine.submit('test.throw', {}, {})).id);
      assert.deepEqual(done.error, { code: 'CAP-E0404', message: 'the task failed: plain failure' });
    });

    it('refuses a kind nobody registered, storing nothing', async () => {
      const before = (await engine.list({ limit: 1000 })).length;
      await assert.rejects(engine.submit('test.nope', {}, {}), (e: CapstanError) => e.code === 'CAP-E0402');
      assert.equal((await engine.list({ limit: 1000 })).length, before);
    });

    it('answers CAP-E0002 for an unknown task', async () => {
      await assert.rejects(engine.get('no-such-task'), (e: CapstanError) => e.code === 'CAP-E0002');
      await assert.rejects(engine.cancel('no-such-task'), (e: CapstanError) => e.code === 'CAP-E0002');
    });

    it('streams events in order: start, operation states, output, progress, end', async () => {
      // One slot, held by a blocker: the observed task stays queued until subscribed to.
      const single = new TaskEngine<TestKinds>(h.db, silentLog, { concurrency: 1 });
      for (const k of kinds) single.register(k);
      const blocker = await single.submit('test.block', { gate: 'order' }, {});
      const task = await single.submit('test.echo', { n: 1 }, {});
      const events: TaskEvent[] = [];
      single.subscribe(task.id, (e) => events.push(e));
      const ended = single.wait(task.id);
      gate('order').resolve();
      await single.wait(blocker.id);
      const done = await ended;
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(events.map((e) => {
        switch (e.type) {
          case 'status': return `status ${e.status} ${e.attempt}`;
          case 'operation': return `operation ${e.operation.seq} ${e.operation.status}`;
          case 'output': return `output ${e.seq} ${e.line}`;
          case 'progress': return `progress ${e.progress} ${e.message}`;
          case 'end': return `end ${e.task.status}`;
        }
      }), [
        'status running 1',
        'operation 1 pending',
        'operation 1 running',
        'output 1 hello',
        'output 1 world',
        'operation 1 succeeded',
        'progress 0.5 half way',
        'operation 2 pending',
        'operation 2 running',
        'operation 2 succeeded',
        'end succeeded',
      ]);
      const end = events.at(-1);
      assert.ok(end?.type === 'end');
      assert.deepEqual(end.task, done);
      await single.shutdown();
    });

    it('waits up to a timeout and then answers with the current view', async () => {
      const task = await engine.submit('test.block', { gate: 'timeout' }, {});
      const view = await engine.wait(task.id, 50);
      assert.ok(view.status === 'queued' || view.status === 'running');
      gate('timeout').resolve();
      assert.equal((await engine.wait(task.id)).status, 'succeeded');
    });

    it('cancels a running task through its signal, calls onFailed, and refuses to cancel it again', async () => {
      const task = await engine.submit('test.block', { gate: 'never-1' }, {});
      await untilOperationRunning(engine, task.id);
      await engine.cancel(task.id, 'bob');
      const done = await engine.wait(task.id);
      assert.equal(done.status, 'cancelled');
      assert.deepEqual(done.error, { code: 'CAP-E0403', message: 'the task was cancelled: by bob' });
      assert.equal(done.operations[0]?.status, 'failed');
      assert.equal(done.operations[0]?.error?.code, 'CAP-E0403');
      assert.equal(failedCalls.find((c) => c.taskId === task.id)?.code, 'CAP-E0403');
      await assert.rejects(engine.cancel(task.id), (e: CapstanError) => e.code === 'CAP-E0400' && e.status === 409);
    });

    it('runs tasks concurrently but bounded; a queued task cancelled never runs', async () => {
      const small = new TaskEngine<TestKinds>(h.db, silentLog, { concurrency: 2 });
      for (const k of kinds) small.register(k);
      const a = await small.submit('test.block', { gate: 'c-a' }, {});
      const b = await small.submit('test.block', { gate: 'c-b' }, {});
      const c = await small.submit('test.block', { gate: 'c-c' }, {});
      const d = await small.submit('test.block', { gate: 'c-d' }, {});
      await untilOperationRunning(small, a.id);
      await untilOperationRunning(small, b.id);
      assert.equal((await small.get(c.id)).status, 'queued');
      const cancelled = await small.cancel(d.id);
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(failedCalls.find((x) => x.taskId === d.id)?.code, 'CAP-E0403');
      gate('c-a').resolve();
      assert.equal((await small.wait(a.id)).status, 'succeeded');
      await untilOperationRunning(small, c.id);
      gate('c-b').resolve();
      gate('c-c').resolve();
      assert.equal((await small.wait(b.id)).status, 'succeeded');
      assert.equal((await small.wait(c.id)).status, 'succeeded');
      const dView = await small.get(d.id);
      assert.equal(dView.status, 'cancelled');
      assert.equal(dView.attempts, 0);
      assert.deepEqual(dView.operations, []);
      await small.shutdown();
    });

    it('lists newest first, filtered by status and target, a page at a time', async () => {
      const x = await engine.submit('test.echo', { n: 1 }, { target: { kind: 'system', id: 'list-s1', name: 's1' } });
      const y = await engine.submit('test.echo', { n: 2 }, { target: { kind: 'system', id: 'list-s1', name: 's1' } });
      const z = await engine.submit('test.echo', { n: 3 }, { target: { kind: 'system', id: 'list-s2', name: 's2' } });
      for (const task of [x, y, z]) await engine.wait(task.id);
      const s1 = await engine.list({ targetKind: 'system', targetId: 'list-s1' });
      assert.deepEqual(new Set(s1.map((v) => v.id)), new Set([x.id, y.id]));
      const all = await engine.list({ targetKind: 'system' });
      assert.equal(all.length, 3);
      for (let i = 1; i < all.length; i++) assert.ok((all[i - 1] as TaskView).createdAt >= (all[i] as TaskView).createdAt);
      const page1 = await engine.list({ targetKind: 'system', limit: 2 });
      const page2 = await engine.list({ targetKind: 'system', limit: 2, before: page1.at(-1)?.id });
      assert.deepEqual([...page1, ...page2].map((v) => v.id), all.map((v) => v.id));
      assert.ok((await engine.list({ status: 'failed' })).every((v) => v.status === 'failed'));
      assert.ok((await engine.list({ kind: 'test.fail' })).every((v) => v.kind === 'test.fail'));
      await assert.rejects(engine.list({ before: 'no-such-task' }), (e: CapstanError) => e.code === 'CAP-E0002');
    });

    it('shuts down: stops taking work, aborts running tasks and leaves them running for the next start', async () => {
      const other = new TaskEngine<TestKinds>(h.db, silentLog);
      for (const k of kinds) other.register(k);
      const task = await other.submit('test.block', { gate: 'never-2' }, {});
      await untilOperationRunning(other, task.id);
      await other.shutdown();
      assert.equal((await other.get(task.id)).status, 'running');
      await assert.rejects(other.submit('test.echo', {}, {}), (e: CapstanError) => e.code === 'CAP-E0405');
      // Clean up for the recovery test below, which must only see its own tasks.
      const next = new TaskEngine<TestKinds>(h.db, silentLog);
      for (const k of kinds) next.register(k);
      await next.recover();
      assert.equal((await next.wait(task.id)).status, 'failed');
      await next.shutdown();
    });

    it('recovers after a manager died: resumes "resume" kinds, fails "fail" kinds and unknown kinds with reasons', async () => {
      // The "dead" manager: its tasks stay where they were, like a process killed mid-task.
      const dead = new TaskEngine<TestKinds>(h.db, silentLog, { concurrency: 3 });
      const resumable: TaskKind<{ gate?: string }> = {
        kind: 'test.resumable',
        onRestart: 'resume',
        async run(ctx) {
          return ctx.operation(`work (attempt ${ctx.attempt})`, async (op) => {
            op.log(`attempt ${ctx.attempt}`);
            // Never released: the manager "dies" here on its first attempt.
            if (ctx.params.gate && ctx.attempt === 1) await gate(ctx.params.gate).promise;
            return { attempt: ctx.attempt };
          });
        },
      };
      dead.register(resumable);
      for (const k of kinds) dead.register(k);
      dead.register({ kind: 'test.retired', onRestart: 'resume', run: () => gate('dead').promise });

      const r = await dead.submit('test.resumable', { gate: 'dead' }, {});
      const f = await dead.submit('test.block', { gate: 'dead' }, { target: { kind: 'wpar', id: 'w9', name: 'db' } });
      const u = await dead.submit('test.retired', {}, {});
      for (const id of [r.id, f.id]) await untilOperationRunning(dead, id);
      await untilTask(dead, u.id, (v) => v.status === 'running');
      // Queued behind the three running ones.
      const q = await dead.submit('test.resumable', {}, {});
      assert.equal((await dead.get(q.id)).status, 'queued');

      const restarted = new TaskEngine<TestKinds>(h.db, silentLog);
      restarted.register(resumable);
      for (const k of kinds) restarted.register(k);
      await restarted.recover();

      const rDone = await restarted.wait(r.id);
      assert.equal(rDone.status, 'succeeded');
      assert.deepEqual(rDone.result, { attempt: 2 });
      assert.equal(rDone.attempts, 2);
      assert.deepEqual(rDone.operations.map((o) => [o.name, o.status, o.error?.code ?? null]), [
        ['work (attempt 1)', 'failed', 'CAP-E0401'],
        ['recovery', 'succeeded', null],
        ['work (attempt 2)', 'succeeded', null],
      ]);
      assert.match(rDone.operations[1]?.output ?? '', /resumed after manager restart/);

      const qDone = await restarted.wait(q.id);
      assert.equal(qDone.status, 'succeeded');
      assert.equal(qDone.attempts, 1);
      assert.match(qDone.operations[0]?.output ?? '', /started after manager restart/);

      const fDone = await restarted.get(f.id);
      assert.equal(fDone.status, 'failed');
      assert.equal(fDone.error?.code, 'CAP-E0401');
      assert.match(fDone.error?.message ?? '', /test\.block task was running \(attempt 1\) when the manager stopped/);
      assert.equal(fDone.operations[0]?.status, 'failed');
      assert.deepEqual(failedCalls.find((c) => c.taskId === f.id), { taskId: f.id, code: 'CAP-E0401', message: fDone.error?.message, params: { gate: 'dead' } });

      const uDone = await restarted.get(u.id);
      assert.equal(uDone.status, 'failed');
      assert.equal(uDone.error?.code, 'CAP-E0402');
      assert.match(uDone.error?.message ?? '', /test\.retired: the task was running \(attempt 1\) when the manager stopped/);

      assert.deepEqual(await restarted.list({ status: 'running' }), []);
      assert.deepEqual(await restarted.list({ status: 'queued' }), []);
      await restarted.shutdown();
    });
  });
}

function untilTask(engine: TaskEngine<TestKinds>, id: string, wanted: (v: TaskView) => boolean): Promise<TaskView> {
  return until(`task ${id}`, async () => {
    const v = await engine.get(id);
    return wanted(v) && v;
  }, { every: 5 });
}

/** Resolves once the task has started its work (an operation is running). */
function untilOperationRunning(engine: TaskEngine<TestKinds>, id: string): Promise<TaskView> {
  return untilTask(engine, id, (v) => v.operations.some((o) => o.status === 'running'));
}
