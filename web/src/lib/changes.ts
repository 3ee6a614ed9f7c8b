// Tells every list on screen that something changed (a task this console followed ended,
// or a change was made here), so it refreshes at once instead of at its next poll.
const listeners = new Set<() => void>();

export function announceChange(): void {
  listeners.forEach((l) => l());
}

export function onChange(l: () => void): () => void {
  listeners.add(l);
  return () => void listeners.delete(l);
}
