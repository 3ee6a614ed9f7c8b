// The manager's only way to act on a managed system. The agent layer connects one driver per
// system while its agent is connected; an action on a system without one is refused, never
// simulated.
import type { WparSpec } from '../../api/wpar.js';
import type { AgentAction, WparState } from '../../api/wpar-states.js';

/** What a system can be asked to do with a WPAR. */
export type SystemAction = AgentAction;

export interface DriverSystem {
  id: string;
  name: string;
  host: string;
}

export interface DriverWpar {
  id: string;
  name: string;
  /** For modify: the spec with the changes applied. */
  spec: WparSpec;
}

export interface DriverOptions {
  /** deploy: start a system WPAR once created. */
  start?: boolean;
  /** remove: keep a system WPAR's root filesystem. */
  preserveFileSystems?: boolean;
  /** modify: the properties that changed. */
  changed?: string[];
  /** Aborted when the task is cancelled or the manager stops. */
  signal?: AbortSignal;
  /** Where a driver that fails puts what the system printed before it failed. */
  log?: (line: string) => void;
}

export interface DriverResult {
  /** The WPAR's state on the system once the action is done ('Undeployed': gone from it). */
  state: WparState;
  /** What the system printed, for the task's operation log. */
  output: string[];
}

export interface SystemDriver {
  perform(system: DriverSystem, action: SystemAction, wpar: DriverWpar, opts: DriverOptions): Promise<DriverResult>;
}

/** The drivers of the systems that are connected now. */
export class DriverRegistry {
  private readonly drivers = new Map<string, SystemDriver>();

  /** Connects the driver of a system; the returned function disconnects it. */
  connect(systemId: string, driver: SystemDriver): () => void {
    this.drivers.set(systemId, driver);
    return () => {
      if (this.drivers.get(systemId) === driver) this.drivers.delete(systemId);
    };
  }

  get(systemId: string): SystemDriver | undefined {
    return this.drivers.get(systemId);
  }
}
