// Mobility's badges: a pair's compatibility state, and a system that takes no WPARs (it was
// evacuated). As with StateBadge, the colour helps and the text carries the meaning.
import { STATE_LABELS, type PairState } from '../../../../src/api/compatibility.js';

export function CompatibilityBadge({ state }: { state: PairState }) {
  return <span className={`badge badge-compat-${state}`}>{STATE_LABELS[state]}</span>;
}

export function PlacementBlockedBadge() {
  return <span className="badge badge-blocked">Evacuated — no placement</span>;
}
