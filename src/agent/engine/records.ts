// The engine's persisted view of each WPAR (one record.json per WPAR directory) and the
// exit records of application WPARs that have ended.
import { mkdir, readdir, rm } from 'node:fs/promises';
import type { WparSpec } from '../../api/wpar.js';
import type { WparState } from '../../api/wpar-states.js';
import { readJsonIfExists, readJsonIfExistsSync, writeJsonAtomic } from './json-file.js';
import type { Layout } from './layout.js';
import type { RelocationMethod } from './relocate/methods.js';
import type { PageEndpoint } from './relocate/transport.js';

/** The states a WPAR can have on a host (Undeployed means: not on this host). */
export type EngineState = Exclude<WparState, 'Undeployed'>;

/** What the engine asked runc to enforce; shown by get() and lswpar. */
export interface AppliedResources {
  cpuShares?: number;
  cpuQuotaUs?: number;
  cpuPeriodUs?: number;
  memoryLimitBytes?: number;
  memorySwapBytes?: number;
  pidsLimit?: number;
  capabilities: string[];
}

export interface WparRecord {
  spec: WparSpec;
  /** The last state the engine set; reconciled against runc whenever it is read. */
  state: EngineState;
  createdAt: string;
  resources: AppliedResources;
  /** Identifies the supervisor run that owns the container, so a late exit of an old run is ignored. */
  runId?: string;
  /** The operation in progress while Transitional (and who runs it, see lock.ts). */
  operation?: string;
  exitStatus?: number;
  brokenReason?: string;
  /** chkptwpar -f -d: where the later checkpoint of the frozen WPAR goes. */
  freezeStateDir?: string;
  /** A relocation away from this host under way (see relocate/departure.ts). */
  departure?: DepartureRecord;
  /** Post-copy arrival: memory still comes from the departure (see relocate/lazy-pages.ts). */
  arrivingPages?: ArrivingPages;
}

export interface DepartureRecord {
  method: RelocationMethod;
  dir: string;
  pageServer: PageEndpoint;
  /**
   * dumping: CRIU at work, the processes here frozen; dumped: the images are ready and the
   * copy here is kept, frozen, until the verdict; committed: the arrival copy runs (post-copy:
   * its memory still flows from here); delivered: post-copy, the arrival has all its memory.
   * The copy here goes after committed (stop-and-copy) or delivered (post-copy).
   */
  step: 'dumping' | 'dumped' | 'committed' | 'delivered';
  /** The detached shell that runs `runc checkpoint` (and its process group). */
  pid?: number;
}

export interface ArrivingPages {
  /** Tells this arrival apart from a later one, for the lazy-pages daemon's reaper. */
  token: string;
  /** The detached shell that runs `criu lazy-pages` (and its process group). */
  pid: number;
}

export interface ExitRecord {
  name: string;
  spec: WparSpec;
  exitStatus: number;
  endedAt: string;
}

export class RecordStore {
  constructor(private readonly layout: Layout) {}

  async read(name: string): Promise<WparRecord | undefined> {
    return readJsonIfExistsSync<WparRecord>(this.layout.wpar(name).record);
  }

  /** Into the WPAR's directory, which its maker created: a record never brings back a removed WPAR. */
  async write(record: WparRecord): Promise<void> {
    await writeJsonAtomic(this.layout.wpar(record.spec.name).record, record);
  }

  async names(): Promise<string[]> {
    try {
      return (await readdir(this.layout.wparsDir)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  async writeExit(exit: ExitRecord): Promise<void> {
    await mkdir(this.layout.exitsDir, { recursive: true });
    await writeJsonAtomic(this.layout.exitRecord(exit.name), exit);
  }

  readExit(name: string): Promise<ExitRecord | undefined> {
    return readJsonIfExists<ExitRecord>(this.layout.exitRecord(name));
  }

  async exits(): Promise<ExitRecord[]> {
    let files: string[];
    try {
      files = await readdir(this.layout.exitsDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const found = await Promise.all(
      files.filter((f) => f.endsWith('.json')).map((f) => readJsonIfExists<ExitRecord>(`${this.layout.exitsDir}/${f}`)),
    );
    return found.filter((e): e is ExitRecord => e !== undefined);
  }

  async clearExit(name: string): Promise<void> {
    await rm(this.layout.exitRecord(name), { force: true });
  }
}
