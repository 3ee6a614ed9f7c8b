// The test runner ends a file that overruns its limit with SIGTERM, before any after() hook.
// What a file made on the machine (processes, bridges, namespaces, mounts, containers) is
// registered here as well, and removed then too, so the next run starts clean.
const cleanups = new Set<() => unknown>();

function onTerm(): void {
  void Promise.allSettled([...cleanups].map(async (c) => c())).finally(() => process.exit(143));
}

/** Runs `cleanup` if the file is terminated; the returned function takes it back (once done normally). */
export function alsoOnTermination(cleanup: () => unknown): () => void {
  if (cleanups.size === 0) process.once('SIGTERM', onTerm);
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) process.removeListener('SIGTERM', onTerm);
  };
}
