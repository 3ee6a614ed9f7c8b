// The frame every local command shares: a commander parser that never exits the process,
// the root check, and the mapping from Capstan error codes to the seed's exit codes.
import { Command, CommanderError } from 'commander';
import { isCapstanError, type ErrorCode } from '../../api/errors.js';
import type { Engine } from '../../agent/engine/index.js';
import { openEngine } from './open-engine.js';

export type LocalCommand = (argv: string[]) => Promise<number>;

/** A command's exit-code table from the seed; errors it does not list exit with its internal-error code. */
export interface ExitTable {
  codes: Partial<Record<ErrorCode, number>>;
  internal: number;
  /** Exit code when a non-root user runs the command (the seed's commands are root only). */
  notRoot?: number;
}

export const EXIT_USAGE = 1;

/** Wrong arguments found after parsing (conflicting flags and the like). */
export class UsageError extends Error {}

export interface CommandContext<O> {
  args: string[];
  opts: O;
  engine(): Engine;
}

export interface CommandDef<O> {
  name: string;
  description: string;
  /** Adds the options and arguments. */
  configure(cmd: Command): Command;
  /** The seed's exit codes; without one, every failure exits 1. */
  exitTable?: ExitTable;
  /** Rewrites the arguments before parsing (a name after a list option, say). */
  prepare?(argv: string[]): string[];
  run(ctx: CommandContext<O>): Promise<number>;
}

export function localCommand<O>(def: CommandDef<O>): LocalCommand {
  return async (argv) => {
    const cmd = def
      .configure(new Command(def.name).description(def.description))
      .helpOption('--help', 'show this help')
      .exitOverride()
      .action(() => undefined);
    try {
      cmd.parse(def.prepare?.(argv) ?? argv, { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
      throw e;
    }
    const table = def.exitTable;
    if (table?.notRoot !== undefined && process.getuid?.() !== 0) {
      process.stderr.write(`${def.name}: only root can run this command\n`);
      return table.notRoot;
    }
    let engine: Engine | undefined;
    try {
      return await def.run({ args: cmd.args, opts: cmd.opts() as O, engine: () => (engine ??= openEngine()) });
    } catch (e) {
      if (e instanceof UsageError) {
        process.stderr.write(`${def.name}: ${e.message}\n${cmd.helpInformation()}`);
        return EXIT_USAGE;
      }
      if (isCapstanError(e)) {
        process.stderr.write(`${def.name}: ${e.code} ${e.message}\n`);
        return table ? (table.codes[e.code] ?? table.internal) : 1;
      }
      process.stderr.write(`${def.name}: ${e instanceof Error ? e.message : String(e)}\n`);
      return table?.internal ?? 1;
    } finally {
      engine?.close();
    }
  };
}
