// `capstan`: the manager's CLI, the processes (manager, up), and the seed-compatible local
// commands (`capstan mkwpar …` is the same as the installed `mkwpar …`).
import { Command, CommanderError } from 'commander';
import { agentCommands } from './agent/commands.js';
import { labCommands } from './agent/lab.js';
import { localCommands } from './local/index.js';
import { authCommands } from './remote/commands/auth.js';
import { balanceCommands } from './remote/commands/balance.js';
import { capacityCommands, SEED_COMMANDS, seedCapacityArgs, type SeedCommand } from './remote/commands/capacity.js';
import { inventoryCommands } from './remote/commands/inventory.js';
import { metricsCommands } from './remote/commands/metrics.js';
import { mobilityCommands } from './remote/commands/mobility.js';
import { serverCommands } from './remote/commands/server.js';
import { taskCommands } from './remote/commands/tasks.js';
import { lwiMapRoleArgs, userCommands } from './remote/commands/users.js';
import { wparCommands } from './remote/commands/wpars.js';
import { exitFor } from './remote/context.js';
import { EXIT, EXIT_CODES_HELP } from './remote/exit-codes.js';

function program(): Command {
  const p = new Command('capstan')
    .description('Workload partitions on Linux: one manager for a fleet of hosts')
    .option('--json', 'machine-readable output on stdout')
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText('after', `
Seed-compatible local commands (run on a host, as root; also installed on their own):
  ${Object.keys(localCommands).join(' ')}
  e.g. capstan lswpar, capstan chkptwpar -d /var/tmp/state -k web1 (see capstan <command> --help)
${EXIT_CODES_HELP}`);
  serverCommands(p);
  authCommands(p);
  inventoryCommands(p);
  wparCommands(p);
  mobilityCommands(p);
  balanceCommands(p);
  taskCommands(p);
  userCommands(p);
  agentCommands(p);
  metricsCommands(p);
  labCommands(p);
  capacityCommands(p);
  return p;
}

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  const local = first ? localCommands[first] : undefined;
  if (local) {
    process.exitCode = await local(rest);
    return;
  }
  let args = argv;
  try {
    if (first === 'lwiMapRole') args = lwiMapRoleArgs(rest);
    if (SEED_COMMANDS.includes(first as SeedCommand)) args = seedCapacityArgs(first as SeedCommand, rest);
    await program().parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; anything else commander refused is a usage error.
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.exitCode = exitFor(e);
  }
}

// `capstan … | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
await main(process.argv.slice(2));
