// The system driver of a system whose agent is connected: each WPAR action is a request on
// the control channel, answered with the state the WPAR is in afterwards and what the agent
// printed; a refusal keeps the agent's error code.
import { CapstanError, ERRORS, type ErrorCode } from '../../api/errors.js';
import type { DriverOptions, DriverResult, DriverSystem, DriverWpar, SystemAction, SystemDriver } from '../inventory/driver.js';
import type { AgentHub } from './hub.js';

export class AgentDriver implements SystemDriver {
  constructor(private readonly hub: AgentHub, private readonly systemId: string) {}

  async perform(_system: DriverSystem, action: SystemAction, wpar: DriverWpar, opts: DriverOptions): Promise<DriverResult> {
    const r = await this.hub.request(this.systemId, {
      type: 'action',
      action,
      spec: wpar.spec,
      ...(opts.start !== undefined ? { start: opts.start } : {}),
      ...(opts.preserveFileSystems !== undefined ? { preserveFileSystems: opts.preserveFileSystems } : {}),
      ...(opts.changed ? { changed: opts.changed } : {}),
    });
    if (!r.ok || !r.state) {
      for (const line of r.output) opts.log?.(line);
      const code = r.error && r.error.code in ERRORS ? (r.error.code as ErrorCode) : 'CAP-E1008';
      throw new CapstanError(code, r.error?.message.replace(/^[^:]*: /, '') ?? 'the agent gave no reason');
    }
    return { state: r.state, output: r.output };
  }
}
