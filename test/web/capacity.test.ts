// The Instant capacity pages in a real browser against a real manager: an administrator
// opens a complex, applies a codeword through the dialog and sees the rights change; a
// mistyped codeword is refused beside its field and changes nothing; activating cores and
// editing contacts; declaring a complex (and a declaration the manager refuses), modifying and
// removing one, moving cores between two systems; the codeword issuers (a configured one that
// cannot be removed, one added and removed) and the deploy-check setting; a WPARMonitor sees the
// same pages with every action disabled; and colour contrast with the new dialogs open.
//
// Complexes the tests do not declare through the console are declared in the setup through
// the manager's capacity service, on systems with no agent (their AA stays unknown, so every
// change shows as pending). Codewords are issued with a test issuer key the manager is told
// to trust, as test/capacity does; a second key is configured as manager.json would.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { generateIssuerKey, issueCodeword, parsePrivateKey } from '../../src/manager/capacity/codeword.js';
import { contrastCheckerPage, contrastViolations, login, startConsoleHarness, tabTo, type ConsoleHarness } from './harness.js';

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
  /** web3: two systems (cap4 with 3 cores intended active, cap5 with 2), for moving cores. */
  let web3Id: string;
  /** web4: one system, for modifying and removing. */
  let web4Id: string;
  const issuer = generateIssuerKey();
  const configured = generateIssuerKey();
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

  const complexes = () => h.manager.services.capacity.list();
  const complexTable = (page: Page) => page.getByRole('table', { name: 'Instant capacity complexes' });
  /** The buttons in the page's main region a user could press to change something. */
  const enabledActions = async (page: Page): Promise<string[]> => {
    const enabled: string[] = [];
    for (const b of await page.getByRole('main').getByRole('button').all()) {
      // Sorting a table changes nothing on the manager: it is not an action.
      if ((await b.getAttribute('class'))?.includes('sort')) continue;
      if (await b.isEnabled()) enabled.push((await b.textContent())?.trim() ?? '');
    }
    return enabled;
  };

  before(async () => {
    h = await startConsoleHarness({ capacity: { issuerKeys: { vendor: configured.publicKey } } });
    const services = h.manager.services;
    await services.capacity.issuers.add({ name: 'webtest', publicKey: issuer.publicKey });
    for (let i = 1; i <= 7; i++) await services.inventory.systems.create({ name: `cap${i}`, host: `cap${i}.example.test` });
    const complex = await services.capacity.create({ name: 'web1', serial: SERIAL, systems: ['cap1'], totalCores: 16, rights: { cores: 2 }, instantAccessSeconds: 7200 }, 'test');
    complexId = complex.id;
    // cap2 and cap3 are declared into web2 through the console; cap6 stays in no complex.
    web3Id = (await services.capacity.create({ name: 'web3', serial: 'SN-WEB-0003', systems: ['cap4', 'cap5'], rights: { cores: 5 } }, 'test')).id;
    web4Id = (await services.capacity.create({ name: 'web4', serial: 'SN-WEB-0004', systems: ['cap7'], totalCores: 8, rights: { cores: 2 } }, 'test')).id;
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
    await page.getByRole('main').getByText('ops@example.com', { exact: true }).waitFor();
    assert.deepEqual((await status()).contacts, ['ops@example.com']);
    // The complex's activation log shows the change at once, newest first.
    const newest = page.getByRole('table', { name: 'Activation log of web1, newest first' }).getByRole('row').nth(1);
    await newest.filter({ hasText: 'complex-modified' }).filter({ hasText: 'contacts none → ops@example.com' }).waitFor();
  });

  it('declares a complex through the dialog, with systems picked from the list, and lists it', async () => {
    const page = await loggedIn(admin);
    await page.getByRole('link', { name: 'Instant capacity' }).click();
    await complexTable(page).getByRole('link', { name: 'web1', exact: true }).waitFor();
    await page.getByRole('toolbar', { name: 'Actions on complexes' }).getByRole('button', { name: 'Declare complex' }).click();
    const dialog = page.getByRole('dialog', { name: 'Declare a complex' });
    // A system already in a complex is listed but cannot be chosen.
    const taken = dialog.getByRole('checkbox', { name: 'cap1 (in complex web1)' });
    await taken.waitFor();
    assert.equal(await taken.isDisabled(), true);

    // Nothing chosen, a duration mistyped: the messages beside their fields, nothing sent.
    await dialog.getByLabel('Instant Access Capacity (core-time)').fill('one hour');
    await dialog.getByRole('button', { name: 'Declare' }).click();
    await dialog.getByText('Give at least one.').waitFor();
    await dialog.getByText(/^Must be a duration such as 30d/).waitFor();
    assert.equal(await dialog.getByLabel('Core usage rights').getAttribute('aria-invalid'), 'true');
    assert.equal(await dialog.getByRole('checkbox', { name: 'cap2', exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal((await complexes()).length, 3);

    await dialog.getByLabel('Name', { exact: true }).fill('web2');
    await dialog.getByLabel('Serial').fill('SN-WEB-0002');
    await dialog.getByRole('checkbox', { name: 'cap2', exact: true }).check();
    await dialog.getByRole('checkbox', { name: 'cap3', exact: true }).check();
    await dialog.getByLabel('Core usage rights').fill('4');
    await dialog.getByLabel('Installed cores').fill('8');
    await dialog.getByLabel('Instant Access Capacity (core-time)').fill('1h');
    await dialog.getByLabel('When temporary capacity runs out').selectOption('notify');
    await dialog.getByRole('button', { name: 'Declare' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = complexTable(page).getByRole('row').filter({ has: page.getByRole('link', { name: 'web2', exact: true }) });
    await row.getByRole('cell', { name: 'cap2, cap3', exact: true }).waitFor();
    await row.getByRole('cell', { name: 'SN-WEB-0002', exact: true }).waitFor();
    const made = await h.manager.services.capacity.get('web2');
    assert.equal(made.serial, 'SN-WEB-0002');
    assert.deepEqual(made.systems.map((s) => s.name).sort(), ['cap2', 'cap3']);
    assert.equal(made.cores.rights, 4);
    assert.equal(made.cores.total, 8);
    assert.equal(made.memoryGiB, null, 'no memory rights given: memory is not governed');
    assert.equal(made.temporary.balanceSeconds, 3600);
    assert.equal(made.temporary.exhaustionAction, 'notify');
  });

  it('shows the manager refusing a declaration (a name taken) beside the form, and creates nothing', async () => {
    const page = await loggedIn(admin);
    await page.goto('/capacity');
    await page.getByRole('button', { name: 'Declare complex' }).click();
    const dialog = page.getByRole('dialog', { name: 'Declare a complex' });
    await dialog.getByLabel('Name', { exact: true }).fill('web1');
    await dialog.getByLabel('Serial').fill('SN-WEB-0006');
    await dialog.getByRole('checkbox', { name: 'cap6', exact: true }).check();
    await dialog.getByLabel('Core usage rights').fill('2');
    await dialog.getByRole('button', { name: 'Declare' }).click();
    const refusal = dialog.getByRole('alert').filter({ hasText: /^CAP-E0003: / });
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /complex web1/);
    // The form keeps what was typed, to correct it.
    assert.equal(await dialog.getByLabel('Serial').inputValue(), 'SN-WEB-0006');

    const all = await complexes();
    assert.deepEqual(all.map((c) => c.name).sort(), ['web1', 'web2', 'web3', 'web4']);
    assert.equal(all.some((c) => c.serial === 'SN-WEB-0006' || c.systems.some((s) => s.name === 'cap6')), false);
    assert.deepEqual((await status()).systems.map((s) => s.name), ['cap1']);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('moves active cores between two systems of a complex and shows IA change; more than a system has is refused', async () => {
    const page = await loggedIn(admin);
    // One system: nowhere to move to, so no Move cores.
    await page.goto(`/capacity/${complexId}`);
    await page.getByRole('toolbar', { name: 'Actions on complex web1' }).getByRole('button', { name: 'Modify' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Move cores' }).count(), 0);

    await page.goto(`/capacity/${web3Id}`);
    const iaCell = (name: string, n: number) => page.getByRole('table', { name: 'Systems of web3' }).getByRole('row')
      .filter({ has: page.getByRole('link', { name, exact: true }) }).getByRole('cell', { name: String(n), exact: true });
    await iaCell('cap4', 3).waitFor();
    await iaCell('cap5', 2).waitFor();
    await page.getByRole('toolbar', { name: 'Actions on complex web3' }).getByRole('button', { name: 'Move cores' }).click();
    const dialog = page.getByRole('dialog', { name: 'Move active cores in web3' });
    await dialog.getByLabel('From system').selectOption({ label: 'cap4' });
    await dialog.getByLabel('To system').selectOption({ label: 'cap5' });
    await dialog.getByLabel('Cores to move').fill('4');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await dialog.getByRole('alert').filter({ hasText: /^CAP-E0807: .*cap4 has 3 cores/ }).waitFor();
    const unchanged = await h.manager.services.capacity.get(web3Id);
    assert.deepEqual(unchanged.systems.map((s) => [s.name, s.intended.cores]).sort(), [['cap4', 3], ['cap5', 2]]);

    await dialog.getByLabel('Cores to move').fill('2');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Moved 2 cores from cap4 to cap5' }).first().waitFor();
    await iaCell('cap4', 1).waitFor();
    await iaCell('cap5', 4).waitFor();
    const moved = await h.manager.services.capacity.get(web3Id);
    assert.deepEqual(moved.systems.map((s) => [s.name, s.intended.cores]).sort(), [['cap4', 1], ['cap5', 4]]);
    assert.equal(moved.cores.rights, 5, 'moving changes no rights');
  });

  it('modifies a complex (only what changed is sent) and removes it after confirmation', async () => {
    const page = await loggedIn(admin);
    await page.goto(`/capacity/${web4Id}`);
    const toolbar = page.getByRole('toolbar', { name: 'Actions on complex web4' });
    await toolbar.getByRole('button', { name: 'Modify' }).click();
    const dialog = page.getByRole('dialog', { name: 'Modify web4' });
    assert.equal(await dialog.getByLabel('Installed cores').inputValue(), '8');
    assert.equal(await dialog.getByLabel('Warning period').inputValue(), '1d');
    await dialog.getByLabel('Name', { exact: true }).fill('web1');
    await dialog.getByLabel('Installed cores').fill('twelve');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Must be a whole number.').waitFor();
    await dialog.getByLabel('Installed cores').fill('12');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').filter({ hasText: /^CAP-E0003: / }).waitFor();
    assert.equal((await h.manager.services.capacity.get(web4Id)).name, 'web4');

    await dialog.getByLabel('Name', { exact: true }).fill('web5');
    await dialog.getByLabel('Warning period').fill('2h');
    await dialog.getByLabel('When temporary capacity runs out').selectOption('notify');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: /Complex web5/ }).waitFor();
    const changed = await h.manager.services.capacity.get(web4Id);
    assert.equal(changed.name, 'web5');
    assert.equal(changed.cores.total, 12);
    assert.equal(changed.temporary.warningPeriodSeconds, 7200);
    assert.equal(changed.temporary.exhaustionAction, 'notify');

    // Cancel leaves it; Remove removes it and goes back to the list.
    await page.getByRole('toolbar', { name: 'Actions on complex web5' }).getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove complex web5' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await h.manager.services.capacity.get(web4Id)).name, 'web5');
    await page.getByRole('toolbar', { name: 'Actions on complex web5' }).getByRole('button', { name: 'Remove' }).click();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('heading', { name: 'Instant capacity', exact: true }).waitFor();
    await complexTable(page).getByRole('link', { name: 'web1', exact: true }).waitFor();
    assert.equal(await complexTable(page).getByRole('link', { name: 'web5', exact: true }).count(), 0);
    assert.equal((await complexes()).some((c) => c.id === web4Id), false);
    await assert.rejects(h.manager.services.capacity.get(web4Id), (e: { code?: string }) => e.code === 'CAP-E0002');
  });

  it('lists the trusted issuers (a configured one without Remove), adds a key and removes it', async () => {
    const page = await loggedIn(admin);
    await page.getByRole('link', { name: 'Capacity settings' }).click();
    await page.getByRole('heading', { name: 'Capacity settings' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console' });
    assert.equal(await nav.getByRole('link', { name: 'Capacity settings' }).getAttribute('aria-current'), 'page');
    assert.equal(await nav.getByRole('link', { name: 'Instant capacity' }).getAttribute('aria-current'), null);
    const table = page.getByRole('table', { name: 'Trusted codeword issuers' });
    const row = (name: string) => table.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
    await row('vendor').getByText('Configured in manager.json').waitFor();
    assert.equal(await row('vendor').getByRole('button').count(), 0);
    await row('webtest').getByRole('button', { name: 'Remove issuer webtest' }).waitFor();

    const fresh = generateIssuerKey();
    await page.getByRole('toolbar', { name: 'Actions on codeword issuers' }).getByRole('button', { name: 'Add issuer key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Trust a codeword issuer' });
    await dialog.getByLabel('Name', { exact: true }).fill('extra');
    await dialog.getByLabel('Public key').fill('ed25519:too-short');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.getByText(/^Must be "ed25519:" followed by 43 base64url characters/).waitFor();
    assert.equal(await dialog.getByLabel('Public key').getAttribute('aria-invalid'), 'true');
    // A name already trusted: the manager's refusal, beside the form.
    await dialog.getByLabel('Name', { exact: true }).fill('webtest');
    await dialog.getByLabel('Public key').fill(fresh.publicKey);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.getByRole('alert').filter({ hasText: /^CAP-E0003: .*issuer webtest/ }).waitFor();
    assert.equal((await h.manager.services.capacity.issuers.list()).length, 2);

    await dialog.getByLabel('Name', { exact: true }).fill('extra');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('extra').getByRole('cell', { name: fresh.publicKey, exact: true }).waitFor();
    const added = (await h.manager.services.capacity.issuers.list()).find((k) => k.name === 'extra');
    assert.equal(added?.publicKey, fresh.publicKey);
    assert.equal(added?.source, 'api');

    await row('extra').getByRole('button', { name: 'Remove issuer extra' }).click();
    const confirm = page.getByRole('dialog', { name: 'Stop trusting extra' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row('extra').waitFor({ state: 'detached' });
    assert.deepEqual((await h.manager.services.capacity.issuers.list()).map((k) => k.name).sort(), ['vendor', 'webtest']);
  });

  it('saves the deploy check by keyboard, and it is still set after a reload', async () => {
    const page = await loggedIn(admin);
    await page.goto('/capacity/settings');
    const select = page.getByLabel('Deploying a WPAR onto a system short of active capacity');
    await select.waitFor();
    assert.equal(await select.inputValue(), 'refuse');
    await tabTo(page, select);
    await page.keyboard.press('ArrowDown');
    assert.equal(await select.inputValue(), 'warn');
    await tabTo(page, page.getByRole('button', { name: 'Save' }));
    await page.keyboard.press('Enter');
    // The page's notice and the console's live region say the same: either will do.
    await page.getByRole('status').filter({ hasText: 'allowed with a warning' }).first().waitFor();
    assert.equal((await h.manager.services.capacity.settings()).deployCheck, 'warn');

    await page.reload();
    await page.getByRole('heading', { name: 'Capacity settings' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).waitFor();
    assert.equal(await select.inputValue(), 'warn');

    await select.selectOption('refuse');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'is refused' }).first().waitFor();
    assert.equal((await h.manager.services.capacity.settings()).deployCheck, 'refuse');
  });

  it('meets WCAG AA colour contrast on the capacity pages with their new dialogs open (axe-core)', async () => {
    const page = await contrastCheckerPage(h, admin);
    const failures: string[] = [];
    const check = async (where: string) => failures.push(...(await contrastViolations(page)).map((f) => `${where} ${f}`));

    await page.goto('/capacity');
    await page.getByRole('button', { name: 'Declare complex' }).click();
    const declare = page.getByRole('dialog', { name: 'Declare a complex' });
    await declare.getByRole('checkbox', { name: 'cap6', exact: true }).waitFor();
    await declare.getByRole('button', { name: 'Declare' }).click();
    await declare.getByText('Give at least one.').waitFor();
    await check('declare dialog, with its messages');

    await page.goto(`/capacity/${web3Id}`);
    await page.getByRole('button', { name: 'Move cores' }).click();
    await page.getByRole('dialog', { name: 'Move active cores in web3' }).waitFor();
    await check('move dialog');

    await page.goto('/capacity/settings');
    await page.getByRole('table', { name: 'Trusted codeword issuers' }).getByText('Configured in manager.json').waitFor();
    await check('/capacity/settings');
    assert.deepEqual(failures, []);
  });

  it('shows a WPARMonitor the capacity pages with every action disabled, and the API refuses its forged codeword', async () => {
    const page = await loggedIn(monitor);
    await page.getByRole('link', { name: 'Instant capacity' }).click();
    await page.getByRole('table', { name: 'Instant capacity complexes' }).getByRole('link', { name: 'web1' }).click();
    await rightsRow(page).getByRole('cell', { name: '4', exact: true }).waitFor();
    await systemRow(page).getByRole('button', { name: 'Activate on cap1', exact: true }).waitFor();

    assert.deepEqual(await enabledActions(page), []);
    const toolbar = page.getByRole('toolbar', { name: 'Actions on complex web1' });
    assert.equal(await toolbar.getByRole('button', { name: 'Apply codeword' }).isDisabled(), true);
    assert.equal(await toolbar.getByRole('button', { name: 'Remove' }).isDisabled(), true);

    // Two systems: Move cores is there, and disabled like the rest.
    await page.goto(`/capacity/${web3Id}`);
    const move = page.getByRole('toolbar', { name: 'Actions on complex web3' }).getByRole('button', { name: 'Move cores' });
    await move.waitFor();
    assert.equal(await move.isDisabled(), true);
    assert.deepEqual(await enabledActions(page), []);

    await page.goto('/capacity');
    const declare = page.getByRole('toolbar', { name: 'Actions on complexes' }).getByRole('button', { name: 'Declare complex' });
    await declare.waitFor();
    await complexTable(page).getByRole('link', { name: 'web1', exact: true }).waitFor();
    assert.equal(await declare.isDisabled(), true);
    assert.deepEqual(await enabledActions(page), []);

    await page.getByRole('link', { name: 'Capacity settings' }).first().click();
    await page.getByRole('button', { name: 'Remove issuer webtest' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).waitFor();
    assert.deepEqual(await enabledActions(page), []);
    assert.equal(await page.getByLabel('Deploying a WPAR onto a system short of active capacity').isDisabled(), true);

    const forged = await page.evaluate(async (cw) => {
      const r = await fetch('/api/v1/capacity/codewords', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ codeword: cw }) });
      return [r.status, (await r.json()).code];
    }, codeword(2, 'temporary', 3600));
    assert.deepEqual(forged, [403, 'CAP-E0102']);
    assert.equal((await status()).lastSequence, 1);
    const forgedMove = await page.evaluate(async () => {
      const r = await fetch('/api/v1/capacity/move', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: 'cap4', to: 'cap5', cores: 1 }) });
      return [r.status, (await r.json()).code];
    });
    assert.deepEqual(forgedMove, [403, 'CAP-E0102']);
  });
});
