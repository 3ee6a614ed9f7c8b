// Mobility through the manager: `capstan system compat SYSTEM` (the system against every
// other, with the failing tests each way) and `capstan wpar targets NAME` (where a WPAR may be
// relocated: automatic candidates best first, and every other system for manual selection).
import { Option, type Command } from 'commander';
import { CRITICAL_TESTS, OPTIONAL_TESTS, STATE_LABELS, type OptionalTest, type PairView } from '../../../api/compatibility.js';
import { routes } from '../../../api/routes/index.js';
import { formatTable, note, print, printJson, when } from '../../output.js';
import { remote } from '../context.js';
import { evacuationCommands, relocationCommands } from './relocation.js';

const percent = (f: number): string => `${Math.round(f * 100)}%`;
const list = (tests: readonly string[]): string => tests.join(',');

/** Every test of a pair both ways; optional tests the state does not count are marked so. */
function pairDetails(p: PairView, optional: readonly string[]): string {
  if (!p.outbound || !p.inbound) return '';
  const back = new Map(p.inbound.tests.map((t) => [t.test, t]));
  const rows = p.outbound.tests.map((out) => {
    const inb = back.get(out.test);
    const counts = (CRITICAL_TESTS as readonly string[]).includes(out.test) || optional.includes(out.test);
    const reasons = [!out.passed && `→ ${out.reason}`, inb && !inb.passed && `← ${inb.reason}`].filter(Boolean).join('; ');
    return [out.test, counts, out.passed ? 'pass' : 'FAIL', inb ? (inb.passed ? 'pass' : 'FAIL') : '-', reasons];
  });
  return `\n${p.other.name} (${STATE_LABELS[p.state]})\n` + formatTable(['Test', 'Counts', '→', '←', 'Reason'], rows);
}

function findCommand(program: Command, name: string): Command {
  const cmd = program.commands.find((c) => c.name() === name);
  if (!cmd) throw new Error(`the ${name} command must be defined before mobility's subcommands`);
  return cmd;
}

export function mobilityCommands(program: Command): void {
  findCommand(program, 'system').command('compat').description('Compatibility of a system with every other system (→ from it, ← to it)')
    .argument('<system>', 'name or id')
    .addOption(new Option('--tests <tests...>', 'optional tests to apply on top of the critical ones').choices(OPTIONAL_TESTS))
    .option('--details', 'every test of every pair, with its reason')
    .action(remote<{ tests?: OptionalTest[]; details?: boolean }>(async ({ client, args, opts, json }) => {
      const v = await client.call(routes.systems.compatibility, { params: { id: String(args[0]) }, query: { tests: opts.tests } });
      if (json) return printJson(v);
      if (!v.testing.done) note(`compatibility testing of ${v.system.name} is not done: it is not offered for relocation yet`);
      print(formatTable(['System', 'State', 'Failing →', 'Failing ←', 'Tested'],
        v.pairs.map((p) => [p.other.name, STATE_LABELS[p.state], list(p.outbound?.failing ?? []), list(p.inbound?.failing ?? []), when(p.testedAt)])));
      if (opts.details) for (const p of v.pairs) print(pairDetails(p, v.optionalTests));
    }));

  relocationCommands(findCommand(program, 'wpar'));
  evacuationCommands(findCommand(program, 'system'));

  findCommand(program, 'wpar').command('targets').description('Where a WPAR may be relocated: automatic candidates (best first) and manual choices')
    .argument('<name>', 'name or id')
    .action(remote(async ({ client, args, json }) => {
      const t = await client.call(routes.wpars.targets, { params: { id: String(args[0]) } });
      if (json) return printJson(t);
      note(`${t.wpar.name} on ${t.departure.name}; group ${t.group.name}, relocation domain ${t.domain.name}` +
        `${t.optionalTests.length ? `, optional tests ${list(t.optionalTests)}` : ''}; uses ${t.use.cpuCores.toFixed(2)} cores, ${(t.use.memoryBytes / 2 ** 20).toFixed(0)} MiB`);
      print('Automatic selection (fully compatible, best first):\n');
      print(formatTable(['Rank', 'System', 'Profile', 'CPU after', 'Memory after'],
        t.ranked.map((r, i) => [i + 1, r.system.name, r.systemProfile, percent(r.cpuUtil), percent(r.memoryUtil)])));
      print('\nOther systems (manual selection):\n');
      print(formatTable(['System', 'State', 'Offered', 'Confirm', 'Why not automatic'],
        t.others.map((o) => [o.system.name, STATE_LABELS[o.state], o.offered, o.needsConfirmation, o.notAutomatic.join('; ')])));
    }));
}
