// Application mobility in the console, in a real browser against a real manager: a system's
// compatibility with every other (optional tests applied, every test both ways on expand, the
// note while its testing is not done); relocating a WPAR by hand, with the confirmation a
// system less than fully compatible takes, the manager's own CAP-E0925 when the state changed
// under the dialog, and a relocation task that fails (CAP-E0302) shown with its code; an
// automatic relocation followed live to its end and the WPAR's new system; evacuating a system
// (progress, moved and left with reasons, the "no placement" badge) and restoring it; what a
// WPARMonitor and a WPARUser may press; and colour contrast with the new views open.
//
// There are no real agents here. Systems are added through the inventory and their host
// profiles written as an agent's report would (then the hub's "profile reported" hook runs the
// background compatibility testing, as in test/manager/mobility.test.ts). WPARs are defined
// through the inventory and put Active on a system in the database, as if deployed. For the
// relocations that must succeed, a TEST-ONLY stand-in answers the manager's requests to the
// agents of a few systems (which get an agent certificate row, as a registered agent has);
// every other system has no agent, so a relocation to it fails as it would in production.
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { HostProfile } from '../../src/api/agents.js';
import { CapstanError } from '../../src/api/errors.js';
import type { AgentHub, AgentResult } from '../../src/manager/agents/hub.js';
import { managerActor } from '../../src/manager/inventory/privilege-guard.js';
import { hostProfile } from '../manager/mobility-fixtures.js';
import { contrastCheckerPage, contrastViolations, hasFocus, login, startConsoleHarness, type ConsoleHarness } from './harness.js';

const GIB = 2 ** 30;
type AgentRequest = Parameters<AgentHub['request']>[1];

/**
 * TEST-ONLY: answers the manager's relocation requests (arrive, depart, settle) for the agents
 * of `systems`, as agents that moved the WPAR would; any other system answers as the hub does
 * when no agent is connected. The next depart can be held, to watch the task while it runs.
 */
class StandInAgents {
  readonly requests: { system: string; type: string }[] = [];
  private readonly real: AgentHub['request'];
  private readonly realConnected: AgentHub['connected'];
  private held?: { started: () => void; release: Promise<void> };

  constructor(private readonly hub: AgentHub, private readonly systems: ReadonlyMap<string, string>) {
    this.real = hub.request;
    this.realConnected = hub.connected;
    hub.request = (systemId, body) => this.answer(systemId, body);
    hub.connected = (systemId) => systems.has(systemId);
  }

  restore(): void {
    this.hub.request = this.real;
    this.hub.connected = this.realConnected;
  }

  holdNextDepart(): { started: Promise<void>; release: () => void } {
    let release!: () => void;
    let started!: () => void;
    const startedP = new Promise<void>((r) => { started = r; });
    this.held = { started, release: new Promise<void>((r) => { release = r; }) };
    return { started: startedP, release };
  }

  private async answer(systemId: string, body: AgentRequest): Promise<AgentResult> {
    const name = this.systems.get(systemId);
    if (!name) throw new CapstanError('CAP-E0302', systemId);
    this.requests.push({ system: name, type: body.type === 'settle' ? `settle ${body.outcome}` : body.type });
    if (body.type === 'depart' && this.held) {
      const held = this.held;
      this.held = undefined;
      held.started();
      await held.release;
    }
    return { type: 'result', id: randomUUID(), ok: true, state: 'Active', output: [`stand-in agent of ${name}: ${body.type}`] };
  }
}

describe('web console: application mobility', () => {
  let h: ConsoleHarness;
  let admin: { name: string; password: string };
  let user: { name: string; password: string };
  let monitor: { name: string; password: string };
  let agents: StandInAgents;
  const ids: Record<string, string> = {};
  const contexts: BrowserContext[] = [];

  const loggedIn = async (who: { name: string; password: string }): Promise<Page> => {
    const ctx = await h.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    await login(page, who.name, who.password);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  };
  const services = () => h.manager.services;
  /** What an agent's report does: the profile stored, then the hub's listeners told; waits for the testing. */
  const report = async (name: string, profile: HostProfile, state: 'Online' | 'Offline' = 'Online') => {
    await services().db.updateTable('systems').set({ profile: JSON.stringify(profile), state }).where('id', '=', ids[name]!).execute();
    services().agents.hub.profileReported(ids[name]!);
    await services().mobility.compatibility.idle();
  };
  /** A checkpointable (or not) system WPAR, Active on `system` as if deployed there. */
  const activeWpar = async (name: string, system: string, checkpointable = true) => {
    const task = await services().inventory.wpars.create({ name, type: 'system', image: 'busybox', interfaces: [], mounts: [], resources: {}, checkpointable }, managerActor('test'));
    assert.equal((await services().tasks.wait(task.id, 10_000)).status, 'succeeded');
    const w = await services().inventory.wpars.get(name);
    await services().db.updateTable('wpars').set({ state: 'Active', system_id: ids[system]! }).where('id', '=', w.id).execute();
    ids[name] = w.id;
  };
  const relocations = (wpar: string) => services().db.selectFrom('tasks').select(['id', 'status', 'error_code', 'params'])
    .where('kind', '=', 'wpar.relocate').where('target_id', '=', ids[wpar]!).orderBy('created_at').execute();
  const cellTexts = async (row: Locator) => (await row.getByRole('cell').allTextContents()).map((t) => t.trim());
  /** The buttons in the main region a user could press to change something (sorting and disclosure change nothing). */
  const enabledActions = async (page: Page): Promise<string[]> => {
    const enabled: string[] = [];
    for (const b of await page.getByRole('main').getByRole('button').all()) {
      const cls = (await b.getAttribute('class')) ?? '';
      if (cls.includes('sort') || cls.includes('disclosure')) continue;
      if (await b.isEnabled()) enabled.push((await b.textContent())?.trim() ?? '');
    }
    return enabled;
  };
  const compatTable = (page: Page, system: string) => page.getByRole('table', { name: `Compatibility of ${system} with every other system` });
  const linkRow = (scope: Locator, name: string) => scope.getByRole('row').filter({ has: scope.page().getByRole('link', { name, exact: true }) });
  /** The dialog's own Close (its title bar's × is named Close too). */
  const closeButton = (dialog: Locator) => dialog.locator('.buttons').getByRole('button', { name: 'Close', exact: true });
  const openRelocate = async (page: Page, wpar: string): Promise<Locator> => {
    await page.goto(`/wpars/${wpar}`);
    await page.getByRole('toolbar', { name: `Actions on ${wpar}` }).getByRole('button', { name: 'Relocate' }).click();
    const dialog = page.getByRole('dialog', { name: `Relocate ${wpar}` });
    await dialog.getByRole('radio', { name: /^Manual/ }).waitFor();
    return dialog;
  };

  before(async () => {
    h = await startConsoleHarness();
    const base = hostProfile();
    const systems: [string, HostProfile | null, 'Online' | 'Offline'][] = [
      ['dep', base, 'Online'],
      // Same software; half the memory: fully compatible unless the memory test is applied.
      ['twin', hostProfile({ memoryBytes: 16 * GIB }), 'Online'],
      ['evac1', base, 'Online'],
      ['shift', base, 'Online'],
      ['newer', hostProfile({ kernel: '6.12.0' }), 'Online'],
      ['older', hostProfile({ kernel: '6.0.0' }), 'Online'],
      ['odd', hostProfile({ cpu: { vendor: 'AuthenticAMD' } }), 'Online'],
      ['down', base, 'Offline'],
      // Never reported: its testing is not done.
      ['fresh', null, 'Online'],
    ];
    for (const [name] of systems) ids[name] = (await services().inventory.systems.create({ name, host: `${name}.example.test` })).id;
    for (const [name, profile, state] of systems) if (profile) await report(name, profile, state);

    // Registered agents (certificate rows) for the systems the stand-in answers for.
    const standIn = new Map(['dep', 'twin', 'evac1'].map((n) => [ids[n]!, n]));
    const now = new Date().toISOString();
    for (const id of standIn.keys()) {
      await services().db.insertInto('agent_certificates').values({
        serial: randomBytes(8).toString('hex').toUpperCase(), system_id: id, state: 'registered', agent_port: 7443,
        not_after: new Date(Date.now() + 86_400_000).toISOString(), created_at: now, revoked_at: null,
      }).execute();
    }
    agents = new StandInAgents(services().agents.hub, standIn);

    await activeWpar('mob1', 'dep');
    await activeWpar('still', 'dep', false);
    await activeWpar('ev1', 'evac1');
    await activeWpar('ev2', 'evac1', false);

    // Recent use: mob1 needs 1 core and 2 GiB; twin is quieter than evac1 and shift, so it ranks first.
    const t = Date.now() - 60_000;
    const sample = (kind: 'system' | 'wpar', id: string, system: string, cpuCores: number, memoryBytes: number) => ({
      subject_kind: kind, subject_id: id, system_id: system, t, cpu_cores: cpuCores, cpu_util: cpuCores / 8, memory_bytes: memoryBytes,
      memory_util: memoryBytes / (32 * GIB), processes: 1, net_rx: 0, net_tx: 0, disk_read: 0, disk_write: 0, effective_cpu_util: null,
    });
    await services().db.insertInto('metric_samples').values([
      sample('wpar', ids.mob1!, ids.dep!, 1, 2 * GIB),
      sample('system', ids.twin!, ids.twin!, 1, 4 * GIB),
      sample('system', ids.evac1!, ids.evac1!, 4, 16 * GIB),
      sample('system', ids.shift!, ids.shift!, 6, 24 * GIB),
    ]).execute();

    admin = await h.userWithRoles(['WPARAdministrator']);
    user = await h.userWithRoles(['WPARUser']);
    monitor = await h.userWithRoles(['WPARMonitor']);
  });

  after(async () => {
    agents?.restore();
    for (const c of contexts) await c.close().catch(() => undefined);
    await h?.close();
  });

  it('shows a system\'s compatibility with every other both ways, with optional tests applied and every test on expand', async () => {
    const page = await loggedIn(user);
    await page.goto('/systems/dep');
    const table = compatTable(page, 'dep');
    await linkRow(table, 'twin').waitFor();
    const expected: Record<string, string[]> = {
      down: ['fully compatible', 'none', 'none'],
      evac1: ['fully compatible', 'none', 'none'],
      fresh: ['testing not done', '—', '—'],
      newer: ['outbound compatible', 'none', 'Kernel'],
      odd: ['incompatible', 'CPU vendor', 'CPU vendor'],
      older: ['inbound compatible', 'Kernel', 'none'],
      shift: ['fully compatible', 'none', 'none'],
      twin: ['fully compatible', 'none', 'none'],
    };
    for (const [name, cells] of Object.entries(expected)) {
      assert.deepEqual((await cellTexts(linkRow(table, name))).slice(0, 4), [name, ...cells], name);
    }
    await page.getByText(/^Tested against every other system with a host profile: /).waitFor();

    // The memory test: twin has half dep's memory, so only the way back (twin → dep) is safe.
    await page.getByRole('group', { name: 'Optional tests to apply' }).getByRole('checkbox', { name: /^Memory:/ }).check();
    await linkRow(table, 'twin').getByText('inbound compatible').waitFor();
    assert.deepEqual((await cellTexts(linkRow(table, 'twin'))).slice(0, 4), ['twin', 'inbound compatible', 'Memory', 'none']);
    assert.deepEqual((await cellTexts(linkRow(table, 'shift'))).slice(0, 2), ['shift', 'fully compatible']);
    await page.getByRole('checkbox', { name: /^Memory:/ }).uncheck();
    await linkRow(table, 'twin').getByText('fully compatible').waitFor();

    // Every test, both ways, with its reason.
    const toggle = linkRow(table, 'newer').getByRole('button', { name: 'Tests with newer' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const details = page.getByRole('group', { name: 'Tests between dep and newer' });
    assert.equal(await toggle.getAttribute('aria-controls'), await details.getAttribute('id'));
    await details.getByText(/^A WPAR can go from dep to newer but not come back/).waitFor();
    const tests = details.getByRole('table', { name: 'Every test between dep and newer, both ways' });
    assert.equal(await tests.getByRole('row').count(), 1 + 13, 'a header and every one of the 13 tests');
    const kernel = tests.getByRole('row').filter({ hasText: /^Kernel/ });
    assert.deepEqual((await cellTexts(kernel)).slice(1), [
      'critical',
      'Passed arrival kernel 6.12.0 is at least the departure\'s 6.1.0-18-amd64',
      'Failed arrival kernel 6.1.0-18-amd64 is older than the departure\'s 6.12.0',
    ]);
    const memory = tests.getByRole('row').filter({ hasText: /^Memory/ });
    assert.equal((await cellTexts(memory))[1], 'optional, not applied');
    await toggle.click();
    await details.waitFor({ state: 'detached' });

    // A system whose testing is not done says so, and is not offered.
    await page.goto('/systems/fresh');
    await page.getByText('Compatibility testing of fresh is not done: not offered for relocation yet.').waitFor();
    await linkRow(compatTable(page, 'fresh'), 'dep').getByText('testing not done').waitFor();
  });

  it('relocates by hand only after a confirmation that says what the state means, and shows a failed task with its code', async () => {
    const page = await loggedIn(user);
    const dialog = await openRelocate(page, 'mob1');
    await dialog.getByRole('radio', { name: /^Manual/ }).check();
    const manualTable = dialog.getByRole('table', { name: 'Systems mob1 may be relocated to by hand' });
    // Not offered: listed, disabled, with why.
    for (const [name, why] of [['down', 'the system is Offline'], ['fresh', 'compatibility testing is not done']]) {
      const radio = dialog.getByRole('radio', { name: `${name} (not offered: ${why})`, exact: true });
      assert.equal(await radio.isDisabled(), true, name);
    }
    const newerRow = manualTable.getByRole('row').filter({ has: page.getByRole('radio', { name: 'newer', exact: true }) });
    assert.deepEqual((await cellTexts(newerRow)).slice(0, 3), ['newer', 'outbound compatible', 'yes, once confirmed']);
    assert.equal(await dialog.getByRole('radio', { name: 'dep', exact: true }).count(), 0, 'not the system it is on');

    const confirmStep = async (system: string, label: string, meaning: string | RegExp) => {
      await dialog.getByRole('radio', { name: system, exact: true }).check();
      await dialog.getByRole('button', { name: 'Relocate', exact: true }).click();
      const heading = dialog.getByRole('heading', { name: `Confirm: ${system} is ${label}` });
      await hasFocus(heading);
      await dialog.getByText(meaning).waitFor();
    };
    await confirmStep('newer', 'outbound compatible', 'A WPAR can go from dep to newer but not come back: the tests from newer to dep fail.');
    await dialog.getByText('Tests failing from dep to newer: none').waitFor();
    await dialog.getByText('Tests failing from newer to dep: Kernel').waitFor();
    assert.equal(await dialog.getByRole('alert').count(), 0, 'the console asked on its own: the manager refused nothing');
    await dialog.getByRole('button', { name: 'Back' }).click();
    await confirmStep('older', 'inbound compatible', /^Only the reverse is safe \(from older to dep\).*will probably fail\.$/);
    await dialog.getByRole('button', { name: 'Back' }).click();
    await confirmStep('odd', 'incompatible', 'The tests fail both ways: relocating from dep to odd will probably fail.');
    await dialog.getByText('Tests failing from dep to odd: CPU vendor').waitFor();
    await dialog.getByRole('button', { name: 'Back' }).click();
    assert.deepEqual(await relocations('mob1'), [], 'nothing asked of the manager yet');

    // shift was fully compatible when the dialog loaded; its kernel is now older than dep's.
    await dialog.getByRole('radio', { name: 'shift', exact: true }).check();
    await report('shift', hostProfile({ kernel: '6.0.0' }));
    await dialog.getByRole('button', { name: 'Relocate', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Confirm: shift is inbound compatible' }).waitFor();
    await dialog.getByRole('alert').filter({ hasText: /^The manager asks for a confirmation: CAP-E0925: .*shift is inbound compatible/ }).waitFor();
    assert.deepEqual(await relocations('mob1'), [], 'refused: no task');

    // Confirmed: a task, which fails (shift has no agent) and says so with its code.
    await dialog.getByRole('button', { name: 'Relocate anyway' }).click();
    await dialog.getByRole('heading', { name: 'Relocating mob1 to shift' }).waitFor();
    await dialog.getByRole('status').filter({ hasText: /^Status: failed/ }).waitFor();
    await dialog.locator('.form-error').filter({ hasText: /^CAP-E0302: the system is not online/ }).waitFor();
    await dialog.getByText('mob1 was not relocated to shift.').waitFor();
    const [task] = await relocations('mob1');
    assert.equal(task?.status, 'failed');
    assert.equal(task?.error_code, 'CAP-E0302');
    assert.equal(JSON.parse(task!.params).toId, ids.shift);
    await dialog.getByRole('link', { name: 'Task details' }).waitFor();
    await closeButton(dialog).click();
    await dialog.waitFor({ state: 'detached' });
    const w = await services().inventory.wpars.get('mob1');
    assert.deepEqual([w.state, w.system?.name, w.busyTaskId], ['Active', 'dep', null]);
  });

  it('relocates automatically to the best candidate, preselected, and follows the task live to the WPAR\'s new system', async () => {
    const page = await loggedIn(user);
    await page.goto('/wpars');
    const row = (name: string) => page.getByRole('table', { name: 'Workload partitions' }).getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    const toolbar = page.getByRole('toolbar', { name: 'Actions on the selected WPARs' });
    await row('mob1').getByRole('checkbox').check();
    await row('still').getByRole('checkbox').check();
    assert.equal(await toolbar.getByRole('button', { name: 'Relocate' }).isDisabled(), true, 'one WPAR at a time');
    await row('still').getByRole('checkbox').uncheck();
    await toolbar.getByRole('button', { name: 'Relocate' }).click();

    const dialog = page.getByRole('dialog', { name: 'Relocate mob1' });
    const candidates = dialog.getByRole('table', { name: 'Automatic candidates for mob1, best first' });
    await candidates.waitFor();
    assert.equal(await dialog.getByRole('radio', { name: /^Automatic/ }).isChecked(), true);
    assert.equal(await dialog.getByRole('radio', { name: 'twin (best)' }).isChecked(), true);
    // With mob1 on it: twin 2 of 8 cores and 6 of 16 GiB; evac1 5 of 8 cores and 18 of 32 GiB.
    const rows = [];
    for (const r of (await candidates.getByRole('row').all()).slice(1)) {
      const [system, , cpu, memory] = await cellTexts(r);
      rows.push([system, cpu, memory]);
    }
    assert.deepEqual(rows, [['twin (best)', '25%', '38%'], ['evac1', '63%', '56%']]);

    const hold = agents.holdNextDepart();
    await dialog.getByRole('button', { name: 'Relocate', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Relocating mob1 to twin' }).waitFor();
    await hold.started;
    // Live: the arrival prepared, the move under way.
    await dialog.getByRole('status').filter({ hasText: 'Status: running — moving mob1 (postCopy)' }).waitFor();
    await dialog.getByRole('list', { name: 'Steps: relocation of mob1' }).getByRole('listitem').filter({ hasText: 'prepare arrival on twin' }).getByText('succeeded').waitFor();
    assert.equal((await services().inventory.wpars.get('mob1')).state, 'Transitional');
    hold.release();

    await dialog.getByRole('status').filter({ hasText: /^Status: succeeded/ }).waitFor();
    await dialog.getByText('mob1 now runs on twin.').waitFor();
    assert.equal(await dialog.getByRole('progressbar', { name: 'Progress: relocation of mob1' }).evaluate((el) => (el as HTMLProgressElement).value), 1);
    await closeButton(dialog).click();
    await row('mob1').getByRole('link', { name: 'twin', exact: true }).waitFor();
    const w = await services().inventory.wpars.get('mob1');
    assert.deepEqual([w.state, w.system?.name], ['Active', 'twin']);
    assert.deepEqual(agents.requests, [{ system: 'twin', type: 'arrive' }, { system: 'dep', type: 'depart' }, { system: 'dep', type: 'settle drop' }, { system: 'twin', type: 'settle keep' }]);
  });

  it('evacuates a system after confirmation: progress, moved and left with reasons, the no-placement badge; then restores it', async () => {
    const page = await loggedIn(admin);
    await page.goto('/systems/evac1');
    const toolbar = page.getByRole('toolbar', { name: 'Actions on evac1' });
    assert.equal(await toolbar.getByRole('button', { name: 'Restore' }).isDisabled(), true, 'not evacuated yet');
    await toolbar.getByRole('button', { name: 'Evacuate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Evacuate evac1' });
    await dialog.getByText(/^Every WPAR on evac1 \(ev1, ev2\) is relocated live.*nothing is placed on evac1 until you restore it\.$/).waitFor();
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await services().inventory.systems.get('evac1')).placementBlocked, false);

    await toolbar.getByRole('button', { name: 'Evacuate' }).click();
    await dialog.getByRole('button', { name: 'Evacuate' }).click();
    await dialog.getByRole('heading', { name: 'Evacuating evac1' }).waitFor();
    await dialog.getByRole('status').filter({ hasText: /^Status: failed/ }).waitFor();
    await dialog.locator('.form-error').filter({ hasText: /^CAP-E0927: the evacuation left WPARs on the system: ev2: / }).waitFor();
    const steps = dialog.getByRole('list', { name: 'Steps: evacuation of evac1' }).getByRole('listitem');
    assert.deepEqual((await steps.allTextContents()).map((s) => s.trim()), ['mark evac1: no placement succeeded', 'plan where 2 WPARs go succeeded', 'relocate ev1 succeeded', 'relocate ev2 succeeded']);
    const moved = dialog.getByRole('table', { name: 'WPARs moved off evac1' });
    assert.deepEqual(await cellTexts(moved.getByRole('row').nth(1)), ['ev1', 'dep']);
    const left = dialog.getByRole('table', { name: 'WPARs left on evac1' });
    const leftRow = await cellTexts(left.getByRole('row').nth(1));
    assert.equal(leftRow[0], 'ev2');
    assert.match(leftRow[1] ?? '', /^the WPAR is not checkpointable: ev2/);
    assert.equal(await left.getByRole('row').count(), 2);
    await closeButton(dialog).click();

    await page.getByRole('heading', { name: /Managed system evac1/ }).getByText('Evacuated — no placement').waitFor();
    assert.deepEqual([(await services().inventory.wpars.get('ev1')).system?.name, (await services().inventory.wpars.get('ev2')).system?.name], ['dep', 'evac1']);
    assert.equal((await services().inventory.systems.get('evac1')).placementBlocked, true);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Managed systems' }).click();
    await linkRow(page.getByRole('table', { name: 'Managed systems' }), 'evac1').getByText('Evacuated — no placement').waitFor();
    assert.equal(await page.getByText('Evacuated — no placement').count(), 1, 'only the evacuated system');

    // Meanwhile it is not offered for relocation.
    const relocate = await openRelocate(page, 'mob1');
    await relocate.getByRole('radio', { name: /^Manual/ }).check();
    assert.equal(await relocate.getByRole('radio', { name: 'evac1 (not offered: the system is being evacuated)' }).isDisabled(), true);
    await relocate.getByRole('button', { name: 'Cancel' }).click();

    await page.goto('/systems/evac1');
    await toolbar.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('heading', { name: /Managed system evac1/ }).getByText('Evacuated — no placement').waitFor({ state: 'detached' });
    assert.equal(await toolbar.getByRole('button', { name: 'Restore' }).isDisabled(), true);
    assert.equal((await services().inventory.systems.get('evac1')).placementBlocked, false);
  });

  it('disables relocate, evacuate and restore by role and state, and the API refuses a WPARMonitor\'s forged requests', async () => {
    const page = await loggedIn(monitor);
    await page.goto('/wpars/mob1');
    const relocate = page.getByRole('toolbar', { name: 'Actions on mob1' }).getByRole('button', { name: 'Relocate' });
    await relocate.waitFor();
    assert.equal(await relocate.isDisabled(), true);
    assert.equal(await relocate.getAttribute('title'), 'your roles do not allow WPAR actions');
    assert.deepEqual(await enabledActions(page), []);

    // A monitor reads compatibility, and may look at the tests, but changes nothing.
    await page.goto('/systems/evac1');
    const toolbar = page.getByRole('toolbar', { name: 'Actions on evac1' });
    await linkRow(compatTable(page, 'evac1'), 'dep').getByText('fully compatible').waitFor();
    assert.equal(await toolbar.getByRole('button', { name: 'Evacuate' }).isDisabled(), true);
    assert.equal(await toolbar.getByRole('button', { name: 'Restore' }).isDisabled(), true);
    assert.deepEqual(await enabledActions(page), []);

    // Anonymous functions only: the test's compiler would wrap a named one in a helper the page lacks.
    const forged = await page.evaluate((requests) => Promise.all(requests.map(async ([url, body]) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return [r.status, (await r.json()).code];
    })), [
      ['/api/v1/wpars/mob1/actions/relocate', { to: 'dep' }],
      [`/api/v1/systems/${ids.evac1}/actions/evacuate`, {}],
      [`/api/v1/systems/${ids.evac1}/actions/restore`, {}],
    ] as [string, object][]);
    assert.deepEqual(forged, [[403, 'CAP-E0102'], [403, 'CAP-E0102'], [403, 'CAP-E0102']]);
    assert.equal((await services().inventory.wpars.get('mob1')).system?.name, 'twin');

    // A WPARUser relocates WPARs but does not evacuate systems; a WPAR that is not checkpointable is not relocated.
    const userPage = await loggedIn(user);
    await userPage.goto('/systems/dep');
    assert.equal(await userPage.getByRole('toolbar', { name: 'Actions on dep' }).getByRole('button', { name: 'Evacuate' }).isDisabled(), true);
    await userPage.goto('/wpars/still');
    const notCheckpointable = userPage.getByRole('toolbar', { name: 'Actions on still' }).getByRole('button', { name: 'Relocate' });
    await notCheckpointable.waitFor();
    assert.equal(await notCheckpointable.isDisabled(), true);
    assert.equal(await notCheckpointable.getAttribute('title'), 'still: needs relocation enabled (checkpointable)');
    await userPage.goto('/wpars/mob1');
    assert.equal(await userPage.getByRole('toolbar', { name: 'Actions on mob1' }).getByRole('button', { name: 'Relocate' }).isEnabled(), true);
  });

  it('meets WCAG AA colour contrast with the mobility views and dialogs open (axe-core)', async () => {
    const page = await contrastCheckerPage(h, admin);
    const failures: string[] = [];
    const check = async (where: string) => failures.push(...(await contrastViolations(page)).map((f) => `${where}: ${f}`));
    await services().mobility.compatibility.setPlacementBlocked(ids.fresh!, true);
    try {
      await page.goto('/systems');
      await linkRow(page.getByRole('table', { name: 'Managed systems' }), 'fresh').getByText('Evacuated — no placement').waitFor();
      await check('/systems with an evacuated system');

      await page.goto('/systems/dep');
      const table = compatTable(page, 'dep');
      await page.getByRole('checkbox', { name: /^Memory:/ }).check();
      await linkRow(table, 'twin').getByText('inbound compatible').waitFor();
      await linkRow(table, 'newer').getByRole('button', { name: 'Tests with newer' }).click();
      await page.getByRole('group', { name: 'Tests between dep and newer' }).waitFor();
      await check('/systems/dep, a pair expanded');

      await page.goto('/systems/fresh');
      await page.getByText('not offered for relocation yet').first().waitFor();
      await check('/systems/fresh, testing not done and evacuated');

      const dialog = await openRelocate(page, 'mob1');
      await dialog.getByRole('table', { name: 'Automatic candidates for mob1, best first' }).waitFor();
      await check('relocate dialog, automatic');
      await dialog.getByRole('radio', { name: /^Manual/ }).check();
      await dialog.getByRole('radio', { name: 'odd', exact: true }).check();
      await check('relocate dialog, manual');
      await dialog.getByRole('button', { name: 'Relocate', exact: true }).click();
      await dialog.getByText('Tests failing from twin to odd: CPU vendor').waitFor();
      await check('relocate dialog, confirmation');
      await dialog.getByRole('button', { name: 'Relocate anyway' }).click();
      await dialog.getByRole('status').filter({ hasText: /^Status: failed/ }).waitFor();
      await check('relocate dialog, a failed task');
      await closeButton(dialog).click();

      await page.goto('/systems/down');
      await page.getByRole('toolbar', { name: 'Actions on down' }).getByRole('button', { name: 'Evacuate' }).click();
      const evacuate = page.getByRole('dialog', { name: 'Evacuate down' });
      await evacuate.getByText(/it has no WPAR now/).waitFor();
      await check('evacuate dialog');
      await evacuate.getByRole('button', { name: 'Evacuate' }).click();
      await evacuate.getByRole('status').filter({ hasText: /^Status: succeeded/ }).waitFor();
      await evacuate.getByText('down held no WPAR.').waitFor();
      await check('evacuate dialog, done');
    } finally {
      await services().mobility.compatibility.setPlacementBlocked(ids.fresh!, false);
      await services().mobility.compatibility.setPlacementBlocked(ids.down!, false);
    }
    assert.deepEqual(failures, []);
  });
});
