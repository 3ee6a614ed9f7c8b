// clogin: a login shell, or one command, inside a running WPAR, from the host. The seed's
// note holds: the session's processes cannot be checkpointed, so while it is open a
// checkpoint or relocation of the WPAR refuses (or, forced, ends the session: said here).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { localCommand } from './command.js';
import { CLOGIN_EXIT } from './exit-tables.js';

interface Opts {
  login?: string;
}

/** One shell word, quoted for `sh -c` only where it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command the session runs: as root, or with -l through `su` as that user. */
export function sessionCommand(command: string[], user: string | undefined): string[] | undefined {
  if (!user || user === 'root') return command.length ? command : undefined;
  return ['su', '-', user, ...(command.length ? ['-c', command.map(shellQuote).join(' ')] : [])];
}

export const clogin = localCommand<Opts>({
  name: 'clogin',
  description: 'Log in to a running WPAR, or run one command in it: clogin NAME [-l USER] [COMMAND [ARG ...]]',
  configure: (cmd) => cmd
    .option('-l, --login <user>', 'log in as this user of the WPAR (default root)')
    .argument('<name>', 'WPAR name')
    .argument('[command...]', 'the command to run instead of a login shell')
    .passThroughOptions(),
  exitTable: CLOGIN_EXIT,
  async run({ args, opts, engine }) {
    const [name, ...command] = args as [string, ...string[]];
    const tty = process.stdin.isTTY === true;
    const sessionCmd = sessionCommand(command, opts.login);
    const session = await engine().openSession(name, {
      ...(sessionCmd ? { command: sessionCmd } : {}),
      tty,
      ...(process.env.TERM ? { term: process.env.TERM } : {}),
      by: `${process.env.SUDO_USER ?? process.env.USER ?? 'root'} on the host (clogin)`,
    });
    const status = await new Promise<number>((resolve) => {
      const child = spawn(session.file, session.args, { stdio: 'inherit' });
      child.on('error', (e) => {
        process.stderr.write(`clogin: ${e.message}\n`);
        resolve(CLOGIN_EXIT.internal);
      });
      child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
    const ended = await session.close();
    if (ended) process.stderr.write(`\nclogin: the session was ended: ${ended}\n`);
    return status;
  },
});
