// What makes the database agree with what an agent reports: WPARs found on its system are
// discovered or updated, definitions deployed there that the system no longer has become
// Undeployed. The plan is a pure function of the two views (the WPAR store applies it);
// WPARs a task is acting on are left to that task (it records the outcome itself).
// A report is evidence, not an order: it never changes a definition's privileged fields
// (src/api/privileges.ts); a WPAR that runs with others than granted, or was found with some,
// is flagged until a WPARAdministrator accepts it.
import { isDeepStrictEqual } from 'node:util';
import type { WparReport } from '../../api/agents.js';
import { privilegesOf, samePrivileges, withPrivilegedFieldsOf } from '../../api/privileges.js';
import type { WparState } from '../../api/wpar-states.js';
import type { WparSpec } from '../../api/wpar.js';

export interface KnownWpar {
  id: string;
  name: string;
  state: WparState;
  stateReason: string | null;
  systemId: string | null;
  busy: boolean;
  spec: WparSpec;
  /** Its privileged fields await a WPARAdministrator's acceptance. */
  unaccepted: boolean;
}

export type ReconcileStep =
  /** Known here: its state, reason or definition changed on the system. */
  | { kind: 'update'; id: string; state: WparState; reason: string | null; spec: WparSpec; unaccepted: boolean }
  /** Found here, and a definition of that name deployed nowhere: it is that one. */
  | { kind: 'adopt'; id: string; state: WparState; reason: string | null; spec: WparSpec; unaccepted: boolean }
  /** Found here and unknown to the manager (made with the local commands). */
  | { kind: 'discover'; state: WparState; reason: string | null; spec: WparSpec; unaccepted: boolean }
  /** Deployed here according to the manager, gone from the system. */
  | { kind: 'vanished'; id: string }
  /** Found here, but the manager has it deployed on another system. */
  | { kind: 'conflict'; name: string; otherSystemId: string };

/** `known`: every WPAR deployed on the system, and every WPAR named in the report. */
export function planReconcile(systemId: string, known: KnownWpar[], reports: WparReport[]): ReconcileStep[] {
  const byName = new Map(known.map((w) => [w.name, w]));
  const reported = new Set(reports.map((r) => r.name));
  const steps: ReconcileStep[] = [];
  for (const r of reports) {
    const reason = r.state === 'Broken' ? r.brokenReason ?? 'broken on its system' : null;
    const w = byName.get(r.name);
    if (!w) {
      steps.push({ kind: 'discover', state: r.state, reason, spec: r.spec, unaccepted: privilegesOf(r.spec).length > 0 });
      continue;
    }
    const spec = withPrivilegedFieldsOf(w.spec, r.spec);
    const unaccepted = w.unaccepted || !samePrivileges(w.spec, r.spec);
    if (w.busy) {
      continue;
    } else if (w.systemId === systemId) {
      if (w.state !== r.state || w.stateReason !== reason || w.unaccepted !== unaccepted || !isDeepStrictEqual(w.spec, spec)) {
        steps.push({ kind: 'update', id: w.id, state: r.state, reason, spec, unaccepted });
      }
    } else if (w.systemId === null) {
      steps.push({ kind: 'adopt', id: w.id, state: r.state, reason, spec, unaccepted });
    } else {
      steps.push({ kind: 'conflict', name: r.name, otherSystemId: w.systemId });
    }
  }
  for (const w of known) {
    if (w.systemId === systemId && !w.busy && !reported.has(w.name)) steps.push({ kind: 'vanished', id: w.id });
  }
  return steps;
}
