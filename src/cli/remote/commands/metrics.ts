// `capstan metrics`: metrics of a system or a WPAR over a time range, and the Prometheus
// export; and the system actions that ask an agent to report (discover, update profile).
import type { Command } from 'commander';
import { routes } from '../../../api/routes/index.js';
import { formatTable, print, printJson, when } from '../../output.js';
import { remote } from '../context.js';
import { finishTask, type WaitOptions, waitOption } from '../follow-task.js';

const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
const mib = (v: number): string => (v / 2 ** 20).toFixed(1);
const kbs = (v: number): string => (v / 1024).toFixed(1);

export function metricsCommands(program: Command): void {
  const metrics = program.command('metrics').description('Performance metrics of systems and WPARs (raw for a day, 5-minute means for 30 days)');
  for (const kind of ['system', 'wpar'] as const) {
    metrics.command(kind).description(`Metrics of a ${kind === 'system' ? 'managed system' : 'WPAR'} over a time range`)
      .argument('<name>', 'name or id')
      .option('--from <time>', 'ISO time (default: one hour before --to)')
      .option('--to <time>', 'ISO time (default: now)')
      .action(remote<{ from?: string; to?: string }>(async ({ client, json, opts, args }) => {
        const s = await client.call(routes[`${kind}s`].metrics, { params: { id: String(args[0]) }, query: { from: opts.from, to: opts.to } });
        if (json) return printJson(s);
        print(formatTable(
          ['Time', 'CPU (cores)', 'CPU', ...(kind === 'wpar' ? ['Effective CPU'] : []), 'Memory MiB', 'Processes', 'Net in KiB/s', 'Net out KiB/s', 'Disk read KiB/s', 'Disk write KiB/s'],
          s.points.map((p) => [when(p.t), p.cpuCores.toFixed(2), pct(p.cpuUtil), ...(kind === 'wpar' ? [pct(p.effectiveCpuUtil)] : []), mib(p.memoryBytes), Math.round(p.processes),
            kbs(p.netRxBytesPerSec), kbs(p.netTxBytesPerSec), kbs(p.diskReadBytesPerSec), kbs(p.diskWriteBytesPerSec)]),
        ) + `\n(${s.points.length} ${s.resolution === 'raw' ? '10-second samples' : '5-minute means'})`);
      }));
  }
  metrics.command('export').description('The Prometheus text export (what /metrics serves)')
    .action(remote(async ({ client }) => {
      const r = await client.request<string>('GET', routes.meta.prometheus.path, undefined, { accept: 'text/plain' }, '');
      process.stdout.write(r.body);
    }));

  const system = program.commands.find((c) => c.name() === 'system');
  if (!system) throw new Error('the system commands must be defined before the metrics commands');
  for (const [name, route, what] of [['discover', routes.systems.discover, 'Discover: ask the system\'s agent to report its WPARs again'], ['update-profile', routes.systems.updateProfile, 'Re-read the system\'s host profile']] as const) {
    waitOption(system.command(name).description(what).argument('<system>', 'name or id'))
      .action(remote<WaitOptions>(async (ctx) => {
        const task = await ctx.client.call(route, { params: { id: String(ctx.args[0]) } });
        return finishTask(ctx, task);
      }));
  }
}
