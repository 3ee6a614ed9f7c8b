// Shared by the inventory tests: a TEST-ONLY system driver that stands in for an agent, so
// the real task path (claim, Transitional, driver, final state or Broken) runs end to end,
// and small helpers to call the API and wait for the tasks it answers with.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { TaskView } from '../../src/api/tasks.js';
import type { WparState } from '../../src/api/wpar-states.js';
import type { DriverOptions, DriverResult, DriverSystem, DriverWpar, SystemAction, SystemDriver } from '../../src/manager/inventory/driver.js';
import { postgresUrl, startTestManager, type TestManager } from '../helpers/manager.js';

export type Headers = { authorization: string };

/** The database kinds every inventory suite runs on; PostgreSQL needs CAPSTAN_TEST_PG. */
export const DB_KINDS = [
  { kind: 'sqlite' as const, skip: false as const },
  { kind: 'postgres' as const, skip: postgresUrl() ? (false as const) : 'CAPSTAN_TEST_PG is not set (run through scripts/test.sh)' },
];

export async function startManager(kind: 'sqlite' | 'postgres'): Promise<{ m: TestManager; admin: Headers; user: Headers; monitor: Headers }> {
  const m = await startTestManager({ kind });
  const admin = (await m.userWithRoles(['WPARAdministrator'])).headers;
  const user = (await m.userWithRoles(['WPARUser'])).headers;
  const monitor = (await m.userWithRoles(['WPARMonitor'])).headers;
  return { m, admin, user, monitor };
}

export type Call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: object) => Promise<LightMyRequestResponse>;

/** One manager per suite, on a fresh database of `kind`, with a user of each WPAR role and a way to call its API. */
export function managerPerSuite(kind: 'sqlite' | 'postgres'): Awaited<ReturnType<typeof startManager>> & { call: Call } {
  const s = {} as Awaited<ReturnType<typeof startManager>> & { call: Call };
  before(async () => {
    Object.assign(s, await startManager(kind));
  });
  after(async () => {
    await s.m?.close();
  });
  s.call = (method, url, headers, payload) => s.m.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
  return s;
}

export interface DriverCall {
  system: string;
  action: SystemAction;
  wpar: string;
  opts: Omit<DriverOptions, 'signal'>;
}

/**
 * A TEST-ONLY stand-in for a system's agent. It keeps the state of the WPARs on its system
 * as the seed's lifecycle moves them, records every call, and can be told to fail, to report
 * a wrong state, or to hold an action until released.
 */
export class TestSystemDriver implements SystemDriver {
  readonly calls: DriverCall[] = [];
  /** The WPARs on this system and their state. */
  readonly states = new Map<string, WparState>();
  /** The next call throws this. */
  failNext?: Error;
  /** The next call reports this state instead of the right one. */
  misreportNext?: WparState;
  private held?: { started: () => void; release: Promise<void> };

  async perform(system: DriverSystem, action: SystemAction, wpar: DriverWpar, opts: DriverOptions): Promise<DriverResult> {
    const { signal: _signal, log: _log, ...rest } = opts;
    this.calls.push({ system: system.name, action, wpar: wpar.name, opts: rest });
    if (this.held) {
      const held = this.held;
      this.held = undefined;
      held.started();
      await held.release;
    }
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    const state = this.misreportNext ?? reported(action, wpar, opts, this.states.get(wpar.name));
    this.misreportNext = undefined;
    if (state === 'Undeployed') this.states.delete(wpar.name);
    else this.states.set(wpar.name, state);
    return { state, output: [`test driver: ${action} ${wpar.name} on ${system.name}`] };
  }

  /** Holds the next call; resolves `started` once it is inside the driver. */
  holdNext(): { started: Promise<void>; release: () => void } {
    let release!: () => void;
    let started!: () => void;
    const startedP = new Promise<void>((r) => { started = r; });
    this.held = { started, release: new Promise<void>((r) => { release = r; }) };
    return { started: startedP, release };
  }
}

/** What a system reports after an action, as the seed describes each one. */
function reported(action: SystemAction, wpar: DriverWpar, opts: DriverOptions, current: WparState | undefined): WparState {
  const app = wpar.spec.type === 'application';
  switch (action) {
    case 'deploy': return app || opts.start ? 'Active' : 'Defined';
    case 'start': case 'resume': return 'Active';
    case 'stop': case 'endProcesses': return app ? 'Undeployed' : 'Defined';
    case 'pause': return 'Paused';
    case 'freeze': return 'Frozen';
    case 'remove': return 'Undeployed';
    case 'modify': return current ?? 'Broken';
  }
}

/** Adds a system and connects a test driver to it. */
export async function connectedSystem(m: TestManager, admin: Headers, name: string): Promise<{ id: string; driver: TestSystemDriver }> {
  const res = await m.app.inject({ method: 'POST', url: '/api/v1/systems', headers: admin, payload: { name, host: `${name}.example.test` } });
  assert.equal(res.statusCode, 201, res.body);
  const id = res.json().id as string;
  const driver = new TestSystemDriver();
  m.services.inventory.drivers.connect(id, driver);
  return { id, driver };
}

/** Asserts the 202 answer of a change and waits for its task to end. */
export async function finished(m: TestManager, res: LightMyRequestResponse): Promise<TaskView> {
  assert.equal(res.statusCode, 202, res.body);
  const task = res.json() as TaskView;
  return m.services.tasks.wait(task.id, 10_000);
}

export async function succeeded(m: TestManager, res: LightMyRequestResponse): Promise<TaskView> {
  const task = await finished(m, res);
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  return task;
}

/** A refusal: the status and the stable code. */
export function refused(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().code, code, res.body);
}

/** Rows of a table: to show a refusal stored nothing. */
export async function count(m: TestManager, table: 'wpars' | 'tasks' | 'systems' | 'relocation_domains' | 'wpar_groups'): Promise<number> {
  const row = await m.services.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Asserts a refusal stored nothing: no WPAR, no task. */
export async function storesNothing(m: TestManager, work: () => Promise<void>): Promise<void> {
  const [wpars, tasks] = [await count(m, 'wpars'), await count(m, 'tasks')];
  await work();
  assert.equal(await count(m, 'wpars'), wpars, 'no WPAR stored');
  assert.equal(await count(m, 'tasks'), tasks, 'no task stored');
}
