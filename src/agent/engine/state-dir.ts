// A checkpoint state directory: CRIU's images plus everything a restart needs on any
// engine root (the spec and, for system WPARs, the writable layer). The manifest is
// written last, so a directory without one is an incomplete checkpoint.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { Value } from 'typebox/value';
import { CapstanError } from '../../api/errors.js';
import { WparSpec } from '../../api/wpar.js';
import { checkNeighbours, type Neighbour } from '../net/neighbours.js';
import { readJsonIfExists, writeJsonAtomic } from './json-file.js';
import type { RelocationMethod } from './relocate/methods.js';

export type CheckpointMode = 'continue' | 'kill' | 'pause';

export interface CheckpointManifest {
  format: 1;
  spec: WparSpec;
  mode: CheckpointMode;
  createdAt: string;
  host: string;
  /** The system WPAR's writable layer, relative to the state directory. */
  layer?: string;
  /**
   * Images of a relocation, not a checkpoint: their memory is elsewhere (with the arrival's
   * page server, or still with the departure), so only relocateIn may use them.
   */
  relocation?: RelocationMethod;
  /** A relocation's: the departure's known IPv4 neighbours, which the arrival settles its own with. */
  neighbours?: Neighbour[];
}

const MANIFEST = 'capstan-checkpoint.json';
export const LAYER_FILE = 'layer.tar';

export function criuImages(dir: string): string {
  return join(dir, 'criu');
}

async function kind(path: string): Promise<'dir' | 'file' | 'none'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw e;
  }
}

/** Refuses a state directory that is unusable or not empty (without creating anything). */
export async function checkNewStateDir(dir: string): Promise<void> {
  if (!isAbsolute(dir)) throw new CapstanError('CAP-E1003', `${dir} is not an absolute path`);
  const k = await kind(dir);
  if (k === 'file') throw new CapstanError('CAP-E1003', `${dir} is not a directory`);
  if (k === 'dir' && (await readdir(dir)).length > 0) throw new CapstanError('CAP-E1004', dir);
  if (k === 'none' && (await kind(dirname(dir))) === 'file') throw new CapstanError('CAP-E1003', `${dirname(dir)} is not a directory`);
}

/** Makes the (checked) state directory; returns whether it was created, so a failure can undo that. */
export async function makeStateDir(dir: string): Promise<boolean> {
  const created = (await kind(dir)) === 'none';
  await mkdir(criuImages(dir), { recursive: true });
  return created;
}

export async function writeManifest(dir: string, m: Omit<CheckpointManifest, 'format' | 'createdAt' | 'host'>): Promise<void> {
  const manifest: CheckpointManifest = { format: 1, createdAt: new Date().toISOString(), host: hostname(), ...m };
  await writeJsonAtomic(join(dir, MANIFEST), manifest);
}

/** Removes what a checkpoint wrote into a state directory (not the directory itself). */
export async function discardCheckpoint(dir: string): Promise<void> {
  await Promise.all([criuImages(dir), join(dir, LAYER_FILE), join(dir, MANIFEST)].map((p) => rm(p, { recursive: true, force: true })));
}

/**
 * The manifest of a complete checkpoint, or the error restartwpar reports; with
 * `relocation`, of the images of a relocation by that method.
 */
/** The manifest of a complete checkpoint (or, with `relocation`, a relocation's images) of WPAR `name`. */
export async function readCheckpoint(dir: string, name: string, opts: { relocation?: RelocationMethod } = {}): Promise<CheckpointManifest> {
  if (!isAbsolute(dir) || (await kind(dir)) !== 'dir') throw new CapstanError('CAP-E1003', `${dir} is not a state directory`);
  let m: CheckpointManifest | undefined;
  try {
    m = await readJsonIfExists<CheckpointManifest>(join(dir, MANIFEST));
  } catch {
    throw new CapstanError('CAP-E1005', `${MANIFEST} is not valid JSON`);
  }
  if (!m) throw new CapstanError('CAP-E1005', `no ${MANIFEST} in ${dir}: not a complete checkpoint`);
  if (m.format !== 1 || !Value.Check(WparSpec, m.spec)) throw new CapstanError('CAP-E1005', `${MANIFEST} does not describe a WPAR`);
  if (m.relocation !== opts.relocation) {
    throw new CapstanError('CAP-E1005', m.relocation ? `${dir} holds the images of a relocation (${m.relocation}), not a checkpoint` : `${dir} holds a checkpoint, not ${opts.relocation} relocation images`);
  }
  if ((await kind(join(criuImages(dir), 'inventory.img'))) !== 'file') throw new CapstanError('CAP-E1005', 'the CRIU images are missing');
  if (m.layer && (await kind(join(dir, m.layer))) !== 'file') throw new CapstanError('CAP-E1015', join(dir, m.layer));
  if (m.spec.name !== name) throw new CapstanError('CAP-E1000', `the state directory holds WPAR ${m.spec.name}, not ${name}`);
  if (m.neighbours !== undefined) checkNeighbours(m.neighbours, m.spec.interfaces.length);
  return m;
}

/** A log file path must name a file in an existing directory. */
export async function checkLogFile(path: string): Promise<void> {
  if (!isAbsolute(path) || (await kind(path)) === 'dir' || (await kind(dirname(path))) !== 'dir') {
    throw new CapstanError('CAP-E1011', path);
  }
}
