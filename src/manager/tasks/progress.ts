// For tasks whose work reports progress far more often than is worth recording (a copy
// step per page, per chunk): records it when the whole percentage changes, in order,
// without making the reporting code wait.
import type { TaskContext } from './types.js';

export interface ProgressReporter {
  (fraction: number, message?: string): void;
  /** Resolves when everything reported is recorded; rejects if recording failed. */
  flush(): Promise<void>;
}

export function progressReporter(ctx: Pick<TaskContext, 'progress'>): ProgressReporter {
  let last = -1;
  let lastMessage: string | undefined;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  const report = (fraction: number, message?: string) => {
    const percent = Math.floor(fraction * 100);
    if (percent === last && message === lastMessage) return;
    last = percent;
    lastMessage = message;
    // Caught at once: a rejection nobody awaits yet would take the process down.
    chain = chain.then(() => ctx.progress(fraction, message)).catch((e: unknown) => {
      failure ??= e;
    });
  };
  const flush = async () => {
    await chain;
    if (failure !== undefined) throw failure;
  };
  return Object.assign(report, { flush });
}
