// chwpar: changes a WPAR of this host — its privileges (-S) and resource controls (-R) — through
// the engine's modify, which re-checks the host's local policy and applies the state rules.
import { CapstanError } from '../../api/errors.js';
import { localCommand, UsageError } from './command.js';
import { SPEC_OPTIONS_HELP, specFromFlags, type SpecFlags } from './spec-options.js';

type Opts = Pick<SpecFlags, 'resources' | 'security'>;

export const chwpar = localCommand<Opts>({
  name: 'chwpar',
  description: 'Change a WPAR: privileges while it is Defined, resource controls also while it is Active',
  configure: (cmd) =>
    cmd
      .option('-R, --resources <attr...>', 'resource controls to change (see below)')
      .option('-S, --security <attr...>', 'privileges: privs=CAP_A,CAP_B replaces the set (see below)')
      .argument('<name>', 'WPAR name')
      .addHelpText('after', SPEC_OPTIONS_HELP),
  // The seed's form puts the name last, after -R/-S lists that would swallow it: a last word
  // that is neither a flag nor attribute=value is the name.
  prepare: (argv) => {
    const last = argv.at(-1);
    return last && !last.startsWith('-') && !last.includes('=') ? [...argv.slice(0, -1), '--', last] : argv;
  },
  async run({ args, opts, engine }) {
    if (!opts.resources && !opts.security) throw new UsageError('nothing to change: give -R or -S');
    const name = args[0] as string;
    const current = await engine().get(name);
    if (!current) throw new CapstanError('CAP-E1000', name);
    // Given -R attributes replace those of the same name, -S privs= the whole set.
    const info = await engine().modify(name, specFromFlags(name, current.spec.type, opts, undefined, current.spec));
    process.stdout.write(`chwpar: WPAR ${info.name} changed (${info.state})\n`);
    return 0;
  },
});
