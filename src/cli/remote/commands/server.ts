// The processes: `capstan manager` runs the manager alone (in the foreground, or as a service:
// start, stop, restart, status), and changes its log levels while it runs; `capstan up` is the
// main job on one machine, with the manager on the embedded database and a banner that says
// how to log in. Also the database commands: backup through the manager (now, or daily with a
// retention), restore offline.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
// The manager, the agent and the restore are imported where a command runs them: every other
// CLI call (most of them talk to a manager over HTTPS) then starts without loading them.
import pino from 'pino';
import type { BackupResult } from '../../../api/backup.js';
import { LOG_COMPONENTS, LOG_LEVELS, type BackupScheduleView, type LogLevelsView } from '../../../api/operations.js';
import { routes } from '../../../api/routes/index.js';
import { loadManagerConfig, recordedDatabase, shownDatabase, type ManagerConfig } from '../../../manager/config.js';
import type { RunningManager } from '../../../manager/main.js';
import { readRunRecord, runningManager } from '../../../manager/pidfile.js';
import { INITIAL_PASSWORD_FILE } from '../../../manager/users/bootstrap.js';
import { DEFAULT_AGENT_PORT } from '../../../api/agents.js';
import { AgentFiles } from '../../../agent/control/config.js';
import { agentDirFromEnv, DEFAULT_AGENT_DIR } from '../../../agent/control/config.js';
import { UsageError } from '../../local/command.js';
import { formatFields, formatTable, note, print, printJson, when } from '../../output.js';
import { managerStatus, startManagerService, statusFields, stopManagerService, STOP_LIMIT_MS } from '../../service/manager.js';
import { installUnits, managerUnitFor } from '../../service/systemd.js';
import { AGENT_UNIT, MANAGER_UNIT } from '../../service/units.js';
import { exitFor, remote } from '../context.js';
import { finishTask, waitOption, type WaitOptions } from '../follow-task.js';
import { EXIT } from '../exit-codes.js';
import { confirm } from '../prompt.js';

interface ServerOptions {
  dataDir?: string;
  db?: string;
  host?: string;
  port?: number;
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: string;
}

function addServerOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data directory (default: $CAPSTAN_DATA_DIR or /var/lib/capstan)')
    .option('--db <location>', 'SQLite file (default: <data-dir>/capstan.db) or postgres://user:pw@host/db')
    .option('--host <address>', 'address to listen on (default 0.0.0.0)')
    .option('--port <port>', 'HTTPS port (default 14443)', Number)
    .option('--tls-cert <file>', 'your certificate (PEM) instead of the generated self-signed one')
    .option('--tls-key <file>', 'its private key (PEM)')
    .option('--log-level <level>', 'trace, debug, info, warn, error (default info)');
}

/**
 * The options a manager was given, as a command line again (`capstan manager run …`): what
 * `start` runs in the background, and what a restart repeats. Paths are made absolute.
 */
function runArgsOf(o: ServerOptions, dataDir: string): string[] {
  return [
    '--data-dir', resolve(dataDir),
    ...(o.db ? ['--db', o.db] : []),
    ...(o.host ? ['--host', o.host] : []),
    ...(o.port !== undefined ? ['--port', String(o.port)] : []),
    ...(o.tlsCert ? ['--tls-cert', resolve(o.tlsCert)] : []),
    ...(o.tlsKey ? ['--tls-key', resolve(o.tlsKey)] : []),
    ...(o.logLevel ? ['--log-level', o.logLevel] : []),
  ];
}

/** Whether any option but the data directory was given. */
const givesOptions = (o: ServerOptions): boolean =>
  o.db !== undefined || o.host !== undefined || o.port !== undefined || o.tlsCert !== undefined || o.tlsKey !== undefined || o.logLevel !== undefined;

function dataDirOf(o: { dataDir?: string }): string {
  return resolve(loadManagerConfig({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }).dataDir);
}

function configOf(o: ServerOptions): ManagerConfig {
  const base = loadManagerConfig({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) });
  return loadManagerConfig({
    dataDir: base.dataDir,
    ...(o.db ? { db: o.db } : {}),
    ...(o.host ? { host: o.host } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.logLevel ? { logLevel: o.logLevel } : {}),
    ...(o.tlsCert || o.tlsKey ? { tls: { cert: o.tlsCert, key: o.tlsKey } } : {}),
  });
}

/**
 * The database an offline restore replaces, and why that one: the one given with --db, else
 * the one the manager last ran with (it may have been given --db), else the configured one.
 */
function restoreTarget(db: string | undefined, config: ManagerConfig): { location: string; why: string } {
  if (db) return { location: config.db, why: 'given with --db' };
  const recorded = recordedDatabase(config.dataDir);
  if (recorded) {
    const at = recorded.recordedAt ? ` at its start ${when(recorded.recordedAt)}` : '';
    return { location: recorded.location, why: `the database the manager last ran with, as it recorded in ${recorded.file}${at}; --db chooses another` };
  }
  return { location: config.db, why: `the configured database (no manager has recorded one in ${config.dataDir}); --db chooses another` };
}

/** Runs until SIGINT or SIGTERM, then stops cleanly (`before` first: the local agent). */
async function serve(m: RunningManager, before: () => Promise<void> = async () => undefined): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      m.log.info({ signal }, 'stopping');
      void before().then(() => m.stop()).then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * The local agent of `capstan up`: registered to this manager on first start (its directory
 * is <data-dir>/agent), then run in this process on the host's engine.
 */
async function startLocalAgent(m: RunningManager, log: pino.Logger): Promise<{ systemName: string; stop: () => Promise<void> }> {
  const files = new AgentFiles(join(m.services.config.dataDir, 'agent'));
  if (!files.configured()) {
    const { configureAgent } = await import('../../../agent/control/configure.js');
    await configureAgent(files, {
      managerHost: '127.0.0.1',
      managerPort: Number(new URL(m.url).port),
      agentPort: DEFAULT_AGENT_PORT,
      host: '127.0.0.1',
      password: m.services.agents.enrolment.registrationPassword(),
    });
  }
  const { Agent } = await import('../../../agent/daemon.js');
  const agent = new Agent(files, log.child({ component: 'agent' }));
  await agent.start();
  return { systemName: files.settings().systemName, stop: () => agent.stop() };
}

function firstLogin(m: RunningManager): string {
  return m.initialAdmin
    ? `first login: user "${m.initialAdmin.name}", one-time password\n\n    ${m.initialAdmin.password}\n\n` +
      `(kept in ${join(m.services.config.dataDir, INITIAL_PASSWORD_FILE)} until it is changed at that login)\n`
    : '';
}

/** `capstan manager status` when the manager is stopped: 3, as `systemctl status` (LSB: "program is not running"). */
export const STOPPED_EXIT = 3;

/** A service command, run on the manager's host: its failures map to exit codes like remote ones. */
function service<O>(fn: (o: O & { json?: boolean }) => Promise<number | void>) {
  return async (...params: unknown[]): Promise<void> => {
    const cmd = params.at(-1) as Command;
    const o = cmd.optsWithGlobals() as O & { json?: boolean };
    try {
      process.exitCode = (await fn(o)) ?? EXIT.ok;
    } catch (e) {
      process.exitCode = exitFor(e, o.json === true);
    }
  };
}

type ServiceOptions = ServerOptions & { systemd: boolean; json?: boolean };

const noSystemd = (cmd: Command): Command => cmd.option('--no-systemd', 'run it apart from systemd even where its unit is installed for this data directory');

/** Starts the manager in the background and says where it answers. */
async function startInBackground(o: ServiceOptions, dataDir: string, runArgs: string[]): Promise<void> {
  const systemd = o.systemd && managerUnitFor(dataDir);
  if (systemd && givesOptions(o)) {
    throw new UsageError(`${MANAGER_UNIT} runs the manager on ${dataDir} with the options in ${join(dataDir, 'manager.json')}: put them there, or start it apart from systemd with --no-systemd`);
  }
  const started = await startManagerService({ dataDir, runArgs, systemd });
  const via = systemd ? MANAGER_UNIT : 'pid file';
  if (o.json) printJson({ pid: started.pid, url: started.url, log: started.log, service: systemd ? 'systemd' : 'pid-file' });
  else print(`manager started (pid ${started.pid}, ${via}): ${started.url}\nlog: ${started.log}\n`);
  if (existsSync(join(dataDir, INITIAL_PASSWORD_FILE))) {
    note(`first login: user "admin"; its one-time password is in ${join(dataDir, INITIAL_PASSWORD_FILE)} until it is changed at that login`);
  }
}

async function stopIt(dataDir: string, json: boolean | undefined): Promise<void> {
  const r = await stopManagerService({
    dataDir,
    systemd: managerUnitFor(dataDir),
    onKill: (pid) => note(`the manager (pid ${pid}) did not stop within ${STOP_LIMIT_MS / 1000} s of SIGTERM: killing it (SIGKILL); tasks under way resume at its next start`),
  });
  if (json) printJson({ pid: r.pid, killed: r.killed });
  else note(`manager stopped (pid ${r.pid}${r.killed ? ', killed' : ''})`);
}

function showLevels(v: LogLevelsView, json: boolean): void {
  if (json) {
    printJson(v);
    return;
  }
  print(formatFields([
    ['level', `${v.level}${v.setAtRunTime ? ` (set while running; started with ${v.configuredLevel})` : ' (as started)'}`],
    ['components', v.components.length ? v.components.map((c) => `${c.name} ${c.level}`).join(', ') : 'none with a level of their own'],
    ['known', v.knownComponents.join(', ')],
  ]));
}

function managerCommands(program: Command): void {
  const manager = program.command('manager')
    .description('The manager (HTTPS API, task engine, console): run it in the foreground, or as a service (start, stop, restart, status); its log levels');

  addServerOptions(manager.command('run', { isDefault: true })
    .description('Run the manager in the foreground, logging JSON on stdout (the default: `capstan manager --port N` runs it)'))
    .action(async (opts: ServerOptions) => {
      try {
        const config = configOf(opts);
        const { startManager } = await import('../../../manager/main.js');
        const m = await startManager(config, pino({ level: config.logLevel }), { runArgs: runArgsOf(opts, config.dataDir) });
        if (m.initialAdmin) note(firstLogin(m));
        await serve(m);
      } catch (e) {
        process.exitCode = exitFor(e);
      }
    });

  noSystemd(addServerOptions(manager.command('start')
    .description(`Start the manager in the background and wait until it answers: through systemd (${MANAGER_UNIT}) where it is installed for the data directory, else on its own, logging to <data-dir>/manager.log`)))
    .action(service<ServiceOptions>(async (o) => {
      const dataDir = dataDirOf(o);
      await startInBackground(o, dataDir, runArgsOf(o, dataDir));
    }));

  manager.command('stop').description(`Stop the manager: SIGTERM, and SIGKILL if it has not stopped within ${STOP_LIMIT_MS / 1000} s`)
    .option('--data-dir <dir>', 'its data directory (default: $CAPSTAN_DATA_DIR or /var/lib/capstan)')
    .action(service<{ dataDir?: string }>(async (o) => stopIt(dataDirOf(o), o.json)));

  noSystemd(addServerOptions(manager.command('restart')
    .description('Stop the manager if it runs, then start it in the background: with the options it ran with, unless others are given')))
    .action(service<ServiceOptions>(async (o) => {
      const dataDir = dataDirOf(o);
      let runArgs = runArgsOf(o, dataDir);
      const pid = runningManager(dataDir);
      if (pid !== undefined) {
        const record = readRunRecord(dataDir, pid);
        if (record && record.args === null) {
          throw new UsageError(`the manager (pid ${pid}) runs inside capstan up, with this host's agent: stop it (capstan manager stop) and run capstan up again`);
        }
        if (!givesOptions(o) && record?.args) runArgs = record.args;
        await stopIt(dataDir, false);
      }
      await startInBackground(o, dataDir, runArgs);
    }));

  manager.command('status').description(`Whether the manager runs, its pid, URL, uptime and database; exits ${STOPPED_EXIT} when it is stopped (as systemctl status)`)
    .option('--data-dir <dir>', 'its data directory (default: $CAPSTAN_DATA_DIR or /var/lib/capstan)')
    .action(service<{ dataDir?: string }>(async (o) => {
      const dataDir = dataDirOf(o);
      const s = managerStatus(dataDir, managerUnitFor(dataDir));
      if (o.json) printJson(s);
      else print(formatFields(statusFields(s)));
      return s.state === 'stopped' ? STOPPED_EXIT : EXIT.ok;
    }));

  manager.command('log-level')
    .description("Show the running manager's log level and its components' own levels, or change them without a restart (they are kept: a restart keeps them); the seed's lwilog")
    .argument('[level]', LOG_LEVELS.join(', '))
    .option('--component <name>', `give only this component the level: ${LOG_COMPONENTS.join(', ')}`)
    .option('--add-logger <name>', "the seed's lwilog -addLogger -name NAME: the component logs at trace (or at LEVEL, if given)")
    .option('--remove-logger <name>', "the seed's lwilog -removeLogger -name NAME: the component logs at the manager's level again")
    .option('--reset', 'the manager and every component back to the level it was started with')
    .action(remote<{ component?: string; addLogger?: string; removeLogger?: string; reset?: boolean }>(async ({ client, json, opts, args }) => {
      const level = args[0] as string | undefined;
      const given = [opts.component, opts.addLogger, opts.removeLogger, opts.reset].filter((x) => x !== undefined).length;
      if (given > 1) throw new UsageError('give one of --component, --add-logger, --remove-logger, --reset');
      let view: LogLevelsView;
      if (opts.reset || opts.removeLogger !== undefined) {
        if (level !== undefined) throw new UsageError(`${opts.reset ? '--reset' : '--remove-logger'} takes no level`);
        view = opts.reset
          ? await client.call(routes.logging.reset)
          : await client.call(routes.logging.removeComponent, { params: { name: opts.removeLogger as string } });
      } else if (opts.addLogger !== undefined || opts.component !== undefined) {
        if (opts.component !== undefined && level === undefined) throw new UsageError('--component needs a LEVEL (--remove-logger NAME takes its own level away)');
        view = await client.call(routes.logging.setComponent, { params: { name: (opts.addLogger ?? opts.component) as string }, body: { level: level ?? 'trace' } });
      } else if (level !== undefined) {
        view = await client.call(routes.logging.setLevel, { body: { level } });
      } else {
        view = await client.call(routes.logging.get);
      }
      showLevels(view, json);
    }));

  manager.command('install-units')
    .description(`Install the systemd units ${MANAGER_UNIT} and ${AGENT_UNIT} for these directories (scripts/setup.sh does, where systemd runs); neither is enabled or started here`)
    .option('--data-dir <dir>', "the manager's data directory (default: $CAPSTAN_DATA_DIR or /var/lib/capstan)")
    .option('--agent-dir <dir>', `the agent directory (default: $CAPSTAN_AGENT_DIR or ${DEFAULT_AGENT_DIR})`)
    .action(service<{ dataDir?: string; agentDir?: string }>(async (o) => {
      const cli = fileURLToPath(new URL('../../main.js', import.meta.url));
      if (!cli.endsWith('.js')) throw new UsageError('install the units from the build (node dist/cli/main.js manager install-units)');
      const written = await installUnits({ node: process.execPath, cli, dataDir: dataDirOf(o), agentDir: resolve(o.agentDir ?? agentDirFromEnv()) });
      note(written.length ? `installed ${written.join(', ')} (systemd reloaded)` : `${MANAGER_UNIT} and ${AGENT_UNIT} are up to date`);
    }));
}

export function serverCommands(program: Command): void {
  managerCommands(program);

  addServerOptions(program.command('up').description('The main job on this machine: the manager on the embedded database, ready to log in to'))
    .action(async (opts: ServerOptions) => {
      try {
        const config = configOf(opts);
        const logFile = join(config.dataDir, 'manager.log');
        // The terminal gets the banner and warnings; the full log goes to a file.
        // The file takes every level: the logger decides, and its level changes while it runs (capstan manager log-level).
        const log = pino({ level: config.logLevel }, pino.multistream([
          { level: 'warn', stream: process.stderr },
          { level: 'trace', stream: pino.destination({ dest: logFile, mkdir: true, sync: false }) },
        ]));
        const { startManager } = await import('../../../manager/main.js');
        const m = await startManager(config, log);
        const agent = await startLocalAgent(m, log);
        print([
          `Capstan is up.`,
          `  manager   ${m.url}  (API under /api/v1, OpenAPI at /api/v1/openapi.json)`,
          `  console   ${m.url}/  (the web console, same port)`,
          `  agent     this host, as system "${agent.systemName}"`,
          `  database  ${shownDatabase(config.db)}`,
          `  log       ${logFile}`,
          '',
          firstLogin(m) + `log in with:  capstan login ${m.url}${config.dataDir === loadManagerConfig().dataDir ? '' : ` --data-dir ${config.dataDir}`}`,
          'stop with Ctrl-C.',
          '',
        ].join('\n'));
        await serve(m, () => agent.stop());
      } catch (e) {
        process.exitCode = exitFor(e);
      }
    });

  const db = program.command('db').description('The manager\'s database: online backup (now or daily), offline restore');

  waitOption(db.command('backup').description('Back up the database while the manager runs (a task); prints the backup\'s path'))
    .action(remote<WaitOptions>(async (ctx) => {
      const task = await ctx.client.call(routes.backups.start);
      return finishTask(ctx, task, (t) => `backup written: ${(t.result as BackupResult).path}`);
    }));

  db.command('list').description('List the backups in the manager\'s backups directory')
    .action(remote(async ({ client, json }) => {
      const { items } = await client.call(routes.backups.list);
      if (json) printJson(items);
      else print(formatTable(['Name', 'Database', 'Size', 'Created'], items.map((b) => [b.name, b.dbKind, `${(b.sizeBytes / 1048576).toFixed(1)} MiB`, when(b.createdAt)])));
    }));

  db.command('schedule').description('Show the daily backup schedule, or set it: a backup at a local time each day, keeping the newest N backups')
    .option('--daily <HH:MM>', 'the local time of the daily backup, e.g. 02:00')
    .option('--keep <n>', 'how many backups to keep: after each scheduled backup, the oldest beyond these are deleted (the manager\'s own backup files only)', Number)
    .option('--off', 'no more scheduled backups (the backups made stay)')
    .action(remote<{ daily?: string; keep?: number; off?: boolean }>(async ({ client, json, opts }) => {
      let view: BackupScheduleView;
      if (opts.off) {
        if (opts.daily !== undefined || opts.keep !== undefined) throw new UsageError('--off takes no --daily or --keep');
        view = await client.call(routes.backups.removeSchedule);
      } else if (opts.daily !== undefined || opts.keep !== undefined) {
        if (opts.daily === undefined || opts.keep === undefined) throw new UsageError('a schedule needs both --daily HH:MM and --keep N');
        if (!Number.isInteger(opts.keep) || opts.keep < 1) throw new UsageError('--keep must be a whole number, 1 or more');
        view = await client.call(routes.backups.setSchedule, { body: { daily: opts.daily, keep: opts.keep } });
      } else {
        view = await client.call(routes.backups.schedule);
      }
      if (json) {
        printJson(view);
        return;
      }
      const s = view.schedule;
      const last = view.lastRun;
      print(formatFields([
        ['schedule', s ? `daily at ${s.daily} (local time), keeping ${s.keep} backup${s.keep === 1 ? '' : 's'}` : 'none'],
        ...(s ? [['set', `${when(s.setAt)}${s.setBy ? ` by ${s.setBy}` : ''}`] as [string, string], ['next run', when(view.nextRunAt)] as [string, string]] : []),
        ['last run', last
          ? `${last.status}, due ${when(last.scheduledFor)}${last.reason === 'missed' ? ' (run at the manager\'s start: missed while it was down)' : ''}` +
            `${last.backup ? `: ${last.backup}` : ''}${last.deleted.length ? `; deleted ${last.deleted.length} older` : ''}${last.error ? `: ${last.error}` : ''}`
          : 'none'],
      ]));
    }));

  db.command('restore').description('Replace the database by a backup; the manager must be stopped (on its host)')
    .argument('<file>', 'the backup file')
    .option('--data-dir <dir>', 'the manager\'s data directory (default: $CAPSTAN_DATA_DIR or /var/lib/capstan)')
    .option('--db <location>', 'the database to replace (default: the one the manager last ran with)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (file: string, opts: ServerOptions & { yes?: boolean }) => {
      try {
        const config = configOf(opts);
        const pid = runningManager(config.dataDir);
        if (pid) {
          note(`capstan: CAP-E0004 the manager (pid ${pid}) is running with ${config.dataDir}: stop it first`);
          process.exitCode = EXIT.conflict;
          return;
        }
        const target = restoreTarget(opts.db, config);
        const shown = shownDatabase(target.location);
        // Said before anything is asked or done: the database is replaced completely.
        note(`restoring into ${shown}: ${target.why}`);
        if (!opts.yes && !(await confirm(`Replace the database ${shown} completely by ${file}?`))) {
          note('nothing changed');
          process.exitCode = EXIT.failed;
          return;
        }
        const { restoreBackup } = await import('../../../manager/backup/restore.js');
        const manifest = await restoreBackup(file, target.location);
        note(`restored ${manifest.dbKind} database ${shown} from ${file} (made ${when(manifest.createdAt)}, schema ${manifest.schemaVersion})`);
      } catch (e) {
        process.exitCode = exitFor(e);
      }
    });
}
