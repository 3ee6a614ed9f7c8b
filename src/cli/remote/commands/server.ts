// The processes: `capstan manager` runs the manager alone; `capstan up` is the main job on
// one machine, with the manager on the embedded database and a banner that says how to log
// in. Also the database commands: backup through the manager, restore offline.
import { join } from 'node:path';
import type { Command } from 'commander';
// The manager, the agent and the restore are imported where a command runs them: every other
// CLI call (most of them talk to a manager over HTTPS) then starts without loading them.
import pino from 'pino';
import type { BackupResult } from '../../../api/backup.js';
import { routes } from '../../../api/routes/index.js';
import { loadManagerConfig, recordedDatabase, shownDatabase, type ManagerConfig } from '../../../manager/config.js';
import type { RunningManager } from '../../../manager/main.js';
import { runningManager } from '../../../manager/pidfile.js';
import { INITIAL_PASSWORD_FILE } from '../../../manager/users/bootstrap.js';
import { DEFAULT_AGENT_PORT } from '../../../api/agents.js';
import { AgentFiles } from '../../../agent/control/config.js';
import { formatTable, note, print, printJson, when } from '../../output.js';
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

export function serverCommands(program: Command): void {
  addServerOptions(program.command('manager').description('Run the manager: HTTPS API and task engine (logs JSON on stdout)'))
    .action(async (opts: ServerOptions) => {
      try {
        const config = configOf(opts);
        const { startManager } = await import('../../../manager/main.js');
        const m = await startManager(config, pino({ level: config.logLevel }));
        if (m.initialAdmin) note(firstLogin(m));
        await serve(m);
      } catch (e) {
        process.exitCode = exitFor(e);
      }
    });

  addServerOptions(program.command('up').description('The main job on this machine: the manager on the embedded database, ready to log in to'))
    .action(async (opts: ServerOptions) => {
      try {
        const config = configOf(opts);
        const logFile = join(config.dataDir, 'manager.log');
        // The terminal gets the banner and warnings; the full log goes to a file.
        const log = pino({ level: config.logLevel }, pino.multistream([
          { level: 'warn', stream: process.stderr },
          { level: config.logLevel as pino.Level, stream: pino.destination({ dest: logFile, mkdir: true, sync: false }) },
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

  const db = program.command('db').description('The manager\'s database: online backup, offline restore');

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
