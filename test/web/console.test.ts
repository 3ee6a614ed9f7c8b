// The web console in a real browser against a real manager: serving, login with the first
// administrator's one-time password, creating, deploying and stopping WPARs, following a
// task to its end, a WPARMonitor's read-only console (and the API refusing it regardless),
// and the whole create-WPAR wizard by keyboard alone.
//
// Deploying needs a connected system. Until the real agent lands, the system here is driven
// by the TEST-ONLY in-process driver of the inventory tests (TestSystemDriver): the manager's
// task path is real, the host side is a stand-in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { TestSystemDriver } from '../manager/wpars-fixtures.js';
import { focused, login, startConsoleHarness, tabTo, type ConsoleHarness } from './harness.js';

describe('web console', () => {
  let h: ConsoleHarness;
  let operator: { name: string; password: string };
  let testOnlyDriver: TestSystemDriver;
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
    const system = await h.manager.services.inventory.systems.create({ name: 'host1', host: 'host1.example.test' });
    testOnlyDriver = new TestSystemDriver();
    h.manager.services.inventory.drivers.connect(system.id, testOnlyDriver);
    operator = await h.userWithRoles(['WPARUser']);
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await h?.close();
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
    assert.deepEqual(testOnlyDriver.calls.filter((c) => c.wpar === 'web2').map((c) => c.action), ['deploy', 'stop']);

    // The task tray links to the stop task; its details show each operation's output.
    await page.getByRole('region', { name: 'Your recent tasks' }).getByRole('link', { name: /stop web2/ }).first().click();
    await page.getByRole('heading', { name: /Task .*stop.* on web2/ }).waitFor();
    await page.getByRole('status').filter({ hasText: /^Status: succeeded/ }).waitFor();
    await page.getByText('test driver: stop web2 on host1').waitFor();
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
    await page.getByText(/Must be start with a letter|start with a letter; up to 30/).first().waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.ok(await focused(name), 'the invalid field has the focus');
    await kb.type('kbd1');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await page.getByRole('heading', { name: 'Step 2 of 6: Network' }).waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Add interface' }));
    await kb.press('Enter');
    await tabTo(page, page.getByLabel('IPv4 address'));
    await kb.type('10.50.0.300');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');
    await page.getByText('Must be an IPv4 address such as 10.50.0.5.').waitFor();
    assert.ok(await focused(page.getByLabel('IPv4 address')));
    await kb.press('Backspace');
    await kb.press('Backspace');
    await kb.press('Backspace');
    await kb.type('5');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await page.getByRole('heading', { name: 'Step 3 of 6: Resource controls' }).waitFor();
    await tabTo(page, page.getByLabel('Memory limit (MiB)'));
    await kb.type('256');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await page.getByRole('heading', { name: 'Step 4 of 6: File systems' }).waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await page.getByRole('heading', { name: 'Step 5 of 6: Deployment' }).waitFor();
    await tabTo(page, page.getByLabel('Deploy on'));
    await kb.press('ArrowDown');
    assert.equal(await page.getByLabel('Deploy on').inputValue(), 'host1');
    await tabTo(page, page.getByLabel('Start it once deployed'));
    await kb.press('Space');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await kb.press('Enter');

    await page.getByRole('heading', { name: 'Step 6 of 6: Summary' }).waitFor();
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
});
