// lswpar: the WPARs of this host with the seed's state letters, as a table or JSON.
import { STATE_LETTER } from '../../api/wpar-states.js';
import type { WparInfo } from '../../agent/engine/index.js';
import { formatTable } from '../output.js';
import { localCommand, UsageError } from './command.js';

const TYPE_LETTER = { system: 'S', application: 'A' } as const;

function rows(wpars: WparInfo[]): string[][] {
  return wpars.map((w) => [
    w.name,
    STATE_LETTER[w.state],
    TYPE_LETTER[w.spec.type],
    w.spec.hostname ?? w.name,
    w.spec.interfaces.map((i) => `${i.address}/${i.prefix}`).join(',') || '-',
    w.spec.image,
    w.spec.checkpointable ? 'yes' : 'no',
  ]);
}

export const lswpar = localCommand<{ json?: boolean; states?: string }>({
  name: 'lswpar',
  description: `List WPARs. States: ${Object.entries(STATE_LETTER).map(([s, l]) => `${l} ${s}`).join(', ')}`,
  configure: (cmd) =>
    cmd
      .option('--json', 'print JSON (all details, including the resource controls applied)')
      .option('-s, --states <letters>', 'only WPARs in these states, e.g. -s AP')
      .argument('[names...]', 'only these WPARs'),
  async run({ args, opts, engine }) {
    let wpars = await engine().list();
    if (args.length > 0) {
      const missing = args.filter((n) => !wpars.some((w) => w.name === n));
      if (missing.length > 0) throw new UsageError(`unknown WPAR: ${missing.join(', ')}`);
      wpars = wpars.filter((w) => args.includes(w.name));
    }
    if (opts.states) wpars = wpars.filter((w) => opts.states?.includes(STATE_LETTER[w.state]));
    if (opts.json) {
      process.stdout.write(JSON.stringify(wpars, null, 2) + '\n');
    } else {
      process.stdout.write(formatTable(['Name', 'State', 'Type', 'Hostname', 'Address', 'Image', 'Checkpointable'], rows(wpars)));
    }
    return 0;
  },
});
