// chkptwpar: checkpoints a WPAR into a state directory, or freezes it (-f) for a later
// checkpoint. Exit codes: the seed's table (exit-tables.ts).
import { localCommand, UsageError } from './command.js';
import { CHKPTWPAR_EXIT } from './exit-tables.js';
import { addLogOptions, logOptions, type LogFlags } from './log-options.js';

interface Opts extends LogFlags {
  dir?: string;
  kill?: boolean;
  pause?: boolean;
  freeze?: boolean;
}

export const chkptwpar = localCommand<Opts>({
  name: 'chkptwpar',
  description: 'Checkpoint a WPAR: chkptwpar -d DIR [-o LOG [-l debug|error]] [-k | -p] NAME; chkptwpar -f -d DIR NAME; chkptwpar [-k | -p] NAME (frozen)',
  configure: (cmd) =>
    addLogOptions(cmd.option('-d, --dir <statefile>', 'state directory (created if missing; must be empty)'))
      .option('-k, --kill', 'stop the WPAR once checkpointed')
      .option('-p, --pause', 'leave the WPAR paused once checkpointed')
      .option('-f, --freeze', 'only freeze the WPAR; a later chkptwpar NAME checkpoints it into -d')
      .argument('<name>', 'WPAR name'),
  exitTable: CHKPTWPAR_EXIT,
  async run({ args, opts, engine }) {
    const name = args[0] as string;
    if (opts.kill && opts.pause) throw new UsageError('-k and -p exclude each other');
    const log = logOptions(opts);
    if (opts.freeze) {
      if (opts.kill || opts.pause) throw new UsageError('-f excludes -k and -p');
      if (!opts.dir) throw new UsageError('-f needs -d');
      await engine().freeze(name, { dir: opts.dir });
      return 0;
    }
    const mode = opts.kill ? 'kill' : opts.pause ? 'pause' : 'continue';
    await engine().checkpoint(name, { ...(opts.dir ? { dir: opts.dir } : {}), mode, ...log });
    return 0;
  },
});
