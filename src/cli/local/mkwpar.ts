// mkwpar: defines a system WPAR (and starts it with -s); -o also writes its specification to a
// file (-w: only that), -f creates one from such a file.
import { rm } from 'node:fs/promises';
import { normalizeWparSpec } from '../../api/wpar.js';
import { localCommand, UsageError } from './command.js';
import { readSpecFile, writeSpecFile } from './spec-file.js';
import { addSpecOptions, specFromFlags, type SpecFlags } from './spec-options.js';

interface Opts extends SpecFlags {
  name?: string;
  start?: boolean;
  specFile?: string;
  output?: string;
  writeOnly?: boolean;
}

export const mkwpar = localCommand<Opts>({
  name: 'mkwpar',
  description: 'Create a system WPAR; arguments after -- replace its init (default /sbin/init)',
  configure: (cmd) =>
    addSpecOptions(cmd.option('-n, --name <name>', 'WPAR name (taken from -f\'s file when not given)'))
      .option('-s, --start', 'start the WPAR once created')
      .option('-f, --spec-file <file>', 'create from a specification file (as -o writes); the flags given override it')
      .option('-o, --output <file>', 'also write the WPAR\'s specification to this new file, as JSON')
      .option('-w, --write-only', 'with -o: write the specification only, create nothing')
      .argument('[init...]', 'init command and arguments'),
  async run({ args, opts, engine }) {
    if (opts.writeOnly && (!opts.output || opts.start)) throw new UsageError('-w needs -o and excludes -s');
    const base = opts.specFile ? await readSpecFile(opts.specFile) : undefined;
    const name = opts.name ?? base?.name;
    if (!name) throw new UsageError('give the WPAR\'s name with -n (or a specification file with -f)');
    const spec = normalizeWparSpec(specFromFlags(name, 'system', opts, args, base));
    if (opts.output) await writeSpecFile(opts.output, spec);
    if (opts.writeOnly) {
      process.stdout.write(`mkwpar: specification of ${spec.name} written to ${opts.output}\n`);
      return 0;
    }
    try {
      const info = await engine().create(spec, { start: opts.start ?? false });
      process.stdout.write(`mkwpar: WPAR ${info.name} created (${info.state})\n`);
    } catch (e) {
      // The file describes a WPAR that was not made: it goes too.
      if (opts.output) await rm(opts.output, { force: true });
      throw e;
    }
    return 0;
  },
});
