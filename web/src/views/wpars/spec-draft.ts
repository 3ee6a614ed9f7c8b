// A WPAR definition as a form holds it (numbers as typed text), and the two ways out of it:
// the CreateWparRequest the manager takes, and the messages of the shared schema about it.
import { CreateWparRequest, type WparView } from '../../../../src/api/wpar.js';
import { schemaErrors, type FieldErrors } from '../../lib/validation.js';

export interface InterfaceDraft { address: string; prefix: string; gateway: string; bridge: string }
export interface MountDraft { source: string; target: string; type: 'bind' | 'tmpfs'; readOnly: boolean }

export interface SpecDraft {
  name: string;
  type: 'system' | 'application';
  hostname: string;
  image: string;
  /** Arguments separated by spaces. */
  command: string;
  checkpointable: boolean;
  group: string;
  interfaces: InterfaceDraft[];
  mounts: MountDraft[];
  resources: { cpuShares: string; cpuLimit: string; memoryLimitMiB: string; processLimit: string };
  /** Deploy on this system right away ('' = keep it Undeployed). */
  system: string;
  start: boolean;
}

export const emptyDraft = (): SpecDraft => ({
  name: '',
  type: 'system',
  hostname: '',
  image: 'busybox',
  command: '',
  checkpointable: false,
  group: '',
  interfaces: [],
  mounts: [],
  resources: { cpuShares: '', cpuLimit: '', memoryLimitMiB: '', processLimit: '' },
  system: '',
  start: false,
});

export const emptyInterface = (): InterfaceDraft => ({ address: '', prefix: '24', gateway: '', bridge: '' });
export const emptyMount = (): MountDraft => ({ source: '', target: '', type: 'bind', readOnly: false });

const text = (n: number | undefined) => (n === undefined ? '' : String(n));

/** An existing WPAR as the template of a new one: everything but its name and placement. */
export function draftFrom(w: WparView): SpecDraft {
  return {
    ...emptyDraft(),
    type: w.type,
    hostname: '',
    image: w.image,
    command: w.command?.join(' ') ?? '',
    checkpointable: w.checkpointable,
    group: w.group.name,
    interfaces: w.interfaces.map((i) => ({ address: '', prefix: String(i.prefix), gateway: i.gateway ?? '', bridge: i.bridge ?? '' })),
    mounts: w.mounts.map((m) => ({ source: m.source, target: m.target, type: m.type, readOnly: m.readOnly })),
    resources: {
      cpuShares: text(w.resources.cpuShares),
      cpuLimit: text(w.resources.cpuLimit),
      memoryLimitMiB: text(w.resources.memoryLimitMiB),
      processLimit: text(w.resources.processLimit),
    },
  };
}

/** Empty text means "not set"; anything else must read as a number (or the schema says so). */
const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
const opt = (s: string) => (s.trim() === '' ? undefined : s.trim());

export function toRequest(d: SpecDraft): CreateWparRequest {
  const command = d.command.trim().split(/\s+/).filter(Boolean);
  const resources = Object.fromEntries(
    Object.entries(d.resources).map(([k, v]) => [k, num(v)]).filter(([, v]) => v !== undefined),
  );
  const req: Record<string, unknown> = {
    name: d.name.trim(),
    type: d.type,
    hostname: opt(d.hostname),
    image: d.image.trim(),
    command: command.length > 0 ? command : undefined,
    checkpointable: d.checkpointable,
    group: opt(d.group),
    interfaces: d.interfaces.map((i) => ({ address: i.address.trim(), prefix: num(i.prefix) ?? 24, gateway: opt(i.gateway), bridge: opt(i.bridge) })),
    mounts: d.mounts.map((m) => ({ source: m.source.trim(), target: m.target.trim(), type: m.type, readOnly: m.readOnly })),
    resources,
    system: opt(d.system),
    start: d.system ? d.start : undefined,
  };
  // JSON drops undefined, but the schema check sees it: take unset keys out, everywhere.
  return JSON.parse(JSON.stringify(req)) as CreateWparRequest;
}

/** Everything the console can tell before asking the manager, keyed by field path. */
export function validateDraft(d: SpecDraft): FieldErrors {
  const errors = schemaErrors(CreateWparRequest, toRequest(d));
  // The manager's own rule beyond the schema (CAP-E0205).
  if (d.type === 'application' && d.command.trim() === '') errors['/command'] ??= 'An application WPAR needs a command.';
  return errors;
}
