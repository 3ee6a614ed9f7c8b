// A state as text with a colour: the colour helps, the text carries the meaning.
export function StateBadge({ state }: { state: string }) {
  return <span className={`badge badge-${state.toLowerCase()}`}>{state}</span>;
}
