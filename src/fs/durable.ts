// Files that survive a power loss once written: the new content is synced before it is
// renamed over the old, and the directory after the rename (a rename is only durable once
// its directory is). A reader sees the old file or the new one, never half of one.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

let written = 0;
/** Unique per write: two writes of one file under way at once must not share a scratch file. */
const scratchOf = (path: string): string => `${path}.${process.pid}.${++written}.tmp`;

/** Writes `data` to `path` durably; `mode` applies to a new file and to a replaced one alike. */
export function writeFileDurableSync(path: string, data: string | Uint8Array, mode = 0o644): void {
  const scratch = scratchOf(path);
  // Created afresh (a crashed process of the same pid may have left one), so that the mode applies.
  rmSync(scratch, { force: true });
  const fd = openSync(scratch, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(scratch, path);
  fsyncDirSync(dirname(path));
}

export async function writeFileDurable(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const scratch = scratchOf(path);
  await rm(scratch, { force: true });
  const f = await open(scratch, 'wx', mode);
  try {
    await f.writeFile(data);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(scratch, path);
  await fsyncDir(path);
}

/** Makes a rename or creation of `path` durable: syncs the directory that holds it. */
export async function fsyncDir(path: string): Promise<void> {
  const d = await open(dirname(path), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
