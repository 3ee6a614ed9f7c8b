// The seed's WPAR state rules (api/wpar-states.ts) applied to the engine's records, with the
// engine's own error codes and messages.
import { CapstanError } from '../../api/errors.js';
import { refuseAction, stateAfter, type ActionRefusal, type WparAction } from '../../api/wpar-states.js';
import type { WparSpec } from '../../api/wpar.js';
import type { EngineState, WparRecord } from './records.js';

/** Whether the rules let `action` start on the WPAR as observed; null when they do. */
export function refusal(action: WparAction, rec: WparRecord): ActionRefusal | null {
  return refuseAction(action, { state: rec.state, type: rec.spec.type, checkpointable: rec.spec.checkpointable });
}

/** The state `action` leaves a WPAR of this host in (never one it leaves for good). */
export function settledState(action: WparAction, spec: WparSpec, opts: { start?: boolean } = {}): EngineState {
  const state = stateAfter(action, spec, opts);
  if (state === 'Undeployed' || state === 'deleted') throw new Error(`${action} leaves no WPAR on this host`);
  return state;
}

/**
 * Paused or frozen: the processes are held, so they cannot end by themselves. A forced stop
 * ends them; killwpar (the endProcesses rule) only those of a paused WPAR.
 */
export const HELD_STATES: readonly EngineState[] = ['Paused', 'Frozen'];

export function badState(rec: WparRecord, action: string): CapstanError {
  return new CapstanError('CAP-E1006', `cannot ${action} ${rec.spec.name}: it is ${rec.state}`);
}

export function mustBeCheckpointable(rec: WparRecord): void {
  if (!rec.spec.checkpointable) throw new CapstanError('CAP-E1002', rec.spec.name);
  // Its memory is not all here: CRIU would dump pages that never came.
  if (rec.arrivingPages) throw new CapstanError('CAP-E1001', `${rec.spec.name} is still receiving its memory from its last relocation`);
}
