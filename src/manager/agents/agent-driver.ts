// The system driver of a system whose agent is connected: each WPAR action is a request to
// its agent, answered with the state the WPAR is in afterwards and what the agent printed; a
// refusal keeps the agent's error code.
import type { DriverOptions, DriverResult, DriverSystem, DriverWpar, SystemAction, SystemDriver } from '../inventory/driver.js';
import { agentError, type AgentClient } from './agent-client.js';

export class AgentDriver implements SystemDriver {
  constructor(private readonly client: AgentClient, private readonly systemId: string) {}

  async perform(_system: DriverSystem, action: SystemAction, wpar: DriverWpar, opts: DriverOptions): Promise<DriverResult> {
    const r = await this.client.ask(this.systemId, {
      type: 'action',
      action,
      spec: wpar.spec,
      ...(opts.start !== undefined ? { start: opts.start } : {}),
      ...(opts.preserveFileSystems !== undefined ? { preserveFileSystems: opts.preserveFileSystems } : {}),
      ...(opts.changed ? { changed: opts.changed } : {}),
    }, { signal: opts.signal, log: opts.log });
    if (!r.state) {
      for (const line of r.output) opts.log?.(line);
      throw agentError(undefined, 'CAP-E1008');
    }
    return { state: r.state, output: r.output };
  }
}
