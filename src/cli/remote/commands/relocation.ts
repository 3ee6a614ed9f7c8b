// `capstan wpar relocate NAME [--to SYSTEM | --auto]`: live relocation through the manager,
// with the task's progress. A system less than fully compatible is relocated to only once
// confirmed (asked on a terminal, --yes in scripts).
import { Option, type Command } from 'commander';
import { STATE_LABELS } from '../../../api/compatibility.js';
import { MEMORY_METHODS, type RelocateRequest, type RelocationResult } from '../../../api/relocation.js';
import { routes } from '../../../api/routes/index.js';
import { UsageError } from '../../local/command.js';
import { note } from '../../output.js';
import { remote } from '../context.js';
import { finishTask, type WaitOptions, waitOption } from '../follow-task.js';
import { confirm } from '../prompt.js';

interface RelocateOptions extends WaitOptions {
  to?: string;
  auto?: boolean;
  yes?: boolean;
  method?: RelocateRequest['method'];
  force?: boolean;
}

export function evacuationCommands(system: Command): void {
  waitOption(system.command('evacuate').description('Relocate every WPAR off a system, each live to a compatible system with room; nothing is placed on it until it is restored')
    .argument('<system>', 'name or id'))
    .action(remote<WaitOptions>(async (ctx) => {
      const task = await ctx.client.call(routes.systems.evacuate, { params: { id: String(ctx.args[0]) } });
      return finishTask(ctx, task, (t) => {
        const r = t.result as { moved: { wpar: string; to: string }[] } | null;
        return `${t.target?.name ?? 'system'} evacuated${r ? `: ${r.moved.map((m) => `${m.wpar} → ${m.to}`).join(', ') || 'it held no WPAR'}` : ''}`;
      });
    }));

  system.command('restore').description('Let placement and relocation choose an evacuated system again')
    .argument('<system>', 'name or id')
    .action(remote(async ({ client, args }) => {
      await client.call(routes.systems.restore, { params: { id: String(args[0]) } });
      note(`${args[0]} takes WPARs again`);
    }));
}

export function relocationCommands(wpar: Command): void {
  waitOption(wpar.command('relocate').description('Move an Active WPAR live to another system, with its memory, processes, address and open connections')
    .argument('<name>', 'name or id')
    .option('--to <system>', 'the arrival system (manual selection)')
    .option('--auto', 'the best fully compatible system of the group\'s relocation domain (automatic selection)')
    .option('-y, --yes', 'relocate to a system that is less than fully compatible without asking')
    .option('--force', 'end the sessions open in the WPAR (clogin, wpar console), whose processes cannot move')
    .addOption(new Option('--method <method>', 'memory method (default: the best both systems support)').choices(MEMORY_METHODS)))
    .action(remote<RelocateOptions>(async (ctx) => {
      const { opts, client } = ctx;
      if (!opts.to === !opts.auto) throw new UsageError('give either --to SYSTEM or --auto');
      const name = ctx.args[0] as string;
      let confirmed = opts.yes ?? false;
      if (opts.to && !confirmed) {
        const targets = await client.call(routes.wpars.targets, { params: { id: name } });
        const other = targets.others.find((o) => o.system.name === opts.to || o.system.id === opts.to);
        if (other?.needsConfirmation) {
          if (!process.stdin.isTTY) throw new UsageError(`${other.system.name} is ${STATE_LABELS[other.state]}: give --yes to relocate there anyway`);
          confirmed = await confirm(`${other.system.name} is ${STATE_LABELS[other.state]}. Relocate ${name} there anyway?`);
          if (!confirmed) throw new UsageError('not confirmed: nothing was done');
        }
      }
      const body: RelocateRequest = { ...(opts.to ? { to: opts.to } : {}), ...(confirmed ? { confirm: true } : {}), ...(opts.method ? { method: opts.method } : {}), ...(opts.force ? { force: true } : {}) };
      const task = await client.call(routes.wpars.relocate, { params: { id: name }, body });
      return finishTask(ctx, task, (t) => `${t.target?.name ?? name} relocated to ${(t.result as RelocationResult | null)?.systemName ?? 'its arrival system'}`);
    }));
}
