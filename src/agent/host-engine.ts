// The engine of this host, as the local commands and the agent use it: configured by the
// agent's settings where it has them, else from the environment (CAPSTAN_ENGINE_ROOT,
// CAPSTAN_IMAGE_ROOT, CAPSTAN_BRIDGE), else the defaults.
import { join } from 'node:path';
import { agentDirFromEnv } from './control/config.js';
import { Engine, engineRootFromEnv } from './engine/index.js';
import { POLICY_FILE_NAME } from './engine/local-policy.js';
import { ImageStore } from './images/index.js';
import { DEFAULT_BRIDGE_ADDRESS, type HostNetwork } from './net/host-network.js';

export const DEFAULT_IMAGE_ROOT = '/var/lib/capstan/images';
export const DEFAULT_BRIDGE = 'capstan0';

export interface HostEngineSettings {
  engineRoot?: string;
  bridge?: string;
  bridgeAddress?: string | null;
  nat?: boolean;
  imageRoot?: string;
  /** Holds the host's local policy (policy.json); default: $CAPSTAN_AGENT_DIR or /etc/capstan/agent. */
  agentDir?: string;
}

const bridgeOf = (s: HostEngineSettings): string => s.bridge ?? (process.env.CAPSTAN_BRIDGE || DEFAULT_BRIDGE);

/** The host network the agent keeps: the default bridge gets the default gateway unless told otherwise. */
export function hostNetworkOf(s: HostEngineSettings): HostNetwork {
  const bridge = bridgeOf(s);
  const address = s.bridgeAddress === null ? undefined : s.bridgeAddress ?? (bridge === DEFAULT_BRIDGE ? DEFAULT_BRIDGE_ADDRESS : undefined);
  return { bridge, ...(address ? { address } : {}), nat: s.nat ?? false };
}

export function hostEngine(s: HostEngineSettings = {}): { engine: Engine; images: ImageStore } {
  const images = new ImageStore(s.imageRoot ?? (process.env.CAPSTAN_IMAGE_ROOT || DEFAULT_IMAGE_ROOT));
  const engine = new Engine({
    root: s.engineRoot ?? engineRootFromEnv(),
    defaultBridge: bridgeOf(s),
    images,
    policyFile: join(s.agentDir ?? agentDirFromEnv(), POLICY_FILE_NAME),
  });
  return { engine, images };
}
