// The state of a WPAR as observed: the engine's record corrected by what runc says about
// the container. Pure, so the rules can be read (and tested) in one place.
import type { EngineState, WparRecord } from './records.js';
import type { RuncStatus } from './runc.js';

export interface Observed {
  state: EngineState;
  brokenReason?: string;
}

/**
 * @param runc the container's status, undefined when runc does not know it
 * @param busy whether a live process holds the WPAR's lock (an operation or a supervisor at work)
 */
export function observe(rec: WparRecord, runc: RuncStatus | undefined, busy: boolean): Observed {
  if (busy && rec.state === 'Transitional') return { state: 'Transitional' };
  if (rec.state === 'Broken') return { state: 'Broken', brokenReason: rec.brokenReason };
  if (rec.state === 'Transitional') {
    // A departure's copy here is still whole (frozen): settleRelocation decides where it runs on.
    const what = rec.departure ? `${rec.operation ?? 'relocate-out'} (${rec.departure.step}; settle it with settleRelocation)` : (rec.operation ?? 'an operation');
    return { state: 'Broken', brokenReason: `interrupted during ${what}` };
  }
  switch (runc) {
    case 'running':
      return { state: 'Active' };
    case 'paused':
      // runc knows only "paused"; the record tells a checkpoint-pause from a freeze.
      return { state: rec.state === 'Paused' ? 'Paused' : 'Frozen' };
    case 'created':
    case 'creating':
      return { state: 'Loaded' };
    default:
      if (rec.state === 'Defined') return { state: 'Defined' };
      // The container ended; its supervisor is settling the record right now.
      if (busy) return { state: 'Transitional' };
      return { state: 'Broken', brokenReason: 'the container ended and its supervisor did not record it' };
  }
}

/**
 * The container status a record stands for, where runc can confirm it by refusing otherwise:
 * the engine alone pauses and resumes its containers, and records that under the WPAR's lock.
 */
export function recordedStatus(state: EngineState): RuncStatus | undefined {
  if (state === 'Active') return 'running';
  if (state === 'Frozen' || state === 'Paused') return 'paused';
  return undefined;
}
