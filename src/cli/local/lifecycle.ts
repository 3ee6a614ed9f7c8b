// startwpar, stopwpar, rmwpar: the plain lifecycle of a WPAR.
import { CapstanError } from '../../api/errors.js';
import { localCommand } from './command.js';

export const startwpar = localCommand<Record<string, never>>({
  name: 'startwpar',
  description: 'Start a Defined system WPAR',
  configure: (cmd) => cmd.argument('<name>', 'WPAR name'),
  async run({ args, engine }) {
    const info = await engine().start(args[0] as string);
    process.stdout.write(`startwpar: WPAR ${info.name} is ${info.state}\n`);
    return 0;
  },
});

export const stopwpar = localCommand<{ force?: boolean }>({
  name: 'stopwpar',
  description: 'Stop a WPAR: a system WPAR goes back to Defined, an application WPAR ends',
  configure: (cmd) =>
    cmd.option('-F, --force', 'kill the processes at once (also of a paused or frozen WPAR)').argument('<name>', 'WPAR name'),
  async run({ args, opts, engine }) {
    const info = await engine().stop(args[0] as string, { force: opts.force ?? false });
    process.stdout.write(`stopwpar: WPAR ${args[0]} ${info ? `is ${info.state}` : 'ended'}\n`);
    return 0;
  },
});

export const rmwpar = localCommand<{ force?: boolean; preserve?: boolean }>({
  name: 'rmwpar',
  description: 'Remove a WPAR (stopping it first with -F)',
  configure: (cmd) =>
    cmd
      .option('-F, --force', 'stop the WPAR first if it is running')
      .option('-p, --preserve', 'keep the system WPAR\'s file system; a WPAR made again with that name gets it back')
      .argument('<name>', 'WPAR name'),
  async run({ args, opts, engine }) {
    const name = args[0] as string;
    const info = await engine().get(name);
    if (info && info.state !== 'Defined' && !opts.force) {
      throw new CapstanError('CAP-E1006', `${name} is ${info.state}; stop it first or use -F`);
    }
    await engine().remove(name, { preserveFs: opts.preserve ?? false });
    process.stdout.write(`rmwpar: WPAR ${name} removed\n`);
    return 0;
  },
});
