// The log file of chkptwpar/restartwpar -o: what the engine did, followed by CRIU's log
// (all of it at debug level; only its warnings and errors at error level).
import { appendFile, readFile } from 'node:fs/promises';

export type LogLevel = 'error' | 'debug';

export async function writeOperationLog(
  logFile: string,
  level: LogLevel,
  summary: string,
  criuLog: string,
): Promise<void> {
  const criu = await readFile(criuLog, 'utf8').catch(() => '');
  const lines = criu.split('\n').filter((l) => level === 'debug' || /error|warn/i.test(l));
  await appendFile(logFile, `${new Date().toISOString()} ${summary}\n${lines.join('\n')}\n`);
}
