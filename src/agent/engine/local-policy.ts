// The host's own privilege policy (`<agent-dir>/policy.json`): what no WPAR here may have,
// whoever asks — the manager, a local command, an arriving relocation. The manager checks
// roles; this keeps a host safe from a manager (or a definition) that gets it wrong.
import { readFile, realpath } from 'node:fs/promises';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { CapstanError } from '../../api/errors.js';
import { normalPath, pathWithin } from '../../api/privileges.js';
import { CAPABILITY_PATTERN, type WparSpec } from '../../api/wpar.js';
import { HOST_IMAGE } from './teardown.js';

export const POLICY_FILE_NAME = 'policy.json';

/** The file's form; a property left out keeps its default. */
export const LocalPolicy = Type.Object(
  {
    forbiddenMountSources: Type.Array(Type.String({ pattern: '^/' }), { description: 'host trees no bind mount may reach into or contain ("/" itself: the whole host)' }),
    forbiddenCapabilities: Type.Array(Type.String({ pattern: CAPABILITY_PATTERN })),
    allowHostImage: Type.Boolean({ description: 'whether an application WPAR may run on the host\'s / as its image' }),
  },
  { additionalProperties: false },
);
export type LocalPolicy = Static<typeof LocalPolicy>;

export const DEFAULT_LOCAL_POLICY: LocalPolicy = {
  forbiddenMountSources: ['/', '/var/lib/capstan', '/etc/capstan', '/proc', '/sys'],
  forbiddenCapabilities: ['CAP_SYS_MODULE'],
  allowHostImage: false,
};

/**
 * What in `spec` breaks the policy; empty when nothing does. `engineRoot` is always
 * forbidden. `sources` gives each bind mount source as the host resolves it (symbolic links
 * followed), so a link into a forbidden tree is caught.
 */
export function policyBreaches(spec: WparSpec, policy: LocalPolicy, engineRoot: string, sources: ReadonlyMap<string, string> = new Map()): string[] {
  const forbidden = [...policy.forbiddenMountSources, engineRoot].map(normalPath);
  const breaches: string[] = [];
  for (const m of spec.mounts) {
    if (m.type === 'tmpfs') continue;
    const source = normalPath(sources.get(m.source) ?? m.source);
    // Inside a forbidden tree, or containing one (a bind of /var holds /var/lib/capstan).
    const hit = forbidden.find((tree) => (tree !== '/' && pathWithin(source, tree)) || pathWithin(tree, source));
    if (hit) breaches.push(`mount source ${m.source}${source === m.source ? '' : ` (${source})`} reaches ${hit}`);
  }
  for (const cap of spec.privileges ?? []) {
    if (policy.forbiddenCapabilities.includes(cap)) breaches.push(`capability ${cap}`);
  }
  if (spec.image === HOST_IMAGE && !policy.allowHostImage) breaches.push('the host image');
  return breaches;
}

/** The policy in `file` over the defaults; the defaults when there is none (CAP-E0215 when it is not valid). */
export async function readLocalPolicy(file: string | undefined): Promise<LocalPolicy> {
  if (!file) return DEFAULT_LOCAL_POLICY;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_LOCAL_POLICY;
    throw new CapstanError('CAP-E0215', `${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CapstanError('CAP-E0215', `${file}: ${(e as Error).message}`);
  }
  const policy = { ...DEFAULT_LOCAL_POLICY, ...(typeof parsed === 'object' && parsed !== null ? parsed : { invalid: parsed }) };
  const error = Value.Errors(LocalPolicy, policy)[0];
  if (error) throw new CapstanError('CAP-E0215', `${file}: ${error.instancePath || 'policy'} ${error.message}`);
  return policy as LocalPolicy;
}

/** Refuses (CAP-E0214) a spec that breaks the host's policy, read afresh: an edit applies at once. */
export async function assertLocalPolicy(spec: WparSpec, policyFile: string | undefined, engineRoot: string): Promise<void> {
  const policy = await readLocalPolicy(policyFile);
  const sources = new Map<string, string>();
  for (const m of spec.mounts) {
    if (m.type !== 'tmpfs') sources.set(m.source, await realpath(m.source).catch(() => m.source));
  }
  const breaches = policyBreaches(spec, policy, engineRoot, sources);
  if (breaches.length > 0) throw new CapstanError('CAP-E0214', `${spec.name}: ${breaches.join('; ')}${policyFile ? ` (${policyFile})` : ''}`, { breaches });
}
