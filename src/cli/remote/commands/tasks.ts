// Tasks: list, show (optionally waiting for the end with live progress), wait, cancel.
import { Option, type Command } from 'commander';
import { routes } from '../../../api/routes/index.js';
import { TASK_STATUSES, type TaskStatus } from '../../../api/tasks.js';
import { formatTable, print, printJson } from '../../output.js';
import { remote, TaskFailed } from '../context.js';
import { followTask, formatTask, TASK_HEADER, taskRow } from '../follow-task.js';

export function taskCommands(program: Command): void {
  const task = program.command('task').description('Tasks: every change is one, with operations, output and progress');

  task.command('list').description('List tasks, newest first')
    .addOption(new Option('--status <status>', 'only this status').choices(TASK_STATUSES))
    .option('--kind <kind>', 'only this kind, e.g. wpar.deploy')
    .option('--limit <n>', 'at most this many', Number, 50)
    .action(remote<{ status?: TaskStatus; kind?: string; limit: number }>(async ({ client, opts, json }) => {
      const { items } = await client.call(routes.tasks.list, { query: { status: opts.status, kind: opts.kind, limit: opts.limit } });
      if (json) printJson(items);
      else print(formatTable(TASK_HEADER, items.map(taskRow)));
    }));

  const showOrWait = async (client: Parameters<typeof followTask>[0], id: string, wait: boolean, json: boolean): Promise<void> => {
    const t = wait ? await followTask(client, id, json) : await client.call(routes.tasks.get, { params: { id } });
    if (json) printJson(t);
    else print(formatTask(t));
    if (wait && t.status !== 'succeeded') throw new TaskFailed();
  };

  task.command('show').description('Show a task with its operations and their output').argument('<id>', 'task id')
    .option('--wait', 'first follow it to its end, with live progress (exit 7 if it fails)')
    .action(remote<{ wait?: boolean }>(async ({ client, args, opts, json }) => showOrWait(client, String(args[0]), opts.wait === true, json)));

  task.command('wait').description('Follow a task to its end with live progress (exit 7 if it fails)').argument('<id>', 'task id')
    .action(remote(async ({ client, args, json }) => showOrWait(client, String(args[0]), true, json)));

  task.command('cancel').description('Cancel a queued or running task').argument('<id>', 'task id')
    .action(remote(async ({ client, args, json }) => {
      const t = await client.call(routes.tasks.cancel, { params: { id: String(args[0]) } });
      if (json) printJson(t);
      else print(formatTable(TASK_HEADER, [taskRow(t)]));
    }));
}
