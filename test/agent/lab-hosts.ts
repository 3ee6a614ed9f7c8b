// What the lab tests share: commands on a lab host, its agent, and a known state to start each
// test from (hosts Online, agents running, compatibility tested, open for placement, no WPAR of
// the test's names), so that no test depends on the order of the others or on their leftovers.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '../../src/agent/exec.js';
import { labHost } from '../../src/agent/lab/lab.js';
import { routes } from '../../src/api/routes/index.js';
import { ApiClient, ApiError, type Endpoint } from '../../src/client/api-client.js';
import { ok, type CliResult, type CliWorld } from '../cli/harness.js';
import { CLI_MAIN } from '../helpers/built-cli.js';
import { until } from '../helpers/until.js';

export class LabHosts {
  constructor(private readonly w: CliWorld, readonly hosts: readonly number[]) {}

  /** A command run inside lab host N. */
  onHost(n: number, ...argv: string[]): Promise<CliResult> {
    return this.w.cli(['lab', 'exec', String(n), '--', ...argv]);
  }

  /** `capstan agent ARGS` as lab host N runs it. */
  agentCli(n: number, ...args: string[]): Promise<CliResult> {
    return this.onHost(n, process.execPath, CLI_MAIN, 'agent', ...args);
  }

  /** The pid of lab host N's agent while it runs, else undefined. */
  agentPid(n: number): number | undefined {
    let pid: number;
    try {
      pid = Number(readFileSync(join(labHost(n).agentDir, 'agent.pid'), 'utf8'));
    } catch {
      return undefined;
    }
    return processAlive(pid) ? pid : undefined;
  }

  async startAgent(n: number): Promise<void> {
    ok(await this.agentCli(n, 'start'));
  }

  /** Lab host N's agent is SIGKILLed and started again. */
  async restartAgent(n: number): Promise<void> {
    const pid = this.agentPid(n);
    if (pid !== undefined) {
      process.kill(pid, 'SIGKILL');
      // SIGKILL is delivered, not waited for: the next start must not find it still there.
      await until(`lab-h${n}'s agent gone`, () => !processAlive(pid), { every: 20 });
    }
    await this.startAgent(n);
  }

  /** The API, straight from this process: a CLI run per probe costs seconds on a loaded machine. */
  private async api(): Promise<ApiClient> {
    this.client ??= new ApiClient(JSON.parse(await readFile(join(this.w.dir, 'cli.json'), 'utf8')) as Endpoint);
    return this.client;
  }

  private client?: ApiClient;

  /**
   * Every lab host of this world Online with its agent running, its compatibility tested, and
   * open for placement; waited for with a limit that fails by host name.
   */
  async ready(): Promise<void> {
    const api = await this.api();
    for (const n of this.hosts) {
      if (this.agentPid(n) === undefined) await this.startAgent(n);
      const name = `lab-h${n}`;
      await until(`${name} Online, tested and open for placement`, async () => {
        const s = await api.call(routes.systems.get, { params: { id: name } });
        if (s.placementBlocked) ok(await this.w.cli(['system', 'restore', name]));
        return s.state === 'Online' && s.compatibilityTestedAt !== null && !s.placementBlocked;
      }, { within: 120_000, every: 500 });
    }
  }

  /** No WPAR of these names, in the manager or on any lab host. */
  async without(...names: string[]): Promise<void> {
    const api = await this.api();
    const known = (name: string): Promise<boolean> => api.call(routes.wpars.get, { params: { id: name } }).then(() => true, (e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return false;
      throw e;
    });
    for (const name of names) {
      await until(`${name} gone from the manager and the lab hosts`, async () => {
        for (const n of this.hosts) {
          if (existsSync(join(labHost(n).engineRoot, 'wpars', name))) await this.onHost(n, 'rmwpar', '-F', name);
        }
        if (!(await known(name))) return true;
        await this.w.cli(['wpar', 'delete', name]);
        return false;
      }, { within: 90_000, every: 500 });
    }
  }
}
