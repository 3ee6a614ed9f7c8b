// Entry of the installed local commands: node dist/cli/local/run.js <command> [args…]
import { localCommands } from './index.js';

const [name, ...args] = process.argv.slice(2);
const command = name ? localCommands[name] : undefined;
if (!command) {
  process.stderr.write(`usage: run.js <${Object.keys(localCommands).join('|')}> [args…]\n`);
  process.exitCode = 1;
} else {
  process.exitCode = await command(args);
}
