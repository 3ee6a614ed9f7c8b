// Relocations as users run them: a manager and two lab hosts (`capstan lab up --hosts 2`),
// each move a `capstan wpar relocate` through the built CLI, so the images stream, the page
// tunnel and the arrival's preparation between the agents are all in the figure. The client
// that reads the WPAR's talker sits on this machine, on the lab bridge: outside both hosts.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { labHost } from '../../src/agent/lab/lab.js';
import { Layout } from '../../src/agent/engine/layout.js';
import { run } from '../../src/agent/exec.js';
import { freePort } from '../../src/agent/net/ports.js';
import type { RelocationMethod } from '../../src/agent/engine/index.js';
import type { Measure } from './measure.js';
import { silenceOf, TalkClient, talker } from './silence.js';
import { bootEpochMs, frozenMs, workload } from './ticks.js';

const CLI_MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const [FROM, TO] = [1, 2].map(labHost) as [ReturnType<typeof labHost>, ReturnType<typeof labHost>];

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

export class AgentsBench {
  private n = 0;
  private manager?: ReturnType<typeof spawn>;
  /** Each WPAR's address, where its talker answers. */
  private readonly addresses = new Map<string, string>();

  private constructor(private readonly dir: string) {}

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, CAPSTAN_CONFIG: join(this.dir, 'cli.json'), CAPSTAN_DATA_DIR: join(this.dir, 'data') };
  }

  /** `capstan ARGS` from the build; throws with its output unless it succeeded. */
  private async cli(args: string[], input = ''): Promise<Cli> {
    const r = await run(process.execPath, [CLI_MAIN, ...args], { env: this.env(), input });
    if (r.code !== 0) throw new Error(`capstan ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    return r;
  }

  /** A manager on a free port, logged in to, with lab hosts 1 and 2 Online. */
  static async up(dir: string): Promise<AgentsBench> {
    const b = new AgentsBench(dir);
    const port = await freePort();
    b.manager = spawn(process.execPath, [CLI_MAIN, 'manager', '--data-dir', join(dir, 'data'), '--host', '0.0.0.0', '--port', String(port), '--log-level', 'warn'], { stdio: 'ignore' });
    const password = join(dir, 'data', 'initial-admin-password');
    for (let i = 0; ; i++) {
      const first = await readFile(password, 'utf8').catch(() => '');
      if (first && (await b.cli(['login', `https://127.0.0.1:${port}`, '-u', 'admin', '--password-stdin', '--accept-certificate'], `${first.trim()}\nbench-pass-2\n`).then(() => true, () => false))) break;
      if (i > 600) throw new Error('the manager did not start in 60 s');
      await sleep(100);
    }
    await b.cli(['lab', 'up', '--hosts', '2']);
    return b;
  }

  /** A WPAR on lab-h1 with its memory touched and a second of ticks. */
  async ready(mib: number): Promise<string> {
    const name = `a${mib}x${this.n}`;
    const address = `10.240.4.${10 + (this.n++ % 200)}`;
    this.addresses.set(name, address);
    await this.cli(['wpar', 'create', name, '--system', FROM.name, '--start', '-c', '-N', `address=${address}/16`, '--', ...workload(mib, [talker()])]);
    const touched = join(new Layout(FROM.engineRoot).wpar(name).upper, 'touched');
    for (let i = 0; i < 3000 && (await run('test', ['-e', touched])).code !== 0; i++) await sleep(100);
    await sleep(1000);
    return name;
  }

  /** Relocates `name` from lab-h1 to lab-h2 through the manager; the WPAR is removed after. */
  async relocate(name: string, method: RelocationMethod): Promise<Measure> {
    const client = new TalkClient(this.addresses.get(name) as string);
    await client.receiving();
    const from = Date.now();
    const r = await this.cli(['wpar', 'relocate', name, '--to', TO.name, '--method', method]);
    const to = Date.now();
    await sleep(1000);
    client.close();
    const seen = silenceOf(client.lines, from, to + 1000);
    if (client.trouble.length > 1) console.error(`${name}: the client's connection broke: ${client.trouble.join(', ')}`);
    const engineFrozen = Number(/frozen (\d+) ms/.exec(r.stdout + r.stderr)?.[1] ?? Number.NaN);
    const ticks = await readFile(join(new Layout(TO.engineRoot).wpar(name).upper, 'ticks'), 'utf8');
    await this.remove(name);
    return {
      frozen: frozenMs(ticks, from, to + 1000, await bootEpochMs()), total: to - from, engineFrozen,
      silence: seen.longestMs, lostOrRepeated: seen.lost + seen.repeated + (client.trouble.length > 1 ? 1 : 0),
    };
  }

  async remove(name: string): Promise<void> {
    await this.cli(['wpar', 'stop', name]).catch(() => undefined);
    await this.cli(['wpar', 'remove', name, '--delete-definition']);
  }

  /** The lab hosts down and the manager stopped. */
  async down(): Promise<void> {
    await this.cli(['lab', 'down']).catch((e: unknown) => console.error('lab down:', e));
    this.manager?.kill('SIGTERM');
  }
}
