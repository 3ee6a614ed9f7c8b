// The frame of every `capstan` command that talks to the manager: the client from the stored
// login, the global --json switch, and one mapping from failures to messages and exit codes.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isCapstanError } from '../../api/errors.js';
import { UsageError } from '../local/command.js';
import { note } from '../output.js';
import { ApiClient, ApiError, UnreachableError } from '../../client/api-client.js';
import { EXIT, exitForStatus } from './exit-codes.js';
import { readProfile, type Profile } from './profile.js';

export interface Ctx<O> {
  client: ApiClient<Profile>;
  /** --json: machine output on stdout. */
  json: boolean;
  opts: O;
  /** The command's positional arguments (a variadic one as an array). */
  args: unknown[];
}

/** A task that ran and ended failed or cancelled. */
export class TaskFailed extends Error {}

/** Maps any failure to its exit code and its message on stderr (with --json, one JSON line: {"code", "message"}). */
export function exitFor(e: unknown, json = false): number {
  const say = (code: string | undefined, message: string): void =>
    note(json ? JSON.stringify({ ...(code ? { code } : {}), message }) : `capstan: ${code ? `${code} ` : ''}${message}`);
  if (e instanceof ApiError || isCapstanError(e)) {
    say(e.code, e.message);
    return exitForStatus(e.status);
  }
  if (e instanceof TaskFailed) return EXIT.taskFailed;
  say(undefined, e instanceof Error ? e.message : String(e));
  if (e instanceof UnreachableError) return EXIT.unreachable;
  if (e instanceof UsageError) return EXIT.usage;
  return EXIT.failed;
}

/** A commander action for a command that talks to the manager (as the logged-in user, unless `anonymous`). */
export function remote<O = Record<string, unknown>>(fn: (ctx: Ctx<O>) => Promise<number | void>, { anonymous = false } = {}) {
  return async (...params: unknown[]): Promise<void> => {
    const cmd = params.at(-1) as Command;
    const opts = cmd.optsWithGlobals() as O & { json?: boolean };
    try {
      const profile = readProfile();
      if (!anonymous && !profile.token) {
        note('capstan: not logged in: run `capstan login [URL]` first (or set CAPSTAN_TOKEN)');
        process.exitCode = EXIT.denied;
        return;
      }
      const code = await fn({ client: new ApiClient(profile), json: opts.json === true, opts, args: cmd.processedArgs });
      process.exitCode = code ?? EXIT.ok;
    } catch (e) {
      process.exitCode = exitFor(e, opts.json === true);
    }
  };
}

/** A JSON file named on the command line; unreadable or malformed is a usage error. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message}`);
  }
}
