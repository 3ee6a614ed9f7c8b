// Atomic, durable JSON files: a crash or a power loss never leaves a half-written record
// behind, and a record written is still there after one (see fs/durable.ts).
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileDurable } from '../../fs/durable.js';

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileDurable(path, JSON.stringify(value, null, 2) + '\n');
}

/** The parsed file, or undefined when it does not exist. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

// Reading, blocking, for the engine's own small files on its local root (records): each call
// then takes microseconds, where an asynchronous one adds a thread-pool round trip per step
// (open, read, close), and every operation reads its record several times while the caller
// waits. Writes stay asynchronous: their fsync must not stall the agent's event loop.

export function readJsonIfExistsSync<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
