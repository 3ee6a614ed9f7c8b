// Independent steps of an operation run at the same time; its failure handling must not
// start cleaning up while one of them is still at work.

/** Waits for every step (undefined: a step not needed here); then throws the first failure, if any. */
export async function allSettledOrThrow(steps: (Promise<unknown> | undefined)[]): Promise<void> {
  const failed = (await Promise.allSettled(steps)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
