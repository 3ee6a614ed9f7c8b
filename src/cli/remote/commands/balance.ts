// `capstan balance …`: the balancer through the manager. status (each group's mode, state and
// triggers, its last events), plan [GROUP] (a dry run: what would move now, why, with the
// numbers), events (the history), apply and dismiss (a recommendation).
import { Option, type Command } from 'commander';
import { EVENT_STATUSES, type BalanceEventView, type EventStatus, type MobilityProposal } from '../../../api/balance.js';
import { routes } from '../../../api/routes/index.js';
import { formatTable, note, print, printJson, when } from '../../output.js';
import { remote } from '../context.js';
import { finishTask, type WaitOptions, waitOption } from '../follow-task.js';

const pct = (n: number): string => `${n.toFixed(1)}%`;
const move = (p: MobilityProposal): string => `${p.wpar.name}: ${p.from?.name ?? '?'} → ${p.to.name}`;
const numbers = (p: MobilityProposal): string => `${pct(p.before)} → ${pct(p.after)}, gain ${p.gain.toFixed(1)}, cost ${p.cost.toFixed(1)}`;

function eventTable(events: readonly BalanceEventView[]): string {
  return formatTable(['Id', 'When', 'Group', 'Mode', 'Status', 'Move', 'Group state', 'Trigger'],
    events.map((e) => [e.id, when(e.at), e.group.name, e.mode, e.status, move(e.proposal), numbers(e.proposal), e.trigger]));
}

export function balanceCommands(program: Command): void {
  const balance = program.command('balance').description('Policy-based relocation: the balancer\'s state, dry runs, events and recommendations');

  balance.command('status').description("Each WPAR group's mode, performance state, triggers and last events")
    .action(remote(async ({ client, json }) => {
      const s = await client.call(routes.balance.status);
      if (json) return printJson(s);
      note(`balancer ${s.running ? 'running' : 'stopped'}: every ${s.intervalSeconds} s; settle ${s.settleMinutes} min, margin ${s.marginPoints} points, at most ${s.maxConcurrentMoves} moves at once (${s.movesUnderWay} under way)`);
      print(formatTable(['Group', 'Mode', 'State', 'Band', 'Hot/cold WPARs', 'Last round', 'Outcome'],
        s.groups.map((g) => {
          const r = g.lastRound;
          const heated = r ? r.wpars.filter((w) => w.heat).map((w) => `${w.wpar.name} ${w.heat} ${w[w.heat!]}/${g.triggerCount}`).join(', ') : '';
          return [g.group.name, g.mode, r ? pct(r.state) : '-', `${g.minThreshold}–${g.maxThreshold}%`, heated, when(r?.at), r?.outcome ?? ''];
        })));
      const recent = s.groups.flatMap((g) => g.lastEvents);
      if (recent.length > 0) print(`\nLast events:\n\n${eventTable(recent)}`);
    }));

  balance.command('plan').description('A dry run: what each group (or GROUP) would move now, and why, with the numbers; nothing moves')
    .argument('[group]', 'name or id')
    .action(remote(async ({ client, args, json }) => {
      const p = await client.call(routes.balance.plan, { query: args[0] ? { group: String(args[0]) } : {} });
      if (json) return printJson(p);
      print(formatTable(['Group', 'Mode', 'State', 'Band', 'Would move', 'Group state', 'Why'],
        p.groups.map((g) => [g.group.name, g.mode, pct(g.state), `${g.minThreshold}–${g.maxThreshold}%`,
          g.proposal ? move(g.proposal) : '-', g.proposal ? numbers(g.proposal) : '', g.reason])));
    }));

  balance.command('events').description('Mobility events, newest first: recommendations and the moves the balancer started')
    .option('--group <group>', 'only this group (name or id)')
    .addOption(new Option('--status <status>', 'only events in this status').choices(EVENT_STATUSES))
    .option('--limit <n>', 'at most this many', Number)
    .action(remote<{ group?: string; status?: EventStatus; limit?: number }>(async ({ client, opts, json }) => {
      const page = await client.call(routes.balance.events, { query: { group: opts.group, status: opts.status, limit: opts.limit } });
      if (json) return printJson(page);
      print(eventTable(page.items));
      if (page.total > page.items.length) note(`${page.items.length} of ${page.total} events`);
    }));

  waitOption(balance.command('apply').description('Apply an open recommendation: relocate its WPAR where it says (WPARAdministrator)')
    .argument('<event>', 'the recommendation\'s id'))
    .action(remote<WaitOptions>(async (ctx) => {
      const task = await ctx.client.call(routes.balance.apply, { params: { id: String(ctx.args[0]) } });
      return finishTask(ctx, task, (t) => `${t.target?.name ?? 'WPAR'} relocated`);
    }));

  balance.command('dismiss').description('Dismiss an open recommendation (WPARAdministrator)')
    .argument('<event>', 'the recommendation\'s id')
    .action(remote(async ({ client, args, json }) => {
      const e = await client.call(routes.balance.dismiss, { params: { id: String(args[0]) } });
      if (json) return printJson(e);
      note(`dismissed: ${move(e.proposal)}`);
    }));
}
