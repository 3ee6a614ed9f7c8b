// resumewpar and killwpar: the way out of Paused or Frozen.
import { localCommand } from './command.js';
import { KILLWPAR_EXIT, RESUMEWPAR_EXIT } from './exit-tables.js';

export const resumewpar = localCommand<Record<string, never>>({
  name: 'resumewpar',
  description: 'Resume a paused or frozen WPAR',
  configure: (cmd) => cmd.argument('<name>', 'WPAR name'),
  exitTable: RESUMEWPAR_EXIT,
  async run({ args, engine }) {
    await engine().resume(args[0] as string);
    return 0;
  },
});

export const killwpar = localCommand<Record<string, never>>({
  name: 'killwpar',
  description: 'Kill the processes of a paused WPAR (as stopwpar -F does); a frozen one is resumed or checkpointed instead',
  configure: (cmd) => cmd.argument('<name>', 'WPAR name'),
  exitTable: KILLWPAR_EXIT,
  async run({ args, engine }) {
    await engine().kill(args[0] as string);
    return 0;
  },
});
