// The manager process: claims its data directory, opens and migrates the database (and
// records which one it is, for an offline restore), makes the first administrator on a
// fresh database, recovers the tasks a previous process left, and serves the API over
// HTTPS until it is told to stop.
import { mkdirSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { recordDatabase, shownDatabase, type ManagerConfig } from './config.js';
import { openDatabase } from './db/index.js';
import { ConsoleRelay } from './consoles/relay.js';
import { buildApp } from './http/app.js';
import { routeUpgrades } from './http/upgrades.js';
import type { App } from './http/types.js';
import { claimDataDir, removeRunRecord, writeRunRecord } from './pidfile.js';
import { managerTls } from './pki/self-signed.js';
import { createServices, type Services } from './services.js';
import { initialAdminLogin } from './users/bootstrap.js';

export interface RunningManager {
  url: string;
  /** The PEM certificate the manager serves (clients pin it when it is self-signed). */
  certificate: string;
  /** Until the administrator's one-time password is replaced: the first login. */
  initialAdmin: { name: string; password: string } | null;
  services: Services;
  app: App;
  log: Logger;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The command-line options it runs with (`capstan manager run …`), kept for a restart; none under `capstan up`. */
  runArgs?: string[];
}

export async function startManager(config: ManagerConfig, log: Logger = pino({ level: config.logLevel }), opts: StartOptions = {}): Promise<RunningManager> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const release = claimDataDir(config.dataDir);
  try {
    const handle = await openDatabase(config.db);
    // Once it opens: an offline restore then finds the database this manager really runs with.
    try {
      recordDatabase(config.dataDir, handle.location);
    } catch (e) {
      await handle.close();
      throw e;
    }
    const services = createServices(config, handle, log);
    await services.logLevels.load();
    const initialAdmin = await initialAdminLogin(services, config.dataDir);
    await services.tasks.recover();
    const tls = managerTls(config.dataDir, config.tls);
    const app = await buildApp(services, { tls, clientCa: await services.agents.enrolment.caCertificate(), logger: log.child({ component: 'http' }), limits: config.http });
    const consoles = new ConsoleRelay({
      sessions: services.sessions, wpars: services.inventory.wpars, agents: services.agents.client, enrolment: services.agents.enrolment, log: log.child({ component: 'console' }),
      mayEnter: async (principal, wpar) => services.inventory.privileges.assertMayEnter(
        principal, { name: wpar.name, spec: await services.inventory.wparStore.spec(wpar.id), unaccepted: wpar.privilegesUnaccepted },
        wpar.system ? { systemId: wpar.system.id } : { groupId: wpar.group.id },
      ),
    });
    routeUpgrades(app.server as import('node:http').Server, [services.agents.hub, consoles]);
    await services.agents.start();
    await services.mobility.start();
    await app.listen({ host: config.host, port: config.port });
    services.capacity.startMeter();
    services.balance.start();
    const port = (app.server.address() as { port: number }).port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = `https://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
    const localHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
    writeRunRecord(config.dataDir, {
      pid: process.pid, url, localAddress: localHost, port, startedAt: new Date().toISOString(),
      database: shownDatabase(handle.location), dbKind: handle.kind, args: opts.runArgs ?? null,
    });
    // Its first tick runs a backup whose time passed while the manager was down; not waited for.
    void services.backupSchedule.start();
    log.info({ url, db: handle.kind, dataDir: config.dataDir }, 'manager started');

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        await services.backupSchedule.stop();
        await services.balance.stop();
        consoles.close();
        await services.agents.stop();
        await services.mobility.stop();
        await services.capacity.stop();
        await app.close();
        await services.tasks.shutdown();
        await handle.close();
        removeRunRecord(config.dataDir);
        release();
        log.info('manager stopped');
      })());
    return { url, certificate: tls.cert, initialAdmin, services, app, log, stop };
  } catch (e) {
    release();
    throw e;
  }
}
