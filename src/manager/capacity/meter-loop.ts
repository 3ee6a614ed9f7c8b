// Runs the meter every few seconds while the manager runs: one run at a time, the next one
// `intervalMs` after the previous one ended. A run that fails is logged and the loop goes on.
import type { Logger } from 'pino';

export class MeterLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly run: () => Promise<void>, private readonly intervalMs: number, private readonly log: Logger) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop and waits for a run under way to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.running = this.run()
        .catch((e: unknown) => this.log.error({ err: e }, 'the capacity meter failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.intervalMs);
        });
    }, delay);
  }
}
