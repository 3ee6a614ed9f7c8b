// The engine's only way to touch containers: runc with the engine's own state root.
// The long-running `runc run` / `runc restore` belong to the supervisor (start-supervised.ts);
// everything here returns when runc does.
import { CapstanError } from '../../api/errors.js';
import { run } from '../exec.js';

export type RuncStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface RuncState {
  id: string;
  pid: number;
  status: RuncStatus;
  bundle: string;
}

/** The part of runc's stats event the engine reports. */
interface RuncStats {
  cpu?: { usage?: { total?: number } };
  memory?: { usage?: { usage?: number } };
  pids?: { current?: number };
  blkio?: { ioServiceBytesRecursive?: { op?: string; value?: number }[] };
}

export interface WparStats {
  /** CPU time used since the container started, in nanoseconds. */
  cpuUsageNs: number;
  memoryUsageBytes: number;
  processes: number;
  /** Bytes read from and written to block devices since the container started. */
  diskReadBytes: number;
  diskWriteBytes: number;
}

/** CRIU options the engine always wants: open TCP connections and file locks move with a WPAR. */
const CRIU_OPTIONS = ['--tcp-established', '--file-locks', '--manage-cgroups-mode', 'soft'];

export class Runc {
  constructor(
    readonly root: string,
    /** The CRIU binary; only checkpoint and restore need it. */
    readonly criu?: string,
  ) {}

  /** Global options, first on every runc command line. */
  globalArgs(): string[] {
    return ['--root', this.root, ...(this.criu ? ['--criu', this.criu] : [])];
  }

  private async ok(args: string[], input?: string): Promise<string> {
    const r = await run('runc', [...this.globalArgs(), ...args], input === undefined ? {} : { input });
    if (r.code !== 0) throw new CapstanError('CAP-E1008', `runc ${args[0]}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  /** runc's view of one container, or undefined when runc does not know it. */
  async state(id: string): Promise<RuncState | undefined> {
    const r = await run('runc', [...this.globalArgs(), 'state', id]);
    if (r.code !== 0) return undefined;
    return JSON.parse(r.stdout) as RuncState;
  }

  async list(): Promise<RuncState[]> {
    const out = await this.ok(['list', '--format', 'json']);
    return (JSON.parse(out || 'null') as RuncState[] | null) ?? [];
  }

  /** One sample of the container's usage (`runc events --stats`, the same on cgroup v1 and v2). */
  async stats(id: string): Promise<WparStats> {
    const out = await this.ok(['events', '--stats', id]);
    const data = (JSON.parse(out) as { data: RuncStats }).data;
    return {
      cpuUsageNs: data.cpu?.usage?.total ?? 0,
      memoryUsageBytes: data.memory?.usage?.usage ?? 0,
      processes: data.pids?.current ?? 0,
      diskReadBytes: ioBytes(data, 'read'),
      diskWriteBytes: ioBytes(data, 'write'),
    };
  }

  /** Changes a running container's cgroup settings (OCI linux.resources JSON). */
  async update(id: string, resources: Record<string, unknown>): Promise<void> {
    await this.ok(['update', '--resources', '-', id], JSON.stringify(resources));
  }

  async pause(id: string): Promise<void> {
    await this.ok(['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.ok(['resume', id]);
  }

  /** Signals every process of the container. */
  async kill(id: string, signal: string): Promise<void> {
    await this.ok(['kill', '--all', id, signal]);
  }

  /** Kills and removes the container; nothing to do (and no error) when runc does not know it. */
  async delete(id: string): Promise<void> {
    await this.ok(['delete', '--force', id]);
  }

  /** Dumps the container and leaves it running (or paused, if it was paused). */
  async checkpoint(id: string, imagePath: string, workPath: string): Promise<void> {
    const r = await run('runc', this.checkpointArgs(id, imagePath, workPath));
    if (r.code !== 0) throw new CapstanError('CAP-E1009', `runc checkpoint: ${(r.stderr || r.stdout).trim()}`);
  }

  /**
   * Arguments of a checkpoint that leaves the processes alive (paused, if they were). Memory
   * pages go to the images, or with `pageServer` to a CRIU page server at that address, or
   * with `lazyPages` stay behind to be served on demand from that address once CRIU writes
   * to `statusFd` (see relocate/departure-runner.ts).
   */
  checkpointArgs(id: string, imagePath: string, workPath: string, memory: { pageServer?: string; lazyPages?: boolean; statusFd?: number } = {}): string[] {
    return [
      ...this.globalArgs(), 'checkpoint', '--leave-running', ...CRIU_OPTIONS,
      ...(memory.pageServer ? ['--page-server', memory.pageServer] : []),
      ...(memory.lazyPages ? ['--lazy-pages'] : []),
      ...(memory.statusFd !== undefined ? ['--status-fd', String(memory.statusFd)] : []),
      '--image-path', imagePath, '--work-path', workPath, id,
    ];
  }

  /** Arguments of the foreground `runc run` a supervisor runs. */
  runArgs(id: string, bundle: string, pidFile: string): string[] {
    return [...this.globalArgs(), 'run', '--bundle', bundle, '--pid-file', pidFile, id];
  }

  /**
   * Arguments of the foreground `runc restore` a supervisor runs. With `lazyPages`, memory
   * comes on demand from the lazy-pages daemon listening in `workPath`.
   */
  restoreArgs(id: string, bundle: string, pidFile: string, imagePath: string, workPath: string, opts: { lazyPages?: boolean } = {}): string[] {
    return [
      ...this.globalArgs(), 'restore', ...CRIU_OPTIONS, ...(opts.lazyPages ? ['--lazy-pages'] : []),
      '--bundle', bundle, '--pid-file', pidFile, '--image-path', imagePath, '--work-path', workPath, id,
    ];
  }
}

function ioBytes(data: RuncStats, op: 'read' | 'write'): number {
  return (data.blkio?.ioServiceBytesRecursive ?? []).filter((e) => e.op?.toLowerCase() === op).reduce((n, e) => n + (e.value ?? 0), 0);
}
