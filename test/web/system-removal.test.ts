// Removing a managed system in the console, in a real browser against a real manager: a system
// with WPARs asks what becomes of them (by keyboard alone: preserve), removes them all with
// the task followed in the dialog, shows the manager's refusal for a system not online, and
// asks nothing of a system without WPARs. There are no real agents: WPARs are put on systems
// in the database as if deployed, and the system whose WPARs are removed gets the TEST-ONLY
// system driver the inventory tests use in place of its agent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { managerActor } from '../../src/manager/inventory/privilege-guard.js';
import { TestSystemDriver } from '../manager/wpars-fixtures.js';
import { hasFocus, login, startConsoleHarness, tabTo, type ConsoleHarness } from './harness.js';

describe('web console: removing a managed system', () => {
  let h: ConsoleHarness;
  let admin: { name: string; password: string };
  const ids: Record<string, string> = {};
  const contexts: BrowserContext[] = [];
  const driver = new TestSystemDriver();

  const services = () => h.manager.services;
  const wpar = (name: string) => services().db.selectFrom('wpars').selectAll().where('name', '=', name).executeTakeFirst();
  /** A system WPAR Active on `system`, as if deployed there. */
  const activeWpar = async (name: string, system: string) => {
    const task = await services().inventory.wpars.create({ name, type: 'system', image: 'busybox', interfaces: [], mounts: [], resources: {}, checkpointable: false }, managerActor('test'));
    assert.equal((await services().tasks.wait(task.id, 10_000)).status, 'succeeded');
    await services().db.updateTable('wpars').set({ state: 'Active', system_id: ids[system]! }).where('name', '=', name).execute();
    driver.states.set(name, 'Active');
  };
  const systemsPage = async (): Promise<Page> => {
    const ctx = await h.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    await login(page, admin.name, admin.password);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await page.goto('/systems');
    return page;
  };
  const openRemove = async (page: Page, system: string): Promise<Locator> => {
    await page.getByRole('checkbox', { name: `Select ${system}` }).check();
    await page.getByRole('toolbar', { name: 'Actions on managed systems' }).getByRole('button', { name: 'Remove' }).click();
    return page.getByRole('dialog', { name: `Remove ${system}` });
  };

  before(async () => {
    h = await startConsoleHarness();
    for (const name of ['keep', 'wipe', 'down', 'bare']) ids[name] = (await services().inventory.systems.create({ name, host: `${name}.example.test` })).id;
    services().inventory.drivers.connect(ids.wipe!, driver);
    await activeWpar('k1', 'keep');
    await activeWpar('k2', 'keep');
    await activeWpar('x1', 'wipe');
    await activeWpar('x2', 'wipe');
    await activeWpar('d1', 'down');
    admin = await h.userWithRoles(['WPARAdministrator']);
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await h?.close();
  });

  it('asks what becomes of the WPARs and, by keyboard alone, preserves them as Undeployed definitions', async () => {
    const page = await systemsPage();
    const select = page.getByRole('checkbox', { name: 'Select keep' });
    await tabTo(page, select);
    await page.keyboard.press('Space');
    await tabTo(page, page.getByRole('toolbar', { name: 'Actions on managed systems' }).getByRole('button', { name: 'Remove' }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Remove keep' });
    const preserve = dialog.getByRole('radio', { name: /^Preserve them/ });
    await hasFocus(preserve);
    assert.equal(await dialog.getByRole('group', { name: '2 WPARs are on keep: what becomes of them' }).count(), 1);
    // Remove without a choice: the dialog says so and nothing is sent.
    await page.keyboard.press('Tab');
    await hasFocus(dialog.getByRole('button', { name: 'Remove' }));
    await page.keyboard.press('Enter');
    await dialog.getByText('Choose what becomes of its WPARs.').waitFor();
    // Back into the radio group (none checked: at its last radio), then up to Preserve.
    await page.keyboard.press('Shift+Tab');
    await hasFocus(dialog.getByRole('radio', { name: /^Remove them all/ }));
    await page.keyboard.press('ArrowUp');
    await hasFocus(preserve);
    assert.equal(await preserve.isChecked(), true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Select keep' }).waitFor({ state: 'detached' });
    for (const name of ['k1', 'k2']) {
      const w = await wpar(name);
      assert.deepEqual([w?.state, w?.system_id], ['Undeployed', null]);
    }
  });

  it('removes them all with the system, the task followed WPAR by WPAR in the dialog', async () => {
    const page = await systemsPage();
    const dialog = await openRemove(page, 'wipe');
    await dialog.getByRole('radio', { name: /^Remove them all/ }).check();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await dialog.getByRole('heading', { name: 'Removing wipe and its WPARs' }).waitFor();
    await dialog.getByRole('status').filter({ hasText: 'succeeded' }).waitFor();
    const steps = await dialog.getByRole('list', { name: 'Steps: removal of wipe' }).getByRole('listitem').allTextContents();
    assert.deepEqual(steps.map((s) => s.replace(/\s+/g, ' ').trim()), ['remove x1 succeeded', 'remove x2 succeeded', 'remove wipe succeeded']);
    assert.equal(await wpar('x1'), undefined);
    assert.equal(await wpar('x2'), undefined);
    await dialog.locator('.buttons').getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('checkbox', { name: 'Select wipe' }).waitFor({ state: 'detached' });
  });

  it("shows the manager's refusal to remove the WPARs of a system that is not online, and keeps it", async () => {
    const page = await systemsPage();
    const dialog = await openRemove(page, 'down');
    await dialog.getByRole('radio', { name: /^Remove them all/ }).check();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await dialog.getByText(/CAP-E0302/).waitFor();
    assert.equal((await wpar('d1'))?.system_id, ids.down);
  });

  it('asks nothing of a system without WPARs', async () => {
    const page = await systemsPage();
    const dialog = await openRemove(page, 'bare');
    assert.equal(await dialog.getByRole('radio').count(), 0);
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Select bare' }).waitFor({ state: 'detached' });
  });
});
