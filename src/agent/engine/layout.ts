// Where the engine keeps things under its root. One directory per WPAR, so removing a
// WPAR is removing its directory; runc's own state lives beside them under runc/.
import { join } from 'node:path';

export const DEFAULT_ENGINE_ROOT = '/var/lib/capstan/engine';

export function engineRootFromEnv(): string {
  return process.env.CAPSTAN_ENGINE_ROOT || DEFAULT_ENGINE_ROOT;
}

export interface WparPaths {
  dir: string;
  record: string;
  lock: string;
  bundle: string;
  config: string;
  rootfs: string;
  upper: string;
  work: string;
  output: string;
  /** Written by runc once the container's process exists (run) or is restored. */
  pidFile: string;
  /** Written by the supervisor when runc ends: { runId, status }. */
  supervisorStatus: string;
}

export class Layout {
  constructor(readonly root: string) {}

  get runcRoot(): string {
    return join(this.root, 'runc');
  }

  get wparsDir(): string {
    return join(this.root, 'wpars');
  }

  /** Exit records of application WPARs that ended, kept until the agent reports them. */
  get exitsDir(): string {
    return join(this.root, 'exits');
  }

  /** Directories of WPARs being removed: moved here first, so that a WPAR is gone in one step. */
  get removingDir(): string {
    return join(this.root, 'removing');
  }

  /** Writable layers of removed system WPARs kept by remove({ preserveFs }). */
  preserved(name: string): string {
    return join(this.root, 'preserved', name);
  }

  exitRecord(name: string): string {
    return join(this.exitsDir, `${name}.json`);
  }

  wpar(name: string): WparPaths {
    const dir = join(this.wparsDir, name);
    const bundle = join(dir, 'bundle');
    return {
      dir,
      record: join(dir, 'record.json'),
      lock: join(dir, 'lock'),
      bundle,
      config: join(bundle, 'config.json'),
      rootfs: join(bundle, 'rootfs'),
      upper: join(dir, 'upper'),
      work: join(dir, 'work'),
      output: join(dir, 'output.log'),
      pidFile: join(dir, 'container.pid'),
      supervisorStatus: join(dir, 'supervisor-status.json'),
    };
  }
}

/** The network namespace name of a WPAR; the same on every host so mobility can recreate it. */
export function netnsName(name: string): string {
  return `capstan-${name}`;
}
