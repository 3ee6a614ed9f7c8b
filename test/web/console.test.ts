// The web console in a real browser against a real manager: serving, login with the first
// administrator's one-time password, creating, deploying and stopping WPARs, following a
// task to its end, a WPARMonitor's read-only console (and the API refusing it regardless),
// the whole create-WPAR wizard by keyboard alone, and a managed system's host profile with
// Discover and Update profile asked of its agent.
//
// WPARs are deployed on a real system: an agent registered to the manager, running real
// WPARs on a private engine (its own root, images and bridge, all removed afterwards).
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../helpers/ports.js';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { BrowserContext, Page } from 'playwright-core';
import { AgentFiles } from '../../src/agent/control/config.js';
import { configureAgent } from '../../src/agent/control/configure.js';
import { Agent } from '../../src/agent/daemon.js';
import { startHarness, type Harness } from '../engine/harness.js';
import { contrastCheckerPage, contrastViolations, hasFocus, login, startConsoleHarness, tabTo, type ConsoleHarness } from './harness.js';

describe('web console', () => {
  let h: ConsoleHarness;
  let operator: { name: string; password: string };
  let host: Harness;
  let agent: Agent | undefined;
  const agentDir = mkdtempSync(join(tmpdir(), 'capstan-web-agent-'));
  const contexts: BrowserContext[] = [];

  const newPage = async (): Promise<Page> => {
    const ctx = await h.newContext();
    contexts.push(ctx);
    return ctx.newPage();
  };
  const loggedIn = async (user: { name: string; password: string }): Promise<Page> => {
    const page = await newPage();
    await login(page, user.name, user.password);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  };
  const wparRow = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

  before(async () => {
    h = await startConsoleHarness();
    host = await startHarness();
    const files = new AgentFiles(agentDir);
    await configureAgent(files, {
      managerHost: '127.0.0.1', managerPort: Number(new URL(h.url).port), agentPort: await freePort(), host: '127.0.0.1', name: 'host1',
      password: h.manager.services.agents.enrolment.registrationPassword(),
      engine: { engineRoot: host.root, bridge: host.bridge, imageRoot: host.env.CAPSTAN_IMAGE_ROOT! },
    });
    agent = new Agent(files, pino({ level: 'silent' }));
    await agent.start();
    while ((await h.manager.services.inventory.systems.get('host1')).state !== 'Online') await sleep(100);
    operator = await h.userWithRoles(['WPARUser']);
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await agent?.stop();
    await host?.cleanup();
    await h?.close();
    rmSync(agentDir, { recursive: true, force: true });
  });

  it('serves the console on the manager port: pages fall back to index.html, assets are cached and compressed, /api stays the API', async () => {
    const page = await h.manager.app.inject({ method: 'GET', url: '/wpars/some-id' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    assert.ok(script, 'index.html names its entry script');

    const asset = await h.manager.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.equal(asset.headers['content-encoding'], 'br');
    assert.match(String(asset.headers['cache-control']), /immutable/);

    const missing = await h.manager.app.inject({ method: 'GET', url: '/assets/nothing-here.js' });
    assert.equal(missing.statusCode, 404);
    const api = await h.manager.app.inject({ method: 'GET', url: '/api/v1/no-such-route' });
    assert.equal(api.json().code, 'CAP-E0006');
    const escape = await h.manager.app.inject({ method: 'GET', url: '/..%2f..%2fpackage.json' });
    assert.notEqual(escape.statusCode, 200);
  });

  it('asks the first administrator for a new password at first login, then shows the console', async () => {
    const initial = h.manager.initialAdmin;
    assert.ok(initial, 'a fresh manager has a one-time administrator password');
    const page = await newPage();
    await login(page, initial.name, initial.password);
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await page.getByLabel('Current password').fill(initial.password);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the new password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    // The shared schema's rule, beside its field, before anything is sent.
    await page.getByText('At least 8 characters.', { exact: false }).first().waitFor();
    assert.equal(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');

    await page.getByLabel('New password', { exact: true }).fill('a-long-new-password');
    await page.getByLabel('Repeat the new password').fill('a-long-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    // administrator + WPARAdministrator: the user authority and the resources.
    await page.getByRole('link', { name: 'Users' }).waitFor();
    await page.getByRole('link', { name: 'Workload partitions' }).click();
    await page.getByRole('heading', { name: 'Workload partitions' }).waitFor();
  });

  it('creates a WPAR, deploys and stops it, and follows the task to its end', async () => {
    const page = await loggedIn(operator);
    await page.getByRole('link', { name: 'Workload partitions' }).click();

    await page.getByRole('button', { name: 'Quick create' }).click();
    const quick = page.getByRole('dialog', { name: 'Quick create a WPAR' });
    await quick.getByLabel('Name', { exact: true }).fill('web2');
    await quick.getByRole('button', { name: 'Create' }).click();
    await wparRow(page, 'web2').getByText('Undeployed').waitFor();

    await wparRow(page, 'web2').getByRole('checkbox').check();
    await page.getByRole('toolbar', { name: 'Actions on the selected WPARs' }).getByRole('button', { name: 'Deploy' }).click();
    const deploy = page.getByRole('dialog', { name: 'Deploy: web2' });
    await deploy.getByLabel('Managed system').selectOption('host1');
    await deploy.getByLabel('Start once deployed').check();
    await deploy.getByRole('button', { name: 'Deploy' }).click();
    // The list updates by itself: no reload.
    await wparRow(page, 'web2').getByText('Active').waitFor();

    await page.getByRole('toolbar', { name: 'Actions on the selected WPARs' }).getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('dialog', { name: 'Stop: web2' }).getByRole('button', { name: 'Stop' }).click();
    await wparRow(page, 'web2').getByText('Defined').waitFor();
    assert.equal((await host.engine.get('web2'))?.state, 'Defined', 'stopped on the host itself');

    // The task tray links to the stop task; its details show each operation's output.
    await page.getByRole('region', { name: 'Your recent tasks' }).getByRole('link', { name: /stop web2/ }).first().click();
    await page.getByRole('heading', { name: /Task .*stop.* on web2/ }).waitFor();
    await page.getByRole('status').filter({ hasText: /^Status: succeeded/ }).waitFor();
    await page.getByText('stopped web2').waitFor();
  });

  it('shows a WPARMonitor no enabled action, and the API refuses its forged request', async () => {
    const monitor = await h.userWithRoles(['WPARMonitor']);
    const page = await loggedIn(monitor);
    await page.getByRole('link', { name: 'Workload partitions' }).click();
    await wparRow(page, 'web2').waitFor();
    await wparRow(page, 'web2').getByRole('checkbox').check();

    const buttons = page.getByRole('main').getByRole('button');
    const enabled: string[] = [];
    for (const b of await buttons.all()) {
      const label = (await b.textContent())?.trim() ?? '';
      // Sorting the table changes nothing on the manager: it is not an action.
      if ((await b.getAttribute('class'))?.includes('sort')) continue;
      if (await b.isEnabled()) enabled.push(label);
    }
    assert.deepEqual(enabled, []);
    assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0, 'no user management for a monitor');

    const forged = await page.evaluate(async () => {
      const create = await fetch('/api/v1/wpars', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'forged', type: 'system' }) });
      const stop = await fetch('/api/v1/wpars/web2/actions/stop', { method: 'POST' });
      return [create.status, (await create.json()).code, stop.status, (await stop.json()).code];
    });
    assert.deepEqual(forged, [403, 'CAP-E0102', 403, 'CAP-E0102']);
  });

  it('shows the host profile of a system as properties, and follows Discover and Update profile to their end', async () => {
    const admin = await h.userWithRoles(['WPARAdministrator']);
    const page = await loggedIn(admin);
    await page.getByRole('link', { name: 'Managed systems' }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'host1', exact: true }) });
    await row.getByText('Online').waitFor();
    await row.getByRole('checkbox').check();
    const toolbar = page.getByRole('toolbar', { name: 'Actions on managed systems' });
    await toolbar.getByRole('button', { name: 'Discover' }).click();
    const tray = page.getByRole('region', { name: 'Your recent tasks' });
    await tray.getByRole('listitem').filter({ hasText: 'system.discover host1' }).getByText('succeeded').waitFor();

    await row.getByRole('link', { name: 'host1', exact: true }).click();
    await page.getByRole('heading', { name: /Managed system host1/ }).waitFor();
    const profile = page.getByRole('group', { name: 'Host profile of host1' });
    for (const label of ['Cores', 'Memory', 'Kernel', 'cgroup version', 'CRIU', 'Clock synchronised by NTP', 'Memory transfer for live relocation']) {
      await profile.getByRole('term').filter({ hasText: new RegExp(`^${label}$`) }).waitFor();
    }
    const system = await h.manager.services.inventory.systems.get('host1');
    assert.ok(system.systemProfile, 'the agent reported, so the system has a system profile');
    await page.getByRole('main').getByText(system.systemProfile, { exact: true }).first().waitFor();

    await page.getByRole('toolbar', { name: 'Actions on host1' }).getByRole('button', { name: 'Update profile' }).click();
    await tray.getByRole('listitem').filter({ hasText: 'system.updateProfile host1' }).getByText('succeeded').waitFor();
  });

  it('creates a WPAR with the wizard by keyboard alone, with validation messages beside the fields', async () => {
    const page = await loggedIn(operator);
    await page.goto('/wpars');
    const kb = page.keyboard;

    await tabTo(page, page.getByRole('button', { name: 'Create WPAR' }));
    await kb.press('Enter');
    await page.getByRole('heading', { name: 'Step 1 of 6: General' }).waitFor();

    // Next with no name: the message appears beside the field and the focus goes there.
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');
    const name = page.getByLabel('Name', { exact: true });
    await page.getByText(/Must start with a letter; up to 30/).first().waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await hasFocus(name);
    await kb.type('kbd1');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await hasFocus(page.getByRole('heading', { name: 'Step 2 of 6: Network' }));
    await tabTo(page, page.getByRole('button', { name: 'Add interface' }));
    await kb.press('Enter');
    await tabTo(page, page.getByLabel('IPv4 address'));
    await kb.type('10.50.0.300');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');
    await page.getByText('Must be an IPv4 address such as 10.50.0.5.').waitFor();
    await hasFocus(page.getByLabel('IPv4 address'));
    await kb.press('Backspace');
    await kb.press('Backspace');
    await kb.press('Backspace');
    await kb.type('5');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await hasFocus(page.getByRole('heading', { name: 'Step 3 of 6: Resource controls' }));
    await tabTo(page, page.getByLabel('Memory limit (MiB)'));
    await kb.type('256');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await hasFocus(page.getByRole('heading', { name: 'Step 4 of 6: File systems' }));
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await hasFocus(page.getByRole('heading', { name: 'Step 5 of 6: Deployment' }));
    await tabTo(page, page.getByLabel('Deploy on'));
    await kb.press('ArrowDown');
    assert.equal(await page.getByLabel('Deploy on').inputValue(), 'host1');
    await tabTo(page, page.getByLabel('Start it once deployed'));
    await kb.press('Space');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await hasFocus(page.getByRole('heading', { name: 'Step 6 of 6: Summary' }));
    await page.getByText('10.50.0.5').waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Create' }));
    await kb.press('Enter');

    // The create task's details, live, until it ends.
    await page.getByRole('heading', { name: /Task .* on kbd1/ }).waitFor();
    await page.getByRole('status').filter({ hasText: /^Status: succeeded/ }).waitFor();
    const w = await h.manager.services.inventory.wpars.get('kbd1');
    assert.equal(w.state, 'Active');
    assert.equal(w.system?.name, 'host1');
    assert.deepEqual(w.interfaces.map((i) => i.address), ['10.50.0.5']);
    assert.equal(w.resources.memoryLimitMiB, 256);
  });

  it('meets WCAG AA colour contrast on every page (axe-core in the browser)', async () => {
    const admin = await h.userWithRoles(['administrator', 'WPARAdministrator']);
    const page = await contrastCheckerPage(h, admin);
    const failures: string[] = [];
    for (const path of ['/wpars', '/wpars/web2', '/wpars/new', '/systems', '/systems/host1', '/agents', '/capacity', '/capacity/settings', '/groups', '/domains', '/tasks', '/settings/users', '/settings/roles', '/settings/backups', '/settings/account']) {
      await page.goto(path);
      await page.getByRole('main').waitFor();
      await page.waitForLoadState('networkidle');
      failures.push(...(await contrastViolations(page)).map((f) => `${path} ${f}`));
    }
    assert.deepEqual(failures, []);
  });
});
