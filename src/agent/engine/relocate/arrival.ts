// The arrival half of a live relocation (the handshake is in transport.ts): the WPAR's
// network prepared before the departure freezes, then its restore from the departure's
// images (post-copy: its memory following from the departure, see lazy-pages.ts).
import { stat } from 'node:fs/promises';
import { CapstanError } from '../../../api/errors.js';
import type { MemoryMethod } from '../../../api/relocation.js';
import type { WparSpec } from '../../../api/wpar.js';
import { createWparNetns, deleteWparNetns, netnsPath } from '../../net/index.js';
import type { EngineContext } from '../context.js';
import { lowerRootfs, newRecord, normalize } from '../definition.js';
import { settledInfo, type WparInfo } from '../info.js';
import { runcDefaultConfig } from '../oci-config.js';
import { fresh } from '../operation.js';
import { restore } from '../restore.js';
import { readCheckpoint } from '../state-dir.js';
import { hasNetns } from '../teardown.js';
import { pagesArrived } from './lazy-pages.js';
import { checkMethod } from './methods.js';
import { receivePages, type PageReceiver, type PageReceiverOptions } from './page-server.js';
import type { PageEndpoint } from './transport.js';

export interface ArrivalOptions {
  /** The state directory the transport filled with the departure's (stop-and-copy: the one receivePages wrote the memory into). */
  dir: string;
  /** postCopy or stopAndCopy, as the departure's. */
  method: MemoryMethod;
  /** Post-copy: where the departure's CRIU serves the memory (the transport's end of the tunnel). */
  pageSource?: PageEndpoint;
}

export interface Arrival {
  /** The WPAR as it runs here. */
  info: WparInfo;
  /** Epoch ms when its processes were resumed here: the end of the frozen time. */
  resumedAt: number;
  /**
   * Resolves once all of its memory is here (at once for stop-and-copy); rejects when it was
   * stopped as Broken because its memory stopped coming (see pages-reaper.ts).
   */
  pagesArrived: Promise<void>;
}

/** The arrivals of one engine. */
export class Arrivals {
  /** Arrivals whose network namespace prepare() made, by name: their interfaces (JSON). */
  private readonly prepared = new Map<string, string>();

  constructor(private readonly ctx: EngineContext) {}

  /** Stop-and-copy, before the departure dumps: a CRIU page server that writes the memory into `opts.dir`. */
  async receivePages(name: string, opts: PageReceiverOptions): Promise<PageReceiver> {
    if (await this.ctx.records.read(name)) throw new CapstanError('CAP-E1010', name);
    return receivePages(opts);
  }

  /**
   * Before the departure freezes: makes the WPAR's network namespace (its interfaces off
   * their bridges) and checks its image and CRIU, which arrive() would otherwise do while
   * the WPAR is frozen. arrive(spec.name) takes the namespace over; cancel() removes it when
   * none follows. A namespace prepared by an engine that is gone is not lost: arrive()
   * completes it again.
   */
  async prepare(input: WparSpec, method: MemoryMethod): Promise<void> {
    const { ctx } = this;
    await checkMethod(method);
    const spec = normalize(input);
    await ctx.assertPolicy(spec);
    if (await ctx.records.read(spec.name)) throw new CapstanError('CAP-E1010', spec.name);
    await Promise.all([lowerRootfs(ctx, spec), runcDefaultConfig()]);
    if (hasNetns(spec)) await createWparNetns(ctx.layout.netns(spec.name), spec.interfaces, { defaultBridge: ctx.defaultBridge, detached: true });
    this.prepared.set(spec.name, JSON.stringify(spec.interfaces));
  }

  /** Undoes prepare() when no arrive() took the WPAR (a WPAR of that name that exists is left alone). */
  async cancel(name: string): Promise<void> {
    this.prepared.delete(name);
    if (!(await this.ctx.records.read(name))) await deleteWparNetns(this.ctx.layout.netns(name));
  }

  /**
   * The WPAR runs here from the departure's images in `opts.dir`, with its writable layer,
   * address (announced) and open TCP connections. Post-copy: it runs at once, its memory
   * following from `opts.pageSource`. A failure leaves nothing here.
   */
  async arrive(name: string, opts: ArrivalOptions): Promise<Arrival> {
    const { ctx } = this;
    const method = await checkMethod(opts.method);
    if (method === 'postCopy' && !opts.pageSource) throw new CapstanError('CAP-E0001', 'post-copy needs a pageSource');
    const manifest = await readCheckpoint(opts.dir, name, { relocation: method });
    if (await ctx.records.read(name)) throw new CapstanError('CAP-E1010', name);
    const spec = normalize(manifest.spec);
    await ctx.assertPolicy(spec);
    const rec = await newRecord(ctx, spec, 'relocate-in');
    const netnsReady = this.prepared.get(name) === JSON.stringify(spec.interfaces) && !!(await stat(netnsPath(ctx.layout.netns(name))).catch(() => undefined));
    this.prepared.delete(name);
    let resumedAt = 0;
    await fresh(ctx, rec, async () => {
      resumedAt = await restore(ctx, rec, manifest, { dir: opts.dir }, { ...(method === 'postCopy' ? { pageSource: opts.pageSource } : {}), netnsReady });
    });
    const token = rec.arrivingPages?.token;
    const arrived = token ? pagesArrived(ctx.layout, ctx.records, name, token) : Promise.resolve();
    arrived.catch(() => undefined);
    return { info: await settledInfo(ctx, name, rec, 'running'), resumedAt, pagesArrived: arrived };
  }
}
