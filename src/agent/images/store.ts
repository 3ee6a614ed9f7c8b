// The host's image store: base root filesystems that WPARs overlay. An image is an
// immutable directory <root>/<name>/{rootfs,image.json}. It is built in a hidden staging
// directory and renamed into place whole, so a crash (or a failed build) never leaves a half
// image under a real name; leftovers of dead builders are swept by the next write.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CapstanError } from '../../api/errors.js';
import { processAlive, run, runOk } from '../exec.js';
import { buildBusyboxRootfs } from './busybox.js';
import { hostDebianMirror, hostDebianSuite } from './debian-mirror.js';
import { mountsUnder, removeTree } from './fs-safety.js';

export type ImageSource = 'busybox' | 'debootstrap' | 'tarball';

export interface ImageInfo {
  name: string;
  source: ImageSource;
  /** Apparent size of the root filesystem. */
  sizeBytes: number;
  /** ISO 8601. */
  createdAt: string;
}

export const IMAGE_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

const META = 'image.json';
// Staging names start with a dot, which no image name may: they can never be mistaken for
// images. The builder's pid tells the sweep whether the owner is still at work.
const STAGING = /^\.(build|remove)-.+-(\d+)-[0-9a-f]+$/;

export function validateImageName(name: string): void {
  if (typeof name !== 'string' || !IMAGE_NAME_PATTERN.test(name)) {
    throw new CapstanError('CAP-E0001', `image name ${JSON.stringify(name)} must match ${IMAGE_NAME_PATTERN.source}`);
  }
}

export class ImageStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async list(): Promise<ImageInfo[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [];
      throw e;
    });
    const images: ImageInfo[] = [];
    for (const e of entries) {
      if (!e.isDirectory() || !IMAGE_NAME_PATTERN.test(e.name)) continue;
      const info = await this.info(e.name);
      if (info) images.push(info);
    }
    return images.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The image's metadata, or undefined when there is no such image. */
  async info(name: string): Promise<ImageInfo | undefined> {
    validateImageName(name);
    try {
      return JSON.parse(await readFile(join(this.root, name, META), 'utf8')) as ImageInfo;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Absolute path of the image's root filesystem. */
  async rootfs(name: string): Promise<string> {
    if (!(await this.info(name))) throw new CapstanError('CAP-E1007', name);
    return join(this.root, name, 'rootfs');
  }

  /** The busybox test image, built on the spot when absent; returns its rootfs path. */
  async ensureBusybox(name = 'busybox'): Promise<string> {
    validateImageName(name);
    const existing = await this.info(name);
    if (!existing) {
      // Two concurrent callers both build; the loser of the rename finds the image in place.
      await this.build(name, 'busybox', buildBusyboxRootfs, { existingOk: true });
    }
    const source = existing?.source ?? (await this.info(name))?.source;
    if (source !== 'busybox') throw new CapstanError('CAP-E0003', `image ${name} exists and is a ${source ?? 'broken'} image`);
    return join(this.root, name, 'rootfs');
  }

  /** A Debian root filesystem by debootstrap, from this host's own mirror; takes minutes. */
  async buildDebian(name: string, opts: { suite?: string; variant?: 'minbase' } = {}): Promise<void> {
    validateImageName(name);
    if (opts.suite !== undefined && !/^[a-z][a-z0-9-]{1,30}$/.test(opts.suite)) {
      throw new CapstanError('CAP-E0001', `suite ${JSON.stringify(opts.suite)} is not a Debian suite name`);
    }
    if (opts.variant !== undefined && opts.variant !== 'minbase') throw new CapstanError('CAP-E0001', `unknown variant ${String(opts.variant)}`);
    await this.refuseExisting(name);
    const suite = opts.suite ?? (await hostDebianSuite());
    const mirror = await hostDebianMirror();
    await this.build(name, 'debootstrap', async (rootfs) => {
      const args = [...(opts.variant ? [`--variant=${opts.variant}`] : []), suite, rootfs, mirror];
      const r = await run('debootstrap', args);
      if (r.code === 127) throw new CapstanError('CAP-E0005', 'debootstrap is not installed (scripts/setup.sh installs it)');
      if (r.code !== 0) {
        const log = await readFile(join(rootfs, 'debootstrap/debootstrap.log'), 'utf8').catch(() => '');
        const tail = (log || r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n');
        throw new CapstanError('CAP-E0005', `debootstrap ${args.join(' ')} failed (exit ${r.code}):\n${tail}`);
      }
      // The downloaded packages are dead weight in every WPAR that overlays the image.
      await runOk('chroot', [rootfs, 'apt-get', 'clean']);
    });
  }

  /** An image from a root filesystem tarball (any compression tar recognises). */
  async importTarball(name: string, file: string): Promise<void> {
    validateImageName(name);
    const path = resolve(file);
    const st = await stat(path).catch(() => undefined);
    // A FIFO is fine too: an import streamed from another program.
    if (!st?.isFile() && !st?.isFIFO()) throw new CapstanError('CAP-E0001', `${path} is not a file`);
    await this.refuseExisting(name);
    await this.build(name, 'tarball', async (rootfs) => {
      const r = await run('tar', ['-x', '-p', '--numeric-owner', '--xattrs', '--xattrs-include=*', '-f', path, '-C', rootfs]);
      if (r.code !== 0) throw new CapstanError('CAP-E0001', `${path} is not a readable tarball: ${r.stderr.trim()}`);
      if ((await readdir(rootfs)).length === 0) throw new CapstanError('CAP-E0001', `${path} is empty`);
    });
  }

  /** Removes the image; absent is fine, in use (an overlay's lower layer) is refused. */
  async remove(name: string): Promise<void> {
    validateImageName(name);
    await this.sweep();
    const dir = join(this.root, name);
    if (!(await stat(dir).catch(() => undefined))) return;
    if (await this.inUse(name)) throw new CapstanError('CAP-E0004', `image ${name} is the lower layer of a mounted WPAR root`);
    // Out of sight first, so a crash mid-delete leaves no half image under the name.
    const doomed = this.stagingPath('remove', name);
    await rename(dir, doomed);
    await removeTree(doomed);
  }

  /** Deletes what dead builders left behind. */
  async sweep(): Promise<void> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    for (const entry of entries) {
      const m = STAGING.exec(entry);
      if (m && !processAlive(Number(m[2]))) await removeTree(join(this.root, entry));
    }
  }

  private async refuseExisting(name: string): Promise<void> {
    if (await stat(join(this.root, name)).catch(() => undefined)) throw new CapstanError('CAP-E0003', `image ${name}`);
  }

  private stagingPath(kind: 'build' | 'remove', name: string): string {
    return join(this.root, `.${kind}-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  }

  /**
   * Builds into a staging directory and renames it into place. With existingOk, another
   * builder having published the name first is not an error.
   */
  private async build(
    name: string,
    source: ImageSource,
    fill: (rootfs: string) => Promise<void>,
    opts: { existingOk?: boolean } = {},
  ): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await this.sweep();
    const staging = this.stagingPath('build', name);
    try {
      const rootfs = join(staging, 'rootfs');
      await mkdir(rootfs, { recursive: true, mode: 0o755 });
      await fill(rootfs);
      const info: ImageInfo = { name, source, sizeBytes: await sizeOf(rootfs), createdAt: new Date().toISOString() };
      await writeFile(join(staging, META), JSON.stringify(info, null, 2) + '\n');
      try {
        await rename(staging, join(this.root, name));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw e;
        if (!opts.existingOk) throw new CapstanError('CAP-E0003', `image ${name}`);
      }
    } finally {
      // After a successful rename there is nothing here any more; otherwise drop the half.
      await removeTree(staging);
    }
  }

  private async inUse(name: string): Promise<boolean> {
    const rootfs = join(this.root, name, 'rootfs');
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    return mountinfo.split('\n').some((line) => {
      const lower = /(?:^|,)lowerdir=([^,]*)/.exec(line.split(' - ')[1] ?? '')?.[1];
      return lower?.split(':').some((d) => d === rootfs || d.startsWith(rootfs + '/')) ?? false;
    }) || (await mountsUnder(join(this.root, name))).length > 0;
  }
}

async function sizeOf(dir: string): Promise<number> {
  const { stdout } = await runOk('du', ['-s', '-b', '-x', dir]);
  return Number(stdout.split(/\s/)[0]);
}
