// Every change is a task on the manager. By default a command follows its task to the end,
// showing operations and progress on stderr; --no-wait prints the task and returns at once.
import type { Command } from 'commander';
import { routes } from '../../api/routes/index.js';
import { ENDED_STATUSES, outputLines, type TaskEvent, type TaskOperationView, type TaskView } from '../../api/tasks.js';
import { formatFields, formatTable, note, print, printJson, when } from '../output.js';
import type { ApiClient } from '../../client/api-client.js';
import { TaskFailed, type Ctx } from './context.js';

/** The pair every task-starting command takes: follow the task (the default) or return with its id. */
export function waitOption(cmd: Command): Command {
  return cmd.option('--wait', 'follow the task to its end, with progress (the default)').option('--no-wait', 'print the task id and return at once');
}

export interface WaitOptions {
  wait?: boolean;
}

const BAR_WIDTH = 24;

function bar(progress: number): string {
  const done = Math.round(Math.max(0, Math.min(1, progress)) * BAR_WIDTH);
  return `[${'#'.repeat(done)}${'.'.repeat(BAR_WIDTH - done)}] ${String(Math.round(progress * 100)).padStart(3)}%`;
}

/**
 * Shows a task's operations as they go: each one's start, its output lines and its end, once
 * each and in order, whether they come as events or already done in a view of the task. A task
 * that ended before its stream was read therefore shows the same lines as one followed live.
 */
class OperationsShown {
  /** By seq: how far the operation is shown (0 not yet, 1 started, 2 ended), and how many of its lines. */
  private readonly shown = new Map<number, { stage: number; lines: number }>();

  constructor(private readonly say: (line: string) => void) {}

  /** Shows what a view holds that is not shown yet. */
  view(t: TaskView): void {
    for (const o of [...t.operations].sort((a, b) => a.seq - b.seq)) this.operation(o);
  }

  operation(o: TaskOperationView): void {
    const s = this.of(o.seq);
    const ended = o.status === 'succeeded' || o.status === 'failed';
    // An operation failed before it ran (its task ended first) never started.
    if (s.stage < 1 && (o.status === 'running' || (ended && o.startedAt !== null))) {
      this.say(`  … ${o.name}`);
      s.stage = 1;
    }
    const lines = outputLines(o.output);
    for (; s.lines < lines.length; s.lines++) this.say(`    ${lines[s.lines]}`);
    if (s.stage < 2 && ended) {
      this.say(o.status === 'succeeded' ? `  ✔ ${o.name}` : `  ✖ ${o.name}: ${o.error?.code ?? ''} ${o.error?.message ?? ''}`);
      s.stage = 2;
    }
  }

  output(seq: number, index: number, line: string): void {
    const s = this.of(seq);
    if (index < s.lines) return;
    this.say(`    ${line}`);
    s.lines = index + 1;
  }

  private of(seq: number): { stage: number; lines: number } {
    let s = this.shown.get(seq);
    if (!s) this.shown.set(seq, (s = { stage: 0, lines: 0 }));
    return s;
  }
}

/** Follows a task's event stream to its end; prints what happens on stderr. */
export async function followTask(client: ApiClient, id: string, quiet = false): Promise<TaskView> {
  const tty = process.stderr.isTTY === true && !quiet;
  let last: TaskView | undefined;
  let barShown = false;
  const clearBar = (): void => {
    if (barShown) process.stderr.write('\r\x1b[K');
    barShown = false;
  };
  const say = (line: string): void => {
    if (quiet) return;
    clearBar();
    note(line);
  };
  const shown = new OperationsShown(say);
  await client.events(routes.tasks.events, { params: { id } }, (type, data) => {
    if (type === 'snapshot') {
      last = data as TaskView;
      say(`task ${last.id} (${last.kind}${last.target ? ` ${last.target.name}` : ''}): ${last.status}`);
      // What the task did before the stream began (all of it, if it has already ended).
      shown.view(last);
      return;
    }
    const e = data as TaskEvent;
    switch (e.type) {
      case 'operation':
        shown.operation(e.operation);
        break;
      case 'output':
        shown.output(e.seq, e.index, e.line);
        break;
      case 'progress':
        if (tty) {
          clearBar();
          process.stderr.write(`${bar(e.progress)} ${e.message ?? ''}`.slice(0, (process.stderr.columns ?? 80) - 1));
          barShown = true;
        }
        break;
      case 'end':
        last = e.task;
        break;
      case 'status':
        break;
    }
  });
  clearBar();
  if (!last) throw new Error(`the event stream of task ${id} ended without telling its state`);
  // The stream ends with the task; if it broke off earlier, the task's view tells the truth.
  if (!ENDED_STATUSES.includes(last.status)) last = await client.call(routes.tasks.wait, { params: { id }, query: { timeout: 3600 } });
  // Anything the events did not show (a stream that broke off) is in the final view.
  shown.view(last);
  return last;
}

/** Prints a submitted task, or follows it to its end; a failed or cancelled end exits 7. */
export async function finishTask(ctx: Ctx<WaitOptions>, task: TaskView, done?: (task: TaskView) => string): Promise<number> {
  if (ctx.opts.wait === false) {
    if (ctx.json) printJson(task);
    else print(`${task.id}\n`);
    return 0;
  }
  const ended = await followTask(ctx.client, task.id, ctx.json);
  if (ctx.json) printJson(ended);
  if (ended.status !== 'succeeded') {
    if (!ctx.json) note(`capstan: task ${ended.id} ${ended.status}${ended.error ? `: ${ended.error.code} ${ended.error.message}` : ''}`);
    throw new TaskFailed();
  }
  if (!ctx.json) note(done ? done(ended) : `task ${ended.id} succeeded`);
  return 0;
}

export function taskRow(t: TaskView): (string | number | null)[] {
  return [t.id, t.kind, t.target ? `${t.target.kind}:${t.target.name}` : null, t.status, `${Math.round(t.progress * 100)}%`, t.createdBy, when(t.createdAt), when(t.endedAt)];
}

export const TASK_HEADER = ['ID', 'Kind', 'Target', 'Status', 'Progress', 'By', 'Created', 'Ended'];

export function formatTask(t: TaskView): string {
  const head = formatFields([
    ['ID', t.id],
    ['Kind', t.kind],
    ['Target', t.target ? `${t.target.kind} ${t.target.name} (${t.target.id})` : null],
    ['Status', t.status],
    ['Progress', `${Math.round(t.progress * 100)}%${t.progressMessage ? ` ${t.progressMessage}` : ''}`],
    ['Error', t.error ? `${t.error.code} ${t.error.message}` : null],
    ['Attempts', t.attempts],
    ['Created by', t.createdBy],
    ['Created', when(t.createdAt)],
    ['Started', when(t.startedAt)],
    ['Ended', when(t.endedAt)],
  ]);
  const ops = formatTable(['#', 'Operation', 'Status', 'Started', 'Ended', 'Error'],
    t.operations.map((o) => [o.seq, o.name, o.status, when(o.startedAt), when(o.endedAt), o.error ? `${o.error.code} ${o.error.message}` : null]));
  const output = t.operations.filter((o) => o.output).map((o) => `--- ${o.seq} ${o.name}\n${o.output.trimEnd()}\n`).join('');
  return `${head}\n${ops}${output ? `\n${output}` : ''}`;
}
