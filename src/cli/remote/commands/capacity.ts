// Instant capacity from the command line: the status of complexes (the seed's icapstatus),
// codewords and activation (icapmodify), notifications (icapnotify), complexes, issuers, the
// ledger and the activation log; and the issuer's own side, offline: `capstan codeword keygen|issue`.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  logChangeText,
  type CodewordKind,
  type ComplexView,
  type ComponentCounts,
  type Components,
  type DeployCheckMode,
  type ExhaustionAction,
  type IssuerKeyView,
} from '../../../api/capacity.js';
import { generateIssuerKey, issueCodeword, parsePrivateKey } from '../../../manager/capacity/codeword.js';
import { DURATION_EXAMPLES, readDuration } from '../../../api/duration.js';
import { routes } from '../../../api/routes/index.js';
import { UsageError } from '../../local/command.js';
import { formatFields, formatTable, note, print, printJson, when, type Cell } from '../../output.js';
import { exitFor, remote } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function parseDuration(text: string): number {
  const s = readDuration(text);
  if (s === undefined) throw new UsageError(`not a duration: ${text} (e.g. ${DURATION_EXAMPLES})`);
  return s;
}

export function formatDuration(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', s || (!d && !h && !m) ? `${s}s` : ''].filter(Boolean);
  return sign + parts.join(' ');
}

const count = (text: string): number => {
  if (!/^\d+$/.test(text)) throw new UsageError(`not a count: ${text}`);
  return Number(text);
};
const list = (s?: string): string[] | undefined => s?.split(',').map((x) => x.trim()).filter(Boolean);

function counts(label: string, c: ComponentCounts | null): [string, Cell] {
  if (c === null) return [label, 'not governed'];
  return [label, `${c.rights} usage rights, ${c.active} active, ${c.inactive ?? '?'} inactive, ${c.total ?? 'unknown'} installed`];
}

const comp = (c: Components | null, k: keyof Components): Cell => (c === null ? null : c[k]);

/** An instant as typed: ISO 8601, or a duration before now ("2h", "7d"). */
export function instantOption(text: string | undefined, now = Date.now()): string | undefined {
  if (text === undefined) return undefined;
  const ago = readDuration(text);
  if (ago !== undefined) return new Date(now - ago * 1000).toISOString();
  const t = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\d/.test(text.trim()) || Number.isNaN(t)) throw new UsageError(`not a time: ${text} (e.g. 2030-01-31T12:00:00Z, or a duration ago such as ${DURATION_EXAMPLES})`);
  return new Date(t).toISOString();
}


function showComplex(c: ComplexView): string {
  const t = c.temporary;
  const head = formatFields([
    ['Complex', `${c.name} (serial ${c.serial})`],
    ['Compliance', c.compliance.compliant ? 'compliant' : `NOT COMPLIANT: ${c.compliance.reasons.join('; ')}`],
    counts('Cores', c.cores),
    counts('Memory (GiB)', c.memoryGiB),
    counts('Cells', c.cells),
    ['Temporary capacity', `${formatDuration(t.balanceSeconds)} core-time left (${t.balanceSeconds} core-seconds)`],
    ['  in use', `${t.coresInUse} core(s) beyond the usage rights`],
    ['  projected expiry', t.projectedExpiry ? when(t.projectedExpiry) : 'none (not in use)'],
    ['  warning period', formatDuration(t.warningPeriodSeconds)],
    ['  when exhausted', t.exhaustionAction],
    ['Last codeword', c.lastSequence || 'none'],
    ['Contacts', c.contacts.join(', ')],
    ['Webhooks', c.webhooks.join(', ')],
  ]);
  const systems = formatTable(
    ['System', 'State', 'IA cores', 'AA cores', 'IA GiB', 'AA GiB', 'IA cells', 'AA cells', 'IA = AA'],
    c.systems.map((s) => [s.name, s.state, s.intended.cores, comp(s.actual, 'cores'), s.intended.memoryGiB, comp(s.actual, 'memoryGiB'),
      s.intended.cells, comp(s.actual, 'cells'), s.pending ? 'pending' : 'applied']),
  );
  return `${head}\n${systems}`;
}

function printComplex(c: ComplexView, json: boolean): void {
  if (json) printJson(c);
  else print(showComplex(c));
}

function activationBody(o: { cores?: string; memory?: string; cells?: string }): Record<string, number> {
  const body = {
    ...(o.cores !== undefined ? { cores: count(o.cores) } : {}),
    ...(o.memory !== undefined ? { memoryGiB: count(o.memory) } : {}),
    ...(o.cells !== undefined ? { cells: count(o.cells) } : {}),
  };
  if (Object.keys(body).length === 0) throw new UsageError('give --cores, --memory or --cells');
  return body;
}

export function capacityCommands(program: Command): void {
  const cap = program.command('capacity').description('Instant capacity: usage rights, codewords, active cores, temporary capacity (icapstatus, icapmodify, icapnotify)');

  cap.command('status').description('Rights, intended (IA) and actual (AA) active per system, temporary capacity, compliance (icapstatus)')
    .argument('[complex]', 'one complex (name, id or serial); all when absent')
    .action(remote(async ({ client, args, json }) => {
      const ref = args[0] as string | undefined;
      if (ref) return printComplex(await client.call(routes.capacity.get, { params: { id: ref } }), json);
      const all = await client.call(routes.capacity.list);
      if (json) return printJson(all);
      if (all.items.length === 0) note('no complex is declared: `capstan capacity complex create` declares one');
      print(all.items.map(showComplex).join('\n'));
    }));

  cap.command('apply').description('Apply a codeword to its complex (icapmodify -c)').argument('<codeword>')
    .option('--complex <complex>', 'the complex it is for (found from the codeword when absent)')
    .action(remote<{ complex?: string }>(async ({ client, args, opts, json }) => {
      const r = await client.call(routes.capacity.applyCodeword, { body: { codeword: String(args[0]), ...(opts.complex ? { complex: opts.complex } : {}) } });
      if (json) return printJson(r);
      note(`codeword ${r.sequence} applied to ${r.complex.name}: ${r.kind === 'temporary' ? `${formatDuration(r.quantity)} of temporary core-time` : `${r.quantity} ${r.kind} usage right(s)`}`);
      print(showComplex(r.status));
    }));

  for (const [verb, summary] of [['activate', 'within the usage rights, or cores with temporary capacity (icapmodify -a)'], ['deactivate', 'always allowed (icapmodify -d)']] as const) {
    cap.command(verb).description(`${verb[0]?.toUpperCase()}${verb.slice(1)} components on a system: ${summary}`).argument('<system>')
      .option('--cores <n>', 'cores').option('--memory <GiB>', 'memory, GiB').option('--cells <n>', 'cells (NUMA nodes)')
      .action(remote<{ cores?: string; memory?: string; cells?: string }>(async ({ client, args, opts, json }) => {
        printComplex(await client.call(routes.capacity[verb], { params: { id: String(args[0]) }, body: activationBody(opts) }), json);
      }));
  }

  cap.command('move').description('Move active cores from one system of a complex to another')
    .requiredOption('--from <system>', 'gives up the cores').requiredOption('--to <system>', 'gets them').requiredOption('--cores <n>', 'how many')
    .action(remote<{ from: string; to: string; cores: string }>(async ({ client, opts, json }) => {
      printComplex(await client.call(routes.capacity.move, { body: { from: opts.from, to: opts.to, cores: count(opts.cores) } }), json);
    }));

  cap.command('notify').description('Who is told about configuration changes, warnings and exceptions (icapnotify)').argument('<complex>')
    .option('--email <a,b>', 'contact email addresses ("" for none)')
    .option('--webhook <url,url>', 'webhook URLs ("" for none)')
    .option('--test', 'send a test notification and show what was delivered')
    .action(remote<{ email?: string; webhook?: string; test?: boolean }>(async ({ client, args, opts, json }) => {
      const params = { id: String(args[0]) };
      const body = {
        ...(opts.email !== undefined ? { contacts: list(opts.email) ?? [] } : {}),
        ...(opts.webhook !== undefined ? { webhooks: list(opts.webhook) ?? [] } : {}),
      };
      if (Object.keys(body).length > 0) await client.call(routes.capacity.modify, { params, body });
      if (opts.test) {
        const r = await client.call(routes.capacity.testNotification, { params });
        if (json) printJson(r);
        else print(formatTable(['Channel', 'Target', 'Status', 'Error'], r.items.map((d) => [d.channel, d.target, d.status, d.error])));
        return r.items.some((d) => d.status === 'failed') || r.items.length === 0 ? EXIT.failed : EXIT.ok;
      }
      const c = await client.call(routes.capacity.get, { params });
      if (json) printJson({ contacts: c.contacts, webhooks: c.webhooks });
      else print(formatFields([['Contacts', c.contacts.join(', ')], ['Webhooks', c.webhooks.join(', ')]]));
    }));

  cap.command('notifications').description('Notifications delivered or failed, newest first')
    .option('--complex <complex>', 'only this complex').option('--limit <n>', 'at most this many', Number)
    .action(remote<{ complex?: string; limit?: number }>(async ({ client, opts, json }) => {
      const r = await client.call(routes.capacity.notifications, { query: { complex: opts.complex, limit: opts.limit } });
      if (json) return printJson(r);
      print(formatTable(['When', 'Kind', 'Channel', 'Target', 'Status', 'Subject', 'Error'], r.items.map((d) => [when(d.createdAt), d.kind, d.channel, d.target, d.status, d.subject, d.error])));
    }));

  cap.command('ledger').description('The temporary capacity ledger of a complex, newest first').argument('<complex>')
    .option('--limit <n>', 'at most this many', Number)
    .action(remote<{ limit?: number }>(async ({ client, args, opts, json }) => {
      const r = await client.call(routes.capacity.ledger, { params: { id: String(args[0]) }, query: { limit: opts.limit } });
      if (json) return printJson(r);
      print(formatTable(['Seq', 'Kind', 'Core-seconds', 'Balance', 'From', 'To', 'Cores', 'Codeword', 'Recorded'],
        r.items.map((e) => [e.seq, e.kind, e.amount, e.balanceAfter, when(e.from), when(e.to), e.excessCores, e.codewordSequence, when(e.createdAt)])));
    }));

  cap.command('log').description('The activation log: every capacity change (who, what, codeword, when), newest first')
    .option('--complex <complex>', 'only this complex (name, id or serial; a removed one by its id or last name)')
    .option('--system <system>', 'only changes of this system')
    .option('--since <time>', 'from this time on: ISO 8601 (2030-01-31T12:00:00Z) or a duration ago (2h, 7d)')
    .option('--until <time>', 'before this time: ISO 8601 or a duration ago')
    .option('--limit <n>', 'at most this many entries (default 100; with --csv, all up to 100000)')
    .option('--offset <n>', 'skip this many of the newest entries first')
    .option('--csv', 'print the CSV export (RFC 4180) instead of a table')
    .action(remote<{ complex?: string; system?: string; since?: string; until?: string; limit?: string; offset?: string; csv?: boolean }>(async ({ client, opts, json }) => {
      if (opts.csv && json) throw new UsageError('give --csv or --json, not both');
      const filters = { complex: opts.complex, system: opts.system, since: instantOption(opts.since), until: instantOption(opts.until) };
      const limit = opts.limit === undefined ? undefined : count(opts.limit);
      if (opts.csv) {
        if (opts.offset !== undefined) throw new UsageError('--offset does not apply to --csv (narrow it with --since and --until)');
        print(await client.text(routes.capacity.logCsv, { query: { ...filters, limit } }));
        return;
      }
      const offset = opts.offset === undefined ? undefined : count(opts.offset);
      const r = await client.call(routes.capacity.log, { query: { ...filters, limit, offset } });
      if (json) return printJson(r);
      print(formatTable(['When', 'Who', 'Action', 'Complex', 'System', 'Change', 'Codeword'],
        r.items.map((e) => [when(e.at), e.whoKind === 'system' ? `${e.who} (manager)` : e.who, e.action, e.complex.name, e.system?.name, logChangeText(e),
          e.codeword ? `${e.codeword.sequence} (${e.codeword.kind} ${e.codeword.quantity})` : null])));
      const shown = (offset ?? 0) + r.items.length;
      if (shown < r.total) note(`${r.items.length} of ${r.total} entries; the next ones with --offset ${shown}`);
    }));

  cap.command('settings').description('Show or change the instant capacity settings')
    .option('--deploy-check <mode>', 'refuse (default) or warn: deploying onto a system without the active capacity a WPAR needs')
    .action(remote<{ deployCheck?: DeployCheckMode }>(async ({ client, opts, json }) => {
      const s = opts.deployCheck === undefined
        ? await client.call(routes.capacity.settings)
        : await client.call(routes.capacity.setSettings, { body: { deployCheck: opts.deployCheck } });
      if (json) printJson(s);
      else print(formatFields([['Deploy check', s.deployCheck]]));
    }));

  complexCommands(cap);
  issuerCommands(cap);
  codewordCommands(program);
}

/** Flags as typed; the manager refuses an --on-exhaustion it does not know. */
type ComplexOptions = Record<string, string | undefined> & { onExhaustion?: ExhaustionAction };

function complexCommands(cap: Command): void {
  const cx = cap.command('complex').description('Complexes: one hardware serial, one or more systems');

  cx.command('create').description('Declare a complex with the usage rights and Instant Access Capacity it ships with')
    .argument('<name>', 'its name (by default also its only system\'s name)')
    .requiredOption('--serial <serial>', 'the hardware serial its codewords are issued for')
    .requiredOption('--rights-cores <n>', 'core usage rights')
    .option('--systems <a,b>', 'its systems (default: the system named like the complex)')
    .option('--rights-memory <GiB>', 'memory usage rights (memory is governed only with this)')
    .option('--rights-cells <n>', 'cell usage rights (cells are governed only with this)')
    .option('--cores <n>', 'installed cores (default: from the systems\' host profiles)')
    .option('--memory <GiB>', 'installed memory')
    .option('--cells <n>', 'installed cells')
    .option('--instant-access <duration>', 'Instant Access Capacity: temporary core-time, e.g. 10d')
    .option('--warning-period <duration>', 'warn this long before temporary capacity runs out (default 1d)')
    .option('--on-exhaustion <action>', 'deactivate (default) or notify')
    .option('--email <a,b>', 'contact email addresses')
    .option('--webhook <url,url>', 'webhook URLs')
    .action(remote<ComplexOptions & { serial: string }>(async ({ client, args, opts, json }) => {
      const name = String(args[0]);
      const body = {
        name,
        serial: opts.serial,
        systems: list(opts.systems) ?? [name],
        rights: {
          cores: count(opts.rightsCores ?? ''),
          ...(opts.rightsMemory !== undefined ? { memoryGiB: count(opts.rightsMemory) } : {}),
          ...(opts.rightsCells !== undefined ? { cells: count(opts.rightsCells) } : {}),
        },
        ...(opts.cores !== undefined ? { totalCores: count(opts.cores) } : {}),
        ...(opts.memory !== undefined ? { totalMemoryGiB: count(opts.memory) } : {}),
        ...(opts.cells !== undefined ? { totalCells: count(opts.cells) } : {}),
        ...(opts.instantAccess !== undefined ? { instantAccessSeconds: parseDuration(opts.instantAccess) } : {}),
        ...(opts.warningPeriod !== undefined ? { warningPeriodSeconds: parseDuration(opts.warningPeriod) } : {}),
        ...(opts.onExhaustion !== undefined ? { exhaustionAction: opts.onExhaustion } : {}),
        ...(opts.email !== undefined ? { contacts: list(opts.email) ?? [] } : {}),
        ...(opts.webhook !== undefined ? { webhooks: list(opts.webhook) ?? [] } : {}),
      };
      printComplex(await client.call(routes.capacity.create, { body }), json);
    }));

  cx.command('modify').description('Change a complex').argument('<complex>')
    .option('--new-name <name>', 'rename it')
    .option('--cores <n>', 'installed cores ("auto": from the host profiles)')
    .option('--memory <GiB>', 'installed memory ("auto": from the host profiles)')
    .option('--cells <n>', 'installed cells')
    .option('--warning-period <duration>', 'warn this long before temporary capacity runs out')
    .option('--on-exhaustion <action>', 'deactivate or notify')
    .action(remote<ComplexOptions>(async ({ client, args, opts, json }) => {
      const total = (s: string): number | null => (s === 'auto' ? null : count(s));
      const body = {
        ...(opts.newName !== undefined ? { name: opts.newName } : {}),
        ...(opts.cores !== undefined ? { totalCores: total(opts.cores) } : {}),
        ...(opts.memory !== undefined ? { totalMemoryGiB: total(opts.memory) } : {}),
        ...(opts.cells !== undefined ? { totalCells: total(opts.cells) } : {}),
        ...(opts.warningPeriod !== undefined ? { warningPeriodSeconds: parseDuration(opts.warningPeriod) } : {}),
        ...(opts.onExhaustion !== undefined ? { exhaustionAction: opts.onExhaustion } : {}),
      };
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change');
      printComplex(await client.call(routes.capacity.modify, { params: { id: String(args[0]) }, body }), json);
    }));

  cx.command('remove').description('Remove a complex and its ledger: its systems are no longer governed').argument('<complex>')
    .action(remote(async ({ client, args }) => {
      await client.call(routes.capacity.remove, { params: { id: String(args[0]) } });
      note(`complex ${String(args[0])} removed`);
    }));
}

function issuerCommands(cap: Command): void {
  const iss = cap.command('issuer').description('The codeword issuers this manager trusts');
  const row = (k: IssuerKeyView): Cell[] => [k.name, k.id, k.source, k.publicKey];

  iss.command('list').description('List trusted issuers')
    .action(remote(async ({ client, json }) => {
      const r = await client.call(routes.capacity.issuers);
      if (json) return printJson(r);
      print(formatTable(['Name', 'ID', 'Source', 'Public key'], r.items.map(row)));
    }));

  iss.command('add').description('Trust an issuer\'s public key (as printed by `capstan codeword keygen`)').argument('<name>').argument('<public-key>')
    .action(remote(async ({ client, args, json }) => {
      const k = await client.call(routes.capacity.addIssuer, { body: { name: String(args[0]), publicKey: String(args[1]) } });
      if (json) return printJson(k);
      print(formatTable(['Name', 'ID', 'Source', 'Public key'], [row(k)]));
    }));

  iss.command('remove').description('Stop trusting an issuer').argument('<issuer>', 'name or id')
    .action(remote(async ({ client, args }) => {
      await client.call(routes.capacity.removeIssuer, { params: { id: String(args[0]) } });
      note(`issuer ${String(args[0])} removed`);
    }));
}

/** The issuer's side (the seed's vendor portal), offline: no manager involved. */
function codewordCommands(program: Command): void {
  const cw = program.command('codeword').description('Issue codewords (the issuer\'s side, offline, with the issuer\'s private key)');

  cw.command('keygen').description('Make an issuer key pair: the private key to a file (mode 0600), the public key on stdout')
    .requiredOption('--out <file>', 'where to write the private key (PEM)')
    .action(offline<{ out: string }>(async (opts, json) => {
      const { privateKeyPem, publicKey } = generateIssuerKey();
      writeFileSync(opts.out, privateKeyPem, { mode: 0o600, flag: 'wx' });
      if (json) printJson({ publicKey, privateKeyFile: opts.out });
      else {
        print(`${publicKey}\n`);
        note(`private key written to ${opts.out}; trust the public key with: capstan capacity issuer add NAME ${publicKey}`);
      }
    }));

  cw.command('issue').description('Issue a codeword for a complex serial')
    .requiredOption('--key <file>', 'the issuer\'s private key (from keygen)')
    .requiredOption('--serial <serial>', 'the complex\'s serial')
    .requiredOption('--sequence <n>', 'its sequence number (codewords of a complex apply in order, from 1)')
    .option('--cores <n>', 'right to use this many more cores')
    .option('--memory <GiB>', 'right to use this much more memory')
    .option('--cells <n>', 'right to use this many more cells')
    .option('--temporary <duration>', 'temporary capacity: core-time, e.g. 30d, 12h')
    .action(offline<{ key: string; serial: string; sequence: string; cores?: string; memory?: string; cells?: string; temporary?: string }>(async (opts, json) => {
      const kinds: [CodewordKind, number][] = [];
      if (opts.cores !== undefined) kinds.push(['cores', count(opts.cores)]);
      if (opts.memory !== undefined) kinds.push(['memory', count(opts.memory)]);
      if (opts.cells !== undefined) kinds.push(['cell', count(opts.cells)]);
      if (opts.temporary !== undefined) kinds.push(['temporary', parseDuration(opts.temporary)]);
      const [only, ...more] = kinds;
      if (!only || more.length > 0) throw new UsageError('give exactly one of --cores, --memory, --cells, --temporary');
      let key;
      try {
        key = parsePrivateKey(readFileSync(opts.key, 'utf8'));
      } catch (e) {
        throw new UsageError(`${opts.key}: ${(e as Error).message}`);
      }
      let codeword: string;
      try {
        codeword = issueCodeword({ kind: only[0], quantity: only[1], serial: opts.serial, sequence: count(opts.sequence), issuedAt: Math.floor(Date.now() / 1000) }, key);
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      if (json) printJson({ codeword, kind: only[0], quantity: only[1], serial: opts.serial, sequence: count(opts.sequence) });
      else print(`${codeword}\n`);
    }));
}

/** A commander action that needs no manager. */
function offline<O>(fn: (opts: O, json: boolean) => Promise<void>) {
  return async (...params: unknown[]): Promise<void> => {
    const cmd = params.at(-1) as Command;
    const opts = cmd.optsWithGlobals() as O & { json?: boolean };
    try {
      await fn(opts, opts.json === true);
      process.exitCode = EXIT.ok;
    } catch (e) {
      process.exitCode = exitFor(e, opts.json === true);
    }
  };
}

const SEED_USAGE = {
  icapstatus: 'usage: icapstatus [COMPLEX]',
  icapmodify: 'usage: icapmodify -a N -p SYSTEM | -d N -p SYSTEM | -c CODEWORD',
  icapnotify: 'usage: icapnotify COMPLEX [-t] [EMAIL ...]',
} as const;

export type SeedCommand = keyof typeof SEED_USAGE;
export const SEED_COMMANDS = Object.keys(SEED_USAGE) as SeedCommand[];

/**
 * The seed's syntax, for those who type it from memory:
 *   icapstatus [COMPLEX]
 *   icapmodify -a N -p SYSTEM | -d N -p SYSTEM | -c CODEWORD     (activate, deactivate cores; apply a codeword)
 *   icapnotify COMPLEX [-t] [EMAIL ...]                           (set the contacts; -t: send a test)
 */
export function seedCapacityArgs(command: SeedCommand, argv: string[]): string[] {
  const globals = argv.filter((a) => a === '--json');
  const rest = argv.filter((a) => a !== '--json');
  const usage = (): never => {
    throw new UsageError(SEED_USAGE[command]);
  };
  if (command === 'icapstatus') {
    if (rest.length > 1 || rest.some((a) => a.startsWith('-'))) usage();
    return [...globals, 'capacity', 'status', ...rest];
  }
  if (command === 'icapnotify') {
    const [complex, ...more] = rest;
    if (!complex || complex.startsWith('-')) usage();
    const test = more.includes('-t');
    const emails = more.filter((a) => a !== '-t');
    if (emails.some((a) => a.startsWith('-'))) usage();
    return [...globals, 'capacity', 'notify', complex as string, ...(emails.length > 0 ? ['--email', emails.join(',')] : []), ...(test ? ['--test'] : [])];
  }
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (!flag || !/^-[adcp]$/.test(flag) || value === undefined || flags.has(flag)) usage();
    flags.set(flag as string, value as string);
  }
  const codeword = flags.get('-c');
  if (codeword !== undefined) {
    if (flags.size !== 1) usage();
    return [...globals, 'capacity', 'apply', codeword];
  }
  const system = flags.get('-p');
  const verb = flags.has('-a') ? 'activate' : flags.has('-d') ? 'deactivate' : undefined;
  if (!system || !verb || flags.size !== 2) usage();
  return [...globals, 'capacity', verb as string, system as string, '--cores', flags.get(verb === 'activate' ? '-a' : '-d') as string];
}
