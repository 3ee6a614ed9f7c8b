// The shared state directory: storage that several hosts mount at the same path (NFS, a
// cluster file system), the alternative to agent-to-agent transfer for a relocation's images
// and writable layer. An id kept in the directory itself tells hosts that really share it from
// hosts that merely use the same path for storage of their own.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const ID_FILE = '.capstan-shared-state-id';

/** The directory's id, made on first use. */
export async function sharedStateId(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, ID_FILE);
  // 'wx': of two hosts making it at once, one wins and both read its id.
  await writeFile(file, `${randomUUID()}\n`, { flag: 'wx', mode: 0o644 }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  return (await readFile(file, 'utf8')).trim();
}
