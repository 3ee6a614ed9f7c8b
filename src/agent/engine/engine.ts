// The partition engine: runs the WPARs of this host through runc, checkpoints and restarts
// them with CRIU, and relocates them live. Every method is idempotent where the seed allows
// it; a refusal changes nothing; a failure while changing an existing WPAR leaves it Broken
// with the reason (see operation.ts). This class only composes the parts: lifecycle.ts,
// checkpoint.ts, relocate/ and the queries of info.ts.
import { EventEmitter } from 'node:events';
import { CapstanError } from '../../api/errors.js';
import type { MemoryMethod } from '../../api/relocation.js';
import type { WparSpec } from '../../api/wpar.js';
import { checkpoint, freeze, kill, resume, restart, type CheckpointOptions, type RestartResult } from './checkpoint.js';
import { engineContext, type EngineContext, type EngineOptions } from './context.js';
import { ExitWatch, waitExit } from './exits.js';
import { getInfo, listInfo, type WparInfo } from './info.js';
import type { Layout } from './layout.js';
import { create, modify, remove, start, stop } from './lifecycle.js';
import type { ExitRecord } from './records.js';
import { Arrivals, type Arrival, type ArrivalOptions } from './relocate/arrival.js';
import { relocateOut, settleDeparture, type Departure, type DepartureOptions, type DepartureOutcome } from './relocate/departure.js';
import type { PageReceiver, PageReceiverOptions } from './relocate/page-server.js';
import type { RestartOptions } from './restore.js';
import { openSession, openSessions, type Session, type SessionOptions, type SessionRecord } from './sessions.js';
import type { WparStats } from './runc.js';

export class Engine extends EventEmitter {
  readonly layout: Layout;
  private readonly ctx: EngineContext;
  private readonly arrivals: Arrivals;
  private readonly exitWatch: ExitWatch;

  constructor(opts: EngineOptions) {
    super();
    this.ctx = engineContext(opts);
    this.layout = this.ctx.layout;
    this.arrivals = new Arrivals(this.ctx);
    this.exitWatch = new ExitWatch(this.layout, this.ctx.records, (exit) => this.emit('exit', exit));
    // 'exit' listeners get the exit records of application WPARs as they appear.
    this.on('newListener', (event: string) => {
      if (event === 'exit') void this.exitWatch.start();
    });
  }

  // ---- queries ------------------------------------------------------------------------

  get(name: string): Promise<WparInfo | undefined> {
    return getInfo(this.ctx, name);
  }

  list(): Promise<WparInfo[]> {
    return listInfo(this.ctx);
  }

  /** Current usage of a running WPAR. */
  async stats(name: string): Promise<WparStats> {
    if (!(await this.ctx.runc.state(name))) throw new CapstanError('CAP-E1000', name);
    return this.ctx.runc.stats(name);
  }

  /** Exit records of application WPARs whose command ended, until cleared. */
  exits(): Promise<ExitRecord[]> {
    return this.ctx.records.exits();
  }

  clearExit(name: string): Promise<void> {
    return this.ctx.records.clearExit(name);
  }

  /** Waits for an application WPAR to end; undefined when it went away without an exit status (stopped, checkpointed). */
  waitExit(name: string): Promise<ExitRecord | undefined> {
    return waitExit(this.ctx.records, name);
  }

  /** Stops watching for exits. */
  close(): void {
    this.exitWatch.close();
  }

  // ---- lifecycle (lifecycle.ts) --------------------------------------------------------

  create(input: WparSpec, opts: { start?: boolean } = {}): Promise<WparInfo> {
    return create(this.ctx, input, opts);
  }

  start(name: string): Promise<WparInfo> {
    return start(this.ctx, name);
  }

  modify(name: string, input: WparSpec): Promise<WparInfo> {
    return modify(this.ctx, name, input);
  }

  /** System WPARs go back to Defined; application WPARs are gone. */
  async stop(name: string, opts: { force?: boolean } = {}): Promise<WparInfo | undefined> {
    await stop(this.ctx, name, opts);
    return this.get(name);
  }

  remove(name: string, opts: { preserveFs?: boolean } = {}): Promise<void> {
    return remove(this.ctx, name, opts);
  }

  // ---- checkpoint and restart (checkpoint.ts) ------------------------------------------

  freeze(name: string, opts: { dir?: string } = {}): Promise<WparInfo> {
    return freeze(this.ctx, name, opts);
  }

  checkpoint(name: string, opts: CheckpointOptions): Promise<WparInfo | undefined> {
    return checkpoint(this.ctx, name, opts);
  }

  resume(name: string): Promise<WparInfo> {
    return resume(this.ctx, name);
  }

  kill(name: string): Promise<WparInfo | undefined> {
    return kill(this.ctx, name);
  }

  restart(name: string, opts: RestartOptions): Promise<RestartResult> {
    return restart(this.ctx, name, opts);
  }

  // ---- sessions inside a WPAR (sessions.ts) --------------------------------------------

  /** A command or login shell to run in an Active WPAR: the caller runs `file args` and closes it after. */
  openSession(name: string, opts: SessionOptions): Promise<Session> {
    return openSession(this.ctx, name, opts);
  }

  /** The sessions open in a WPAR now. */
  sessions(name: string): Promise<(SessionRecord & { pid: number })[]> {
    return openSessions(this.ctx, name);
  }

  // ---- live relocation (relocate/: the handshake is in transport.ts) -------------------

  /**
   * Departure: freezes the Active WPAR, detaches its network and dumps it into `opts.dir`
   * (memory as `opts.method` says); the frozen copy stays until the arrival copy runs with
   * all its memory (commit(), and for post-copy delivered()) or comes back to life (abort()).
   */
  relocateOut(name: string, opts: DepartureOptions): Promise<Departure> {
    return relocateOut(this.ctx, name, opts);
  }

  /**
   * Departure whose driver is gone (the agent died mid-way): 'arrived' once the arrival copy
   * runs with all its memory removes the copy here; 'stayed' (the arrival copy never ran, or
   * lost its post-copy memory source) lets it run here again. Idempotent.
   */
  settleRelocation(name: string, outcome: 'arrived' | 'stayed'): Promise<DepartureOutcome> {
    return settleDeparture(this.ctx, name, outcome);
  }

  /** Stop-and-copy arrival, before the departure dumps (see Arrivals.receivePages). */
  receivePages(name: string, opts: PageReceiverOptions): Promise<PageReceiver> {
    return this.arrivals.receivePages(name, opts);
  }

  /** Arrival, before the departure freezes: its network made ready (see Arrivals.prepare). */
  prepareArrival(input: WparSpec, method: MemoryMethod): Promise<void> {
    return this.arrivals.prepare(input, method);
  }

  /** Undoes prepareArrival when no relocateIn followed. */
  cancelArrival(name: string): Promise<void> {
    return this.arrivals.cancel(name);
  }

  /** Arrival: the WPAR runs here from the departure's images (see Arrivals.arrive). */
  relocateIn(name: string, opts: ArrivalOptions): Promise<Arrival> {
    return this.arrivals.arrive(name, opts);
  }
}
