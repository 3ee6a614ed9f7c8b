// The engine of this host, as the local commands and the agent use it: configured by the
// agent's settings where it has them, else from the environment (CAPSTAN_ENGINE_ROOT,
// CAPSTAN_IMAGE_ROOT, CAPSTAN_BRIDGE), else the defaults.
import { Engine, engineRootFromEnv } from './engine/index.js';
import { ImageStore } from './images/index.js';

export const DEFAULT_IMAGE_ROOT = '/var/lib/capstan/images';
export const DEFAULT_BRIDGE = 'capstan0';

export interface HostEngineSettings {
  engineRoot?: string;
  bridge?: string;
  imageRoot?: string;
}

export function hostEngine(s: HostEngineSettings = {}): { engine: Engine; images: ImageStore } {
  const images = new ImageStore(s.imageRoot ?? (process.env.CAPSTAN_IMAGE_ROOT || DEFAULT_IMAGE_ROOT));
  const engine = new Engine({
    root: s.engineRoot ?? engineRootFromEnv(),
    defaultBridge: s.bridge ?? (process.env.CAPSTAN_BRIDGE || DEFAULT_BRIDGE),
    images,
  });
  return { engine, images };
}
