// The engine the local commands drive: the host's, configured from the environment
// like the agent's (see agent/host-engine.ts).
import type { Engine } from '../../agent/engine/index.js';
import { hostEngine } from '../../agent/host-engine.js';

export function openEngine(): Engine {
  return hostEngine().engine;
}
