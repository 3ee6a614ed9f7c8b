// mkwpar: defines a system WPAR (and starts it with -s).
import { localCommand } from './command.js';
import { addSpecOptions, specFromFlags, type SpecFlags } from './spec-options.js';

interface Opts extends SpecFlags {
  name: string;
  start?: boolean;
}

export const mkwpar = localCommand<Opts>({
  name: 'mkwpar',
  description: 'Create a system WPAR; arguments after -- replace its init (default /sbin/init)',
  configure: (cmd) =>
    addSpecOptions(cmd.requiredOption('-n, --name <name>', 'WPAR name'))
      .option('-s, --start', 'start the WPAR once created')
      .argument('[init...]', 'init command and arguments'),
  async run({ args, opts, engine }) {
    const spec = specFromFlags(opts.name, 'system', opts, args);
    const info = await engine().create(spec, { start: opts.start ?? false });
    process.stdout.write(`mkwpar: WPAR ${info.name} created (${info.state})\n`);
    return 0;
  },
});
