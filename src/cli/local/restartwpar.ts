// restartwpar: recreates a WPAR from a state directory. For an application WPAR that is
// not left paused it waits, like the seed's, and exits with the application's status.
import { localCommand, UsageError } from './command.js';
import { RESTARTWPAR_EXIT } from './exit-tables.js';
import { addLogOptions, logOptions, type LogFlags } from './log-options.js';

interface Opts extends LogFlags {
  dir: string;
  pause?: boolean;
  userCommand?: string;
  auto?: boolean;
}

export const restartwpar = localCommand<Opts>({
  name: 'restartwpar',
  description: 'Restart a checkpointed WPAR: restartwpar [-a] -d DIR [-o LOG [-l debug|error]] [-p [-u CMD]] NAME',
  configure: (cmd) =>
    addLogOptions(cmd.requiredOption('-d, --dir <statefile>', 'state directory written by chkptwpar'))
      .option('-a, --auto', 'application WPARs: first remove a Broken leftover of the same name')
      .option('-p, --pause', 'leave the WPAR paused after the restart')
      .option('-u, --user-command <command>', 'with -p: run COMMAND NAME; it must exit with a status above 100, which restartwpar returns')
      .argument('<name>', 'WPAR name'),
  exitTable: RESTARTWPAR_EXIT,
  async run({ args, opts, engine }) {
    const name = args[0] as string;
    if (opts.userCommand && !opts.pause) throw new UsageError('-u needs -p');
    const log = logOptions(opts);
    if (opts.auto) {
      const existing = await engine().get(name);
      if (existing?.spec.type === 'system') throw new UsageError('-a applies to application WPARs only');
      if (existing?.state === 'Broken') await engine().remove(name);
    }
    const result = await engine().restart(name, {
      dir: opts.dir,
      paused: opts.pause ?? false,
      ...(opts.userCommand ? { userCommand: opts.userCommand } : {}),
      ...log,
    });
    if (result.userCommandStatus !== undefined) return result.userCommandStatus;
    if (result.info.spec.type === 'system' || opts.pause) return 0;
    const exit = await engine().waitExit(name);
    if (!exit) return 0;
    return exit.exitStatus;
  },
});
