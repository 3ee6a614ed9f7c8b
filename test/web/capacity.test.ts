// The Instant capacity pages in a real browser against a real manager: an administrator
// opens a complex, applies a codeword through the dialog and sees the rights change; a
// mistyped codeword is refused beside its field and changes nothing; activating cores and
// editing contacts; a WPARMonitor sees the same pages with every action disabled.
//
// The complex is declared in the setup through the manager's capacity service (the console
// reads complexes; it does not declare them), on a system with no agent (its AA stays
// unknown, so every change shows as pending). Codewords are issued with a test issuer key
// the manager is told to trust, as test/capacity does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { generateIssuerKey, issueCodeword, parsePrivateKey } from '../../src/manager/capacity/codeword.js';
import { login, startConsoleHarness, type ConsoleHarness } from './harness.js';

const SERIAL = 'SN-WEB-0001';

/** One character of the codeword's second group changed: a typo the check character catches. */
function typo(codeword: string): string {
  const at = codeword.indexOf('-') + 2;
  const c = codeword[at]!;
  return `${codeword.slice(0, at)}${c === 'A' ? 'B' : 'A'}${codeword.slice(at + 1)}`;
}

describe('web console: instant capacity', () => {
  let h: ConsoleHarness;
  let admin: { name: string; password: string };
  let monitor: { name: string; password: string };
  let complexId: string;
  const issuer = generateIssuerKey();
  const key = parsePrivateKey(issuer.privateKeyPem);
  const codeword = (sequence: number, kind: 'cores' | 'temporary', quantity: number) =>
    issueCodeword({ serial: SERIAL, sequence, kind, quantity, issuedAt: Math.floor(Date.now() / 1000) - 60 }, key);
  const contexts: BrowserContext[] = [];

  const loggedIn = async (user: { name: string; password: string }): Promise<Page> => {
    const ctx = await h.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    await login(page, user.name, user.password);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  };
  const status = () => h.manager.services.capacity.get(complexId);
  const rightsRow = (page: Page) => page.getByRole('table', { name: 'Usage rights of web1' }).getByRole('row').filter({ hasText: 'Cores' });
  const systemRow = (page: Page) => page.getByRole('table', { name: 'Systems of web1' }).getByRole('row').filter({ has: page.getByRole('link', { name: 'cap1', exact: true }) });

  before(async () => {
    h = await startConsoleHarness();
    const services = h.manager.services;
    await services.capacity.issuers.add({ name: 'webtest', publicKey: issuer.publicKey });
    await services.inventory.systems.create({ name: 'cap1', host: 'cap1.example.test' });
    const complex = await services.capacity.create({ name: 'web1', serial: SERIAL, systems: ['cap1'], totalCores: 16, rights: { cores: 2 }, instantAccessSeconds: 7200 }, 'test');
    complexId = complex.id;
    admin = await h.userWithRoles(['WPARAdministrator']);
    monitor = await h.userWithRoles(['WPARMonitor']);
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await h?.close();
  });

  it('opens a complex from the list: rights, IA and AA (pending), temporary capacity, compliance', async () => {
    const page = await loggedIn(admin);
    await page.getByRole('link', { name: 'Instant capacity' }).click();
    await page.getByRole('heading', { name: 'Instant capacity' }).waitFor();
    await page.getByRole('table', { name: 'Instant capacity complexes' }).getByRole('link', { name: 'web1' }).click();
    await page.getByRole('heading', { name: /Complex web1/ }).waitFor();
    await rightsRow(page).getByRole('cell', { name: '16', exact: true }).waitFor();
    // No agent: AA was never reported, so IA (2) is pending.
    await systemRow(page).getByText('not reported').waitFor();
    await systemRow(page).getByText('Pending').waitFor();
    await page.getByText('2.0 core-hours (7200 core-seconds)').waitFor();
    await page.getByText(/Nothing depletes the balance now/).waitFor();
    await page.getByRole('figure', { name: /Temporary capacity of web1/ }).waitFor();
    await page.getByText(/^Compliant/).first().waitFor();
  });

  it('refuses a mistyped codeword beside its field and changes nothing, then applies the right one', async () => {
    const page = await loggedIn(admin);
    await page.goto(`/capacity/${complexId}`);
    await page.getByRole('heading', { name: /Complex web1/ }).waitFor();
    const good = codeword(1, 'cores', 2);

    await page.getByRole('toolbar', { name: 'Actions on complex web1' }).getByRole('button', { name: 'Apply codeword' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply a codeword to web1' });
    const field = dialog.getByLabel('Codeword');
    // Empty: the shared schema's rule, before anything is sent.
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.getByText('Required.').waitFor();
    await field.fill(typo(good));
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.locator('.field-error').filter({ hasText: /^CAP-E0800: / }).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    // The message is tied to the field for screen readers.
    const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
    assert.match(await dialog.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent() ?? '', /CAP-E0800/);
    const unchanged = await status();
    assert.equal(unchanged.cores.rights, 2);
    assert.equal(unchanged.lastSequence, 0);

    await field.fill(good);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Codeword 1 applied to web1: 2 core usage rights.' }).first().waitFor();
    // Rights 2 → 4; the 2 active cores are unchanged.
    await rightsRow(page).getByRole('cell', { name: '4', exact: true }).waitFor();
    const changed = await status();
    assert.equal(changed.cores.rights, 4);
    assert.equal(changed.lastSequence, 1);

    // The same codeword again: refused (already applied), beside the field.
    await page.getByRole('button', { name: 'Apply codeword' }).click();
    await dialog.getByLabel('Codeword').fill(good);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.locator('.field-error').filter({ hasText: /^CAP-E0804: / }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await status()).cores.rights, 4);
  });

  it('activates cores beyond the rights with temporary capacity (pending, projected expiry) and edits the contacts', async () => {
    const page = await loggedIn(admin);
    await page.goto(`/capacity/${complexId}`);
    await systemRow(page).getByRole('button', { name: 'Activate on cap1', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Activate on cap1', exact: true });
    await dialog.getByLabel('Cores to activate').fill('two');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await dialog.getByText('Must be a whole number.').waitFor();
    await dialog.getByLabel('Cores to activate').fill('3');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await dialog.waitFor({ state: 'detached' });
    // IA 5 against 4 rights: one core on temporary capacity, so the balance has an end.
    await systemRow(page).getByRole('cell', { name: '5', exact: true }).waitFor();
    await systemRow(page).getByText('Pending').waitFor();
    await page.getByText(/falls by 1 core-second each second and runs out at/).waitFor();
    const s = await status();
    assert.equal(s.systems[0]?.intended.cores, 5);
    assert.equal(s.temporary.coresInUse, 1);
    assert.ok(s.temporary.projectedExpiry);

    await page.getByRole('button', { name: 'Edit contacts' }).click();
    const contacts = page.getByRole('dialog', { name: 'Contacts of web1' });
    await contacts.getByLabel('E-mail addresses').fill('ops@example.com\nnot-an-address');
    await contacts.getByRole('button', { name: 'Save' }).click();
    await contacts.getByText(/"not-an-address": must be an e-mail address/).waitFor();
    assert.deepEqual((await status()).contacts, []);
    await contacts.getByLabel('E-mail addresses').fill('ops@example.com');
    await contacts.getByRole('button', { name: 'Save' }).click();
    await contacts.waitFor({ state: 'detached' });
    await page.getByRole('main').getByText('ops@example.com').waitFor();
    assert.deepEqual((await status()).contacts, ['ops@example.com']);
  });

  it('shows a WPARMonitor the capacity pages with every action disabled, and the API refuses its forged codeword', async () => {
    const page = await loggedIn(monitor);
    await page.getByRole('link', { name: 'Instant capacity' }).click();
    await page.getByRole('table', { name: 'Instant capacity complexes' }).getByRole('link', { name: 'web1' }).click();
    await rightsRow(page).getByRole('cell', { name: '4', exact: true }).waitFor();
    await systemRow(page).getByRole('button', { name: 'Activate on cap1', exact: true }).waitFor();

    const enabled: string[] = [];
    for (const b of await page.getByRole('main').getByRole('button').all()) {
      // Sorting a table changes nothing on the manager: it is not an action.
      if ((await b.getAttribute('class'))?.includes('sort')) continue;
      if (await b.isEnabled()) enabled.push((await b.textContent())?.trim() ?? '');
    }
    assert.deepEqual(enabled, []);
    const toolbar = page.getByRole('toolbar', { name: 'Actions on complex web1' });
    assert.equal(await toolbar.getByRole('button', { name: 'Apply codeword' }).isDisabled(), true);

    const forged = await page.evaluate(async (cw) => {
      const r = await fetch('/api/v1/capacity/codewords', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ codeword: cw }) });
      return [r.status, (await r.json()).code];
    }, codeword(2, 'temporary', 3600));
    assert.deepEqual(forged, [403, 'CAP-E0102']);
    assert.equal((await status()).lastSequence, 1);
  });
});
