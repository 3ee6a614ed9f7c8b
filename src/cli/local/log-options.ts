// -o LOGFILE and -l debug|error of chkptwpar and restartwpar.
import type { Command } from 'commander';
import type { LogLevel } from '../../agent/engine/index.js';
import { UsageError } from './command.js';

export interface LogFlags {
  logFile?: string;
  level?: string;
}

export function addLogOptions(cmd: Command): Command {
  return cmd
    .option('-o, --log-file <logfile>', 'write the operation log (with CRIU\'s) to this file')
    .option('-l, --level <level>', 'log level with -o: error (default) or debug');
}

export function logOptions(flags: LogFlags): { logFile?: string; logLevel?: LogLevel } {
  if (flags.level && !flags.logFile) throw new UsageError('-l needs -o');
  const level = flags.level?.toLowerCase();
  if (level && level !== 'debug' && level !== 'error') throw new UsageError('-l takes debug or error');
  return flags.logFile ? { logFile: flags.logFile, logLevel: (level ?? 'error') as LogLevel } : {};
}
