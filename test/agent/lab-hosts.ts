// What the lab tests share: commands on a lab host, its agent, and a known state to start each
// test from (hosts Online, agents running, compatibility tested, open for placement, no WPAR of
// the test's names), so that no test depends on the order of the others or on their leftovers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labHost } from '../../src/agent/lab/lab.js';
import { ok, type CliResult, type CliWorld } from '../cli/harness.js';
import { until } from '../helpers/until.js';

export const CLI_MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

interface SystemState { state: string; compatibilityTestedAt: string | null; placementBlocked: boolean }

export class LabHosts {
  constructor(private readonly w: CliWorld, readonly hosts: readonly number[]) {}

  /** A command run inside lab host N. */
  onHost(n: number, ...argv: string[]): Promise<CliResult> {
    return this.w.cli(['lab', 'exec', String(n), '--', ...argv]);
  }

  /** `capstan agent ARGS` as lab host N runs it. */
  agentCli(n: number, ...args: string[]): Promise<CliResult> {
    return this.onHost(n, process.execPath, '--import', 'tsx', CLI_MAIN, 'agent', ...args);
  }

  /** The pid of lab host N's agent while it runs, else undefined. */
  agentPid(n: number): number | undefined {
    let pid: number;
    try {
      pid = Number(readFileSync(join(labHost(n).agentDir, 'agent.pid'), 'utf8'));
      process.kill(pid, 0);
    } catch {
      return undefined;
    }
    return pid;
  }

  async startAgent(n: number): Promise<void> {
    ok(await this.agentCli(n, 'start'));
  }

  /** Lab host N's agent is SIGKILLed and started again. */
  async restartAgent(n: number): Promise<void> {
    const pid = this.agentPid(n);
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
    await this.startAgent(n);
  }

  /**
   * Every lab host of this world Online with its agent running, its compatibility tested, and
   * open for placement; waited for with a limit that fails by host name.
   */
  async ready(): Promise<void> {
    for (const n of this.hosts) {
      if (this.agentPid(n) === undefined) await this.startAgent(n);
      const name = `lab-h${n}`;
      await until(`${name} Online, tested and open for placement`, async () => {
        const s = await this.w.json<SystemState>(['system', 'show', name]);
        if (s.placementBlocked) ok(await this.w.cli(['system', 'restore', name]));
        return s.state === 'Online' && s.compatibilityTestedAt !== null && !s.placementBlocked;
      }, { within: 120_000, every: 500 });
    }
  }

  /** No WPAR of these names, in the manager or on any lab host. */
  async without(...names: string[]): Promise<void> {
    for (const name of names) {
      await until(`${name} gone from the manager and the lab hosts`, async () => {
        for (const n of this.hosts) await this.onHost(n, 'rmwpar', '-F', name);
        if ((await this.w.cli(['wpar', 'show', name])).code === 5) return true;
        await this.w.cli(['wpar', 'delete', name]);
        return false;
      }, { within: 90_000, every: 500 });
    }
  }
}
