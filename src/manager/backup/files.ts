// Small durable-file helpers: a rename is only durable once its directory is synced.
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function fsyncDir(path: string): Promise<void> {
  const d = await open(dirname(path), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
