// wparexec: runs a command in a new application WPAR. Like the seed's, it waits for the
// command and exits with its status, unless --detach.
import { basename } from 'node:path';
import { localCommand, UsageError } from './command.js';
import { addSpecOptions, specFromFlags, type SpecFlags } from './spec-options.js';

interface Opts extends SpecFlags {
  name?: string;
  detach?: boolean;
}

export const wparexec = localCommand<Opts>({
  name: 'wparexec',
  description: 'Run a command in an application WPAR: wparexec [flags] -- command [args…]',
  configure: (cmd) =>
    addSpecOptions(cmd.option('-n, --name <name>', 'WPAR name (default: the command\'s base name)'))
      .option('--detach', 'return once the WPAR runs instead of waiting for the command')
      .argument('<command...>', 'the command and its arguments'),
  async run({ args, opts, engine }) {
    const [program] = args;
    if (!program) throw new UsageError('no command given');
    const name = opts.name ?? basename(program).replace(/[^a-zA-Z0-9_-]/g, '_');
    const info = await engine().create(specFromFlags(name, 'application', opts, args));
    process.stdout.write(`wparexec: WPAR ${info.name} started\n`);
    if (opts.detach) return 0;
    const exit = await engine().waitExit(name);
    if (!exit) {
      process.stdout.write(`wparexec: WPAR ${name} was stopped or checkpointed\n`);
      return 0;
    }
    return exit.exitStatus;
  },
});
