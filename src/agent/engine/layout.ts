// Where the engine keeps things under its root. One directory per WPAR, so removing a
// WPAR is removing its directory; runc's own state lives beside them under runc/.
import { join } from 'node:path';

export const DEFAULT_ENGINE_ROOT = '/var/lib/capstan/engine';

export function engineRootFromEnv(): string {
  return process.env.CAPSTAN_ENGINE_ROOT || DEFAULT_ENGINE_ROOT;
}

/** Lower-case letters, digits and dashes: it becomes part of namespace and cgroup names. */
const SCOPE_PATTERN = /^[a-z0-9][a-z0-9-]{0,15}$/;

/** $CAPSTAN_ENGINE_SCOPE, or none (the machine's own engine). */
export function engineScopeFromEnv(): string {
  return process.env.CAPSTAN_ENGINE_SCOPE ?? '';
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
  /** CRIU's work directory and the reports of its helpers while the WPAR moves (see relocate/transport.ts). */
  relocation: string;
  /** CRIU's configuration for this container; there only while a relocation dumps or restores it (see relocate/criu-config.ts). */
  criuConfig: string;
  /**
   * The checkpoint a pause takes when given no state directory (the manager's pause). It is
   * the only checkpoint the engine keeps of its own: one per WPAR at most, replaced by the
   * next pause, removed on resume, on the WPAR's end and with the WPAR — so this host holds
   * no more of them than it has WPARs.
   */
  pauseCheckpoint: string;
}

export class Layout {
  /**
   * `scope` sets apart the machine-wide names (network namespaces, cgroups) of an engine that
   * shares the machine with others, such as a lab host's: two of them may hold WPARs of the
   * same name. The machine's own engine has none.
   */
  constructor(readonly root: string, readonly scope = '') {
    if (scope !== '' && !SCOPE_PATTERN.test(scope)) throw new Error(`engine scope ${JSON.stringify(scope)} must match ${SCOPE_PATTERN.source}`);
  }

  /** The cgroup that holds all of this engine's WPARs. */
  get cgroupParent(): string {
    return this.scope ? `/capstan-${this.scope}` : '/capstan';
  }

  /** The network namespace name of a WPAR. */
  netns(name: string): string {
    return this.scope ? `capstan-${this.scope}-${name}` : `capstan-${name}`;
  }

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
      relocation: join(dir, 'relocation'),
      criuConfig: join(dir, 'criu.conf'),
      pauseCheckpoint: join(dir, 'pause-checkpoint'),
    };
  }
}
