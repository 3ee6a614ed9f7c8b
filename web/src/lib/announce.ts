// Messages for screen readers that are not tied to a place on the page (a task ended, a
// change was submitted). The Announcer component renders them in a polite live region.
const listeners = new Set<(message: string) => void>();

export function announce(message: string): void {
  listeners.forEach((l) => l(message));
}

export function onAnnounce(l: (message: string) => void): () => void {
  listeners.add(l);
  return () => void listeners.delete(l);
}
