// The WPAR rules of the seed as pure functions: which action may run, what a modification
// may change in which state, and how a definition is derived from a template.
import { isDeepStrictEqual } from 'node:util';
import { CapstanError, type ErrorCode } from '../../api/errors.js';
import { ENDED_STATUSES, type TaskStatus } from '../../api/tasks.js';
import { MODIFIABLE_WHILE_DEPLOYED, refuseAction, type ActionRefusal, type WparAction, type WparState } from '../../api/wpar-states.js';
import { normalizeWparSpec, type CloneWparRequest, type ModifyWparRequest, type WparSpec } from '../../api/wpar.js';

const REFUSAL_CODE: Record<ActionRefusal, ErrorCode> = {
  state: 'CAP-E0200',
  type: 'CAP-E0203',
  checkpointable: 'CAP-E0202',
};

export interface WparFacts {
  name: string;
  state: WparState;
  type: 'system' | 'application';
  checkpointable: boolean;
}

/** Throws the stable refusal when `action` may not run on this WPAR now. */
export function assertActionAllowed(action: WparAction, wpar: WparFacts): void {
  const refusal = refuseAction(action, wpar);
  if (refusal) throw new CapstanError(REFUSAL_CODE[refusal], `${action} ${wpar.name} (${wpar.type}, ${wpar.state}${wpar.checkpointable ? ', checkpointable' : ''})`);
}

/** How long a request's claim may stand before its task exists; an older one was left by a crash. */
export const CLAIM_TTL_MS = 60_000;
const CLAIM_PREFIX = 'claim:';

/** What a request writes as the WPAR's busy holder until its task is submitted. */
export function newClaim(now: number, nonce: string): string {
  return `${CLAIM_PREFIX}${now}:${nonce}`;
}

/**
 * Whether a WPAR's busy holder still holds it: a task that has not ended, or a request's
 * fresh claim. A holder a crash left behind (a task that ended or is gone, a stale claim)
 * must not keep the WPAR busy for ever.
 */
export function holderIsLive(holder: string, now: number, task: { status: TaskStatus } | undefined): boolean {
  if (holder.startsWith(CLAIM_PREFIX)) return now - Number(holder.slice(CLAIM_PREFIX.length).split(':')[0]) < CLAIM_TTL_MS;
  return task !== undefined && !ENDED_STATUSES.includes(task.status);
}

/** A definition as far as modification is concerned: the spec and the group it belongs to. */
export interface Definition {
  spec: WparSpec;
  groupId: string;
}

/** The spec a modification asks for; null clears an optional property. Not yet validated. */
export function applyModification(spec: WparSpec, change: Omit<ModifyWparRequest, 'group'>): unknown {
  const next: Record<string, unknown> = { ...spec };
  for (const [key, value] of Object.entries(change)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next;
}

/** The top-level properties (spec keys and 'group') that differ. */
export function changedProperties(before: Definition, after: Definition): string[] {
  const keys = new Set([...Object.keys(before.spec), ...Object.keys(after.spec)]);
  const changed = [...keys].filter((k) => !isDeepStrictEqual(before.spec[k as keyof WparSpec], after.spec[k as keyof WparSpec]));
  if (before.groupId !== after.groupId) changed.push('group');
  return changed.sort();
}

/** Changed properties the state does not allow to change; anything goes while Undeployed. */
export function refusedChanges(state: WparState, changed: readonly string[]): string[] {
  if (state === 'Undeployed') return [];
  const allowed = MODIFIABLE_WHILE_DEPLOYED[state] ?? [];
  return changed.filter((k) => !allowed.includes(k));
}

/** Throws CAP-E0201 when a deployed WPAR's state does not allow these changes. */
export function assertChangesAllowed(wpar: WparFacts, changed: readonly string[]): void {
  const refused = refusedChanges(wpar.state, changed);
  if (refused.length) throw new CapstanError('CAP-E0201', `${refused.join(', ')} of ${wpar.name} (${wpar.state})`);
}

/** A change that only moves the WPAR to another group is the manager's business alone. */
export function changesTheSystem(state: WparState, changed: readonly string[]): boolean {
  return state !== 'Undeployed' && changed.some((k) => k !== 'group');
}

/** The spec of a WPAR created from a template: a new name and, when given, new addresses. */
export function specFromTemplate(template: WparSpec, req: Pick<CloneWparRequest, 'name' | 'hostname' | 'addresses'>): WparSpec {
  const spec: Record<string, unknown> = { ...structuredClone(template), name: req.name };
  // The template's host name belongs to the template.
  delete spec.hostname;
  if (req.hostname) spec.hostname = req.hostname;
  if (req.addresses) {
    if (req.addresses.length !== template.interfaces.length) {
      throw new CapstanError('CAP-E0001', `the template has ${template.interfaces.length} interface(s); ${req.addresses.length} address(es) given`);
    }
    spec.interfaces = template.interfaces.map((nic, i) => ({ ...nic, address: req.addresses![i]! }));
  }
  return normalizeWparSpec(spec);
}
