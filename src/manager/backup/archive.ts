// A backup file is a plain tar (ustar) of two members: manifest.json, then the database
// (a SQLite file or a pg_dump archive). Plain tar so an operator can inspect or unpack it
// with `tar`; written and read here in a few lines rather than through a dependency.
import { open, type FileHandle } from 'node:fs/promises';

const BLOCK = 512;
const CHUNK = 1 << 20;
/** ustar's 11 octal digits hold sizes below 8 GiB; above, GNU tar's base-256 form. */
const OCTAL_SIZE_LIMIT = 8 ** 11;

export interface ArchiveMember {
  name: string;
  /** Byte offset of the member's content in the archive. */
  offset: number;
  size: number;
}

/**
 * Writes `dest` (truncating it): a member holding `manifest`, then one holding the file at
 * `source` as `name`. Reports the fraction of `source` copied; stops when `signal` aborts.
 */
export async function writeArchive(
  dest: string,
  manifest: { name: string; content: Buffer },
  file: { name: string; source: string },
  opts: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<number> {
  const out = await open(dest, 'w');
  const src = await open(file.source, 'r');
  try {
    const mtime = Math.floor(Date.now() / 1000);
    let pos = 0;
    const write = async (b: Buffer) => {
      await out.write(b, 0, b.length, pos);
      pos += b.length;
    };
    await write(header(manifest.name, manifest.content.length, mtime));
    await write(padded(manifest.content));

    const size = (await src.stat()).size;
    await write(header(file.name, size, mtime));
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let done = 0; done < size;) {
      opts.signal?.throwIfAborted();
      const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, size - done), done);
      if (bytesRead === 0) throw new Error(`${file.source} shrank while it was archived`);
      await write(buf.subarray(0, bytesRead));
      done += bytesRead;
      opts.onProgress?.(done / size);
    }
    await write(Buffer.alloc(padding(size) + 2 * BLOCK)); // the content's padding, then the end of the archive
    await out.sync();
    return pos;
  } finally {
    await src.close();
    await out.close();
  }
}

/** The members of a tar archive, in order; undefined if the file is not a readable ustar archive. */
export async function readMembers(path: string): Promise<ArchiveMember[] | undefined> {
  const f = await open(path, 'r');
  try {
    const fileSize = (await f.stat()).size;
    const members: ArchiveMember[] = [];
    let pos = 0;
    const block = Buffer.alloc(BLOCK);
    while (pos + BLOCK <= fileSize) {
      await readFully(f, block, pos);
      if (block.every((b) => b === 0)) return members;
      const parsed = parseHeader(block);
      if (!parsed || pos + BLOCK + parsed.size > fileSize) return undefined;
      members.push({ name: parsed.name, offset: pos + BLOCK, size: parsed.size });
      pos += BLOCK + parsed.size + padding(parsed.size);
    }
    return undefined; // no end-of-archive blocks: truncated
  } finally {
    await f.close();
  }
}

/** Reads a whole (small) member into memory. */
export async function readMember(path: string, m: ArchiveMember): Promise<Buffer> {
  const f = await open(path, 'r');
  try {
    const buf = Buffer.alloc(m.size);
    await readFully(f, buf, m.offset);
    return buf;
  } finally {
    await f.close();
  }
}

/** Copies a member's content to `dest` (truncating it) and syncs it. */
export async function extractMember(path: string, m: ArchiveMember, dest: string): Promise<void> {
  const src = await open(path, 'r');
  const out = await open(dest, 'w');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let done = 0; done < m.size;) {
      const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, m.size - done), m.offset + done);
      if (bytesRead === 0) throw new Error(`${path} ends inside ${m.name}`);
      await out.write(buf, 0, bytesRead, done);
      done += bytesRead;
    }
    await out.sync();
  } finally {
    await out.close();
    await src.close();
  }
}

function header(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar member name too long: ${name}`);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'ascii'); // mode
  h.write('0000000\0', 108, 'ascii'); // uid
  h.write('0000000\0', 116, 'ascii'); // gid
  writeSize(h, size);
  h.write(mtime.toString(8).padStart(11, '0') + '\0', 136, 'ascii');
  h.write('        ', 148, 'ascii'); // the checksum counts its own field as spaces
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(checksum(h).toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function parseHeader(h: Buffer): { name: string; size: number } | undefined {
  if (h.toString('ascii', 257, 262) !== 'ustar') return undefined;
  const stored = parseInt(h.toString('ascii', 148, 156).replace(/[\0 ]+$/, ''), 8);
  const copy = Buffer.from(h);
  copy.write('        ', 148, 'ascii');
  if (stored !== checksum(copy)) return undefined;
  const size = readSize(h);
  if (size === undefined) return undefined;
  return { name: cString(h, 0, 100), size };
}

function writeSize(h: Buffer, size: number): void {
  if (size < OCTAL_SIZE_LIMIT) {
    h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
    return;
  }
  h[124] = 0x80;
  let v = BigInt(size);
  for (let i = 135; i > 124; i--) {
    h[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function readSize(h: Buffer): number | undefined {
  if ((h[124] ?? 0) & 0x80) {
    let v = 0n;
    for (let i = 125; i < 136; i++) v = (v << 8n) | BigInt(h[i] ?? 0);
    return Number(v);
  }
  const text = h.toString('ascii', 124, 136).replace(/[\0 ]+$/, '').trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}

function checksum(h: Buffer): number {
  let sum = 0;
  for (const b of h) sum += b;
  return sum;
}

function cString(b: Buffer, start: number, length: number): string {
  const end = b.indexOf(0, start);
  return b.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function padded(content: Buffer): Buffer {
  return Buffer.concat([content, Buffer.alloc(padding(content.length))]);
}

async function readFully(f: FileHandle, buf: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buf.length;) {
    const { bytesRead } = await f.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) throw new Error('unexpected end of file');
    done += bytesRead;
  }
}
