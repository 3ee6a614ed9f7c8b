// The engine the local commands drive: the host's, configured from the environment
// (CAPSTAN_ENGINE_ROOT, CAPSTAN_IMAGE_ROOT, CAPSTAN_BRIDGE) like the agent's.
import { Engine, engineRootFromEnv } from '../../agent/engine/index.js';
import { ImageStore } from '../../agent/images/index.js';

export const DEFAULT_IMAGE_ROOT = '/var/lib/capstan/images';
export const DEFAULT_BRIDGE = 'capstan0';

export function openEngine(): Engine {
  return new Engine({
    root: engineRootFromEnv(),
    defaultBridge: process.env.CAPSTAN_BRIDGE || DEFAULT_BRIDGE,
    images: new ImageStore(process.env.CAPSTAN_IMAGE_ROOT || DEFAULT_IMAGE_ROOT),
  });
}
