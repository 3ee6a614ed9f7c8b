// The exit records of application WPARs whose command ended, as they appear.
import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Layout } from './layout.js';
import type { ExitRecord, RecordStore } from './records.js';

/** Hands each new exit record to `onExit` once, until closed. */
export class ExitWatch {
  private watcher?: FSWatcher;
  private readonly reported = new Set<string>();

  constructor(
    private readonly layout: Layout,
    private readonly records: RecordStore,
    private readonly onExit: (exit: ExitRecord) => void,
  ) {}

  async start(): Promise<void> {
    if (this.watcher) return;
    await mkdir(this.layout.exitsDir, { recursive: true });
    const scan = async (): Promise<void> => {
      for (const exit of await this.records.exits()) {
        const key = `${exit.name}@${exit.endedAt}`;
        if (this.reported.has(key)) continue;
        this.reported.add(key);
        this.onExit(exit);
      }
    };
    this.watcher = watch(this.layout.exitsDir, () => void scan());
    this.watcher.unref();
    await scan();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** Waits for an application WPAR to end; undefined when it went away without an exit status (stopped, checkpointed). */
export async function waitExit(records: RecordStore, name: string): Promise<ExitRecord | undefined> {
  for (;;) {
    const exit = await records.readExit(name);
    if (exit) return exit;
    if (!(await records.read(name))) return records.readExit(name);
    await sleep(100);
  }
}
