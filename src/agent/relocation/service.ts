// An agent's part in live relocation, either side of it. The manager tells the arrival agent
// what to expect, then the departure agent to move the WPAR; the two agents then talk to each
// other over mutual TLS: the checkpoint images and writable layer as one stream, and CRIU's
// page traffic through tunnels (tunnel.ts). The manager settles what an interruption leaves
// (settle): this agent keeps its copy, drops it, or says what state it is in.
import { spawn } from 'node:child_process';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { CapstanError, isCapstanError } from '../../api/errors.js';
import type { ArriveRequest, Arrived, DepartRequest, ImageTransport, MemoryMethod, RelocationPeer, SettleRequest } from '../../api/relocation.js';
import type { WparSpec } from '../../api/wpar.js';
import type { AgentIdentity } from '../control/config.js';
import type { Departure, Engine, EngineState, PageReceiver } from '../engine/index.js';
import { readJsonIfExists, writeJsonAtomic } from '../engine/json-file.js';
import { runOk } from '../exec.js';
import { freePort } from '../net/ports.js';
import { sendStream } from './peer.js';
import { forwarder, TunnelTargets } from './tunnel.js';

/** How far an arriving relocation got here: restoring, resumed, or resumed and then removed for want of its memory. */
type Step = 'restoring' | 'resumed' | 'broken';

interface Arrival {
  spec: WparSpec;
  method: MemoryMethod;
  departure: RelocationPeer;
  /** Where the WPAR is restored from: images, layer and (stop-and-copy) memory. */
  dir: string;
  /** Through a shared state directory: where the departure leaves the images and layer. */
  shared?: string;
  /** Stop-and-copy: CRIU's page server here, which the departure's dump fills. */
  pages?: PageReceiver;
  closers: (() => void)[];
}

export interface SettleOutcome {
  state?: EngineState;
  output: string[];
}

export class RelocationAgent {
  readonly tunnels = new TunnelTargets();
  private readonly arrivals = new Map<string, Arrival>();
  private readonly departures = new Map<string, { name: string; dir: string; handle: Departure; closers: (() => void)[] }>();
  /**
   * This agent's running part of each relocation (the departure's move, the arrival's
   * restore). A manager that restarted mid-move settles while it may still run: settling
   * waits for it, so it never undoes what is half done.
   */
  private readonly underWay = new Map<string, Promise<unknown>>();

  constructor(
    private readonly engine: Engine,
    private readonly identity: () => AgentIdentity,
    /** Where images are received and relocation logs kept (the seed's state path). */
    private readonly stateDir: string,
    /** A state directory shared with other hosts, if configured (host/shared-state.ts). */
    private readonly sharedDir: string | undefined,
    private readonly log: Logger,
  ) {}

  /** A relocation's images and layer: in this host's state path, or in the shared state directory. */
  private workDir(relocationId: string, transport: ImageTransport = 'agents'): string {
    if (transport === 'agents') return join(this.stateDir, 'relocations', relocationId);
    if (!this.sharedDir) throw new CapstanError('CAP-E0921', 'this host has no shared state directory (capstan agent shared-state)');
    return join(this.sharedDir, 'relocations', relocationId);
  }

  /** Removes a relocation's images and layer, wherever they were kept. */
  private async clear(relocationId: string): Promise<void> {
    await rm(this.workDir(relocationId), { recursive: true, force: true });
    if (this.sharedDir) await rm(this.workDir(relocationId, 'sharedStateDir'), { recursive: true, force: true });
  }

  /**
   * What this host holds of an arriving relocation, kept on disk so that a restarted agent
   * still knows which WPAR of that name the relocation made (and never takes another for it).
   */
  private marker(relocationId: string): string {
    return join(this.stateDir, 'relocations', `${relocationId}.json`);
  }

  private async mark(relocationId: string, name: string, step: Step): Promise<void> {
    await mkdir(join(this.stateDir, 'relocations'), { recursive: true });
    await writeJsonAtomic(this.marker(relocationId), { name, step });
  }

  private async marked(relocationId: string, name: string): Promise<Step | undefined> {
    const m = await readJsonIfExists<{ name: string; step: Step }>(this.marker(relocationId));
    return m?.name === name ? m.step : undefined;
  }

  /** The seed's relocation log: <state path>/<WPAR>/<departure host>/mcr.log, on both sides. */
  private async note(name: string, departureHost: string, line: string): Promise<void> {
    const dir = join(this.stateDir, name, departureHost);
    await mkdir(dir, { recursive: true });
    await appendFile(join(dir, 'mcr.log'), `${new Date().toISOString()} ${line}\n`);
  }

  async arrive(req: ArriveRequest): Promise<string[]> {
    const name = req.spec.name;
    const existing = await this.engine.get(name);
    if (existing) throw new CapstanError('CAP-E1010', `${name} is here already (${existing.state})`);
    const shared = req.transport === 'sharedStateDir' ? this.workDir(req.relocationId, req.transport) : undefined;
    // Post-copy restores straight from the shared directory; stop-and-copy where its page server writes.
    const dir = shared && req.method === 'postCopy' ? shared : this.workDir(req.relocationId);
    const arrival: Arrival = { spec: req.spec, method: req.method, departure: req.departure, dir, ...(shared ? { shared } : {}), closers: [] };
    // What the restore would otherwise do while the WPAR is frozen (its network, checks).
    await this.engine.prepareArrival(req.spec, req.method);
    try {
      if (dir !== shared) {
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
      }
      if (req.method === 'stopAndCopy') {
        arrival.pages = await this.engine.receivePages(name, { dir });
        this.tunnels.register(req.relocationId, arrival.pages.listen.port, req.departure.systemId);
      }
    } catch (e) {
      await this.engine.cancelArrival(name);
      throw e;
    }
    this.arrivals.set(req.relocationId, arrival);
    await this.note(name, req.departure.host, `relocation ${req.relocationId}: expecting ${name} from ${req.departure.host} (${req.method})`);
    return [`ready to receive ${name} from ${req.departure.host} (${req.method})`];
  }

  /**
   * The departure agent's stream of images and layer (empty when they are in the shared
   * directory): unpacked and restored here. Answered once the WPAR runs here with all of its
   * memory; a failure leaves nothing of it here.
   */
  receive(relocationId: string, peerSystemId: string | undefined, body: Readable): Promise<Arrived> {
    return this.track(relocationId, this.receiveNow(relocationId, peerSystemId, body));
  }

  private async receiveNow(relocationId: string, peerSystemId: string | undefined, body: Readable): Promise<Arrived> {
    const a = this.arrivals.get(relocationId);
    if (!a || a.departure.systemId !== peerSystemId) throw new CapstanError('CAP-E0921', `no relocation ${relocationId} from this peer`);
    const name = a.spec.name;
    try {
      // Post-copy: the way to the departure's page server is made while the images unpack.
      const fwd = a.method === 'postCopy' ? forwarder(this.identity(), a.departure, relocationId) : undefined;
      if (fwd) a.closers.push(() => void fwd.then((f) => f.close(), () => undefined));
      if (!a.shared) await untar(body, a.dir);
      else {
        body.resume();
        if (a.dir !== a.shared) await runOk('cp', ['-a', `${a.shared}/.`, a.dir]);
      }
      await a.pages?.received;
      const pageSource = fwd ? { host: '127.0.0.1', port: (await fwd).port } : undefined;
      await this.mark(relocationId, name, 'restoring');
      const arrival = await this.engine.relocateIn(name, { dir: a.dir, method: a.method, pageSource });
      await this.mark(relocationId, name, 'resumed');
      await this.note(name, a.departure.host, `relocation ${relocationId}: ${name} resumed here`);
      await arrival.pagesArrived;
      await this.note(name, a.departure.host, `relocation ${relocationId}: all of ${name}'s memory is here`);
      this.forgetArrival(relocationId, a);
      return { resumedAt: arrival.resumedAt };
    } catch (e) {
      await this.note(name, a.departure.host, `relocation ${relocationId}: failed here: ${(e as Error).message}`);
      const resumed = (await this.marked(relocationId, name)) === 'resumed';
      await this.dropArrival(relocationId, name);
      // It ran here, then its memory stopped coming: the manager must know pages were owed.
      if (resumed) await this.mark(relocationId, name, 'broken');
      throw isCapstanError(e) ? e : new CapstanError('CAP-E0922', (e as Error).message);
    }
  }

  depart(req: DepartRequest): Promise<string[]> {
    return this.track(req.relocationId, this.departNow(req));
  }

  private async departNow(req: DepartRequest): Promise<string[]> {
    const dir = this.workDir(req.relocationId, req.transport);
    await rm(dir, { recursive: true, force: true });
    const closers: (() => void)[] = [];
    const me = req.departureHost;
    let pageServer: { host: string; port: number };
    if (req.method === 'stopAndCopy') {
      // The dump connects out: to the arrival's page server, through a tunnel.
      const fwd = await forwarder(this.identity(), req.arrival, req.relocationId);
      closers.push(fwd.close);
      pageServer = { host: '127.0.0.1', port: fwd.port };
    } else {
      // The arrival's lazy-pages daemon connects in: to the page server the dump leaves here.
      pageServer = { host: '127.0.0.1', port: await freePort() };
      this.tunnels.register(req.relocationId, pageServer.port, req.arrival.systemId);
    }
    await this.note(req.name, me, `relocation ${req.relocationId}: to ${req.arrival.host} (${req.method})`);
    const started = Date.now();
    const handle = await this.engine.relocateOut(req.name, { dir, method: req.method, pageServer, ...(req.endSessions ? { endSessions: req.endSessions } : {}) });
    this.departures.set(req.relocationId, { name: req.name, dir, handle, closers });
    try {
      await handle.imagesReady;
    } catch (e) {
      this.forgetDeparture(req.relocationId);
      throw e;
    }
    let arrived: Arrived;
    try {
      arrived = await sendStream<Arrived>(this.identity(), req.arrival, `/relocations/${req.relocationId}/images`, req.transport === 'sharedStateDir' ? Readable.from([]) : tar(dir));
    } catch (e) {
      // Refused by the arrival, which removed what it had: the WPAR carries on here. A cut
      // transfer leaves it frozen here for the manager to settle: it may run there.
      if (isCapstanError(e) && e.code !== 'CAP-E0920') await this.keepDeparture(req.relocationId);
      await this.note(req.name, me, `relocation ${req.relocationId}: failed: ${(e as Error).message}`);
      throw e;
    }
    await this.completeDeparture(req.relocationId);
    const frozenMs = arrived.resumedAt - handle.frozenAt;
    const line = `${req.name} runs on ${req.arrival.host}: frozen ${frozenMs} ms, ${Date.now() - started} ms in all (${req.method})`;
    await this.note(req.name, me, `relocation ${req.relocationId}: ${line}`);
    return [line];
  }

  /**
   * keep: the WPAR runs here (a departure brought back); drop: whatever the relocation left
   * here goes (a departure's copy once the arrival runs, or what arrived); probe: the state
   * of the copy the relocation made here, none when it made none (a WPAR of the same name
   * that was here before is not it).
   */
  async settle(req: SettleRequest): Promise<SettleOutcome> {
    await this.underWay.get(req.relocationId);
    const output: string[] = [];
    const here = await this.engine.get(req.name);
    const arrived = await this.marked(req.relocationId, req.name);
    if (req.outcome === 'probe') {
      if (arrived === 'broken') return { state: 'Broken', output: [`${req.name} resumed here, then its memory stopped coming; it was removed`] };
      return { ...(arrived === 'resumed' && here ? { state: here.state } : {}), output };
    }
    if (req.outcome === 'keep' && here) {
      if (this.departures.has(req.relocationId)) await this.keepDeparture(req.relocationId);
      else if (!arrived) await this.engine.settleRelocation(req.name, 'stayed');
      await rm(this.marker(req.relocationId), { force: true });
      output.push(`${req.name} runs here`);
    } else if (req.outcome === 'drop') {
      if (this.arrivals.has(req.relocationId) || arrived) {
        await this.dropArrival(req.relocationId, req.name);
        if (arrived && arrived !== 'broken' && (await this.engine.get(req.name))) await this.engine.remove(req.name);
      } else if (this.departures.has(req.relocationId)) {
        await this.completeDeparture(req.relocationId);
      } else if (here) {
        await this.engine.settleRelocation(req.name, 'arrived');
      } else {
        // An arrival prepared by this agent before it restarted.
        await this.engine.cancelArrival(req.name);
      }
      if (here && !(await this.engine.get(req.name))) output.push(`${req.name} removed from here`);
      await this.clear(req.relocationId);
      await rm(this.marker(req.relocationId), { force: true });
    }
    const state = (await this.engine.get(req.name))?.state;
    return { ...(state ? { state } : {}), output };
  }

  private track<T>(relocationId: string, work: Promise<T>): Promise<T> {
    const ended = work.then(() => undefined, () => undefined);
    this.underWay.set(relocationId, ended);
    void ended.then(() => {
      if (this.underWay.get(relocationId) === ended) this.underWay.delete(relocationId);
    });
    return work;
  }

  /** The arrival copy runs with all of its memory: the copy here goes. */
  private async completeDeparture(relocationId: string): Promise<void> {
    const d = this.departures.get(relocationId);
    if (!d) return;
    await d.handle.commit();
    if (d.handle.method === 'postCopy') await d.handle.delivered();
    await d.handle.finished;
    this.forgetDeparture(relocationId);
    await this.clear(relocationId);
  }

  private async keepDeparture(relocationId: string): Promise<void> {
    const d = this.departures.get(relocationId);
    if (!d) return;
    await d.handle.abort();
    this.forgetDeparture(relocationId);
    await this.clear(relocationId);
  }

  private forgetDeparture(relocationId: string): void {
    this.departures.get(relocationId)?.closers.forEach((c) => c());
    this.departures.delete(relocationId);
    this.tunnels.unregister(relocationId);
  }

  private forgetArrival(relocationId: string, a: Arrival): void {
    a.closers.forEach((c) => c());
    this.arrivals.delete(relocationId);
    this.tunnels.unregister(relocationId);
    void rm(a.dir, { recursive: true, force: true });
  }

  private async dropArrival(relocationId: string, name: string): Promise<void> {
    const a = this.arrivals.get(relocationId);
    if (!a) return;
    this.forgetArrival(relocationId, a);
    await a.pages?.cancel();
    await this.engine.cancelArrival(name);
    // Only what this relocation restored here (relocateIn leaves nothing when it fails).
    if ((await this.marked(relocationId, name)) && (await this.engine.get(name))) await this.engine.remove(name);
    await rm(this.marker(relocationId), { force: true });
  }
}

/** A directory as a tar stream. */
function tar(dir: string): Readable {
  const p = spawn('tar', ['-C', dir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'ignore'] });
  p.on('close', (code) => {
    if (code !== 0) p.stdout.destroy(new CapstanError('CAP-E0920', `packing ${dir} failed (tar exited ${code})`));
  });
  return p.stdout;
}

function untar(body: Readable, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('tar', ['-C', dir, '-xf', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // tar ending early (bad input) is reported by its exit status below.
    p.stdin.on('error', () => undefined);
    body.pipe(p.stdin);
    body.on('error', (e) => p.kill() && reject(new CapstanError('CAP-E0920', e.message)));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new CapstanError('CAP-E0920', `unpacking the images failed: ${err.trim()}`))));
  });
}
