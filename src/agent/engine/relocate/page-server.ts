// The arrival half of a stop-and-copy relocation, before the departure dumps: the CRIU page
// server that writes the memory the departure streams into the state directory.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CapstanError } from '../../../api/errors.js';
import { freePort } from '../../net/ports.js';
import { findCriu } from '../criu.js';
import { tail } from '../start-supervised.js';
import { checkNewStateDir, criuImages, discardCheckpoint, makeStateDir } from '../state-dir.js';
import { validateEndpoint, type PageEndpoint } from './transport.js';

export interface PageReceiverOptions {
  /** A new or empty state directory; the transport later adds the departure's images and layer. */
  dir: string;
  /** Where the page server listens (the transport's end of the tunnel from the departure); default: a free port on 127.0.0.1. */
  listen?: PageEndpoint;
}

export interface PageReceiver {
  /** Where the page server listens. */
  readonly listen: PageEndpoint;
  /** Resolves once the departure sent all memory and the page server wrote it; rejects with CRIU's last words. */
  readonly received: Promise<void>;
  /** Stops the page server and removes what it wrote. */
  cancel(): Promise<void>;
}

/** The page server's work directory (its log), inside the state directory. */
const PAGE_SERVER_DIR = 'page-server';

/** Starts a CRIU page server for a stop-and-copy arrival; resolves once it listens. */
export async function receivePages(opts: PageReceiverOptions): Promise<PageReceiver> {
  const listen = opts.listen ?? { host: '127.0.0.1', port: await freePort() };
  validateEndpoint(listen, 'listen');
  await checkNewStateDir(opts.dir);
  const criu = (await findCriu()).path;
  const created = await makeStateDir(opts.dir);
  const work = join(opts.dir, PAGE_SERVER_DIR);
  await mkdir(work);
  const child = spawn(criu, [
    'page-server', '--images-dir', criuImages(opts.dir), '--work-dir', work, '-o', 'page-server.log',
    '--address', listen.host, '--port', String(listen.port), '--status-fd', '3',
  ], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const exited = once(child, 'close').then(([code]) => code as number | null);
  const listening = new Promise<boolean>((resolve) => {
    child.stdio[3]?.once('data', () => resolve(true));
    void exited.then(() => resolve(false));
  });
  const discard = async (): Promise<void> => {
    await (created ? rm(opts.dir, { recursive: true, force: true }) : Promise.all([discardCheckpoint(opts.dir), rm(work, { recursive: true, force: true })]));
  };
  const failure = async (code: number | null): Promise<CapstanError> =>
    new CapstanError('CAP-E1009', `criu page-server exited with ${code ?? 'a signal'}: ${await tail(join(work, 'page-server.log'), 5)}`);
  if (!(await listening)) {
    const e = await failure(await exited);
    await discard();
    throw e;
  }
  const received = exited.then(async (code) => {
    if (code !== 0) throw await failure(code);
  });
  received.catch(() => undefined);
  return {
    listen,
    received,
    async cancel() {
      child.kill('SIGKILL');
      await exited;
      await discard();
    },
  };
}
