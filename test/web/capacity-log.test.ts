// The activation log in a real browser against a real manager: the capacity page lists every
// capacity change newest first (who, what changed from what to what, the codeword), a change
// made in the console shows up at once on the complex's own log, the filters (complex, system,
// time) and paging, and "Export CSV" by keyboard downloads what the filters show, as RFC 4180
// CSV that reads back field for field; a WPARMonitor reads and exports it too.
//
// Changes the tests do not make through the console are made in the setup through the
// manager's capacity service, on systems with no agent, by "users" whose names need quoting.
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { ActivationLogEntry } from '../../src/api/capacity.js';
import { generateIssuerKey, issueCodeword, parsePrivateKey } from '../../src/manager/capacity/codeword.js';
import { parseCsv } from '../helpers/csv.js';
import { hasFocus, login, startConsoleHarness, tabTo, type ConsoleHarness } from './harness.js';

describe('web console: the capacity activation log', () => {
  let h: ConsoleHarness;
  let admin: { name: string; password: string };
  let monitor: { name: string; password: string };
  let auditId = '';
  const awkward = 'O"Hara, night shift\nops';
  const issuer = generateIssuerKey();
  const contexts: BrowserContext[] = [];

  const loggedIn = async (user: { name: string; password: string }): Promise<Page> => {
    const ctx = await h.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    await login(page, user.name, user.password);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  };
  const logTable = (page: Page, scope = 'of every complex') => page.getByRole('table', { name: `Activation log ${scope}, newest first` });
  const rows = (page: Page, scope?: string) => logTable(page, scope).locator('tbody tr');
  const cells = async (page: Page, scope?: string): Promise<string[][]> =>
    Promise.all((await rows(page, scope).all()).map(async (r) => (await r.getByRole('cell').allTextContents()).map((t) => t.trim())));
  const entries = async (query: Record<string, string> = {}): Promise<ActivationLogEntry[]> =>
    (await h.manager.services.capacity.activationLog({ limit: 1000, offset: 0, ...query })).items;

  before(async () => {
    h = await startConsoleHarness();
    const cap = h.manager.services.capacity;
    await cap.issuers.add({ name: 'logtest', publicKey: issuer.publicKey });
    for (const name of ['aud1', 'aud2', 'oth1']) await h.manager.services.inventory.systems.create({ name, host: `${name}.example.test` });
    auditId = (await cap.create({ name: 'audit', serial: 'SN-AUDIT', systems: ['aud1', 'aud2'], totalCores: 16, rights: { cores: 4 }, instantAccessSeconds: 7200 }, 'setup')).id;
    await cap.create({ name: 'other', serial: 'SN-OTHER', systems: ['oth1'], totalCores: 8, rights: { cores: 1 } }, 'setup');
    await cap.move({ from: 'aud1', to: 'aud2', cores: 1 }, awkward);
    const key = parsePrivateKey(issuer.privateKeyPem);
    await cap.applyCodeword({ codeword: issueCodeword({ serial: 'SN-AUDIT', sequence: 1, kind: 'cores', quantity: 2, issuedAt: Math.floor(Date.now() / 1000) - 60 }, key) }, 'setup');
    admin = await h.userWithRoles(['WPARAdministrator']);
    monitor = await h.userWithRoles(['WPARMonitor']);
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await h?.close();
  });

  it('lists every capacity change on the capacity page, newest first: who, the change, the codeword', async () => {
    const page = await loggedIn(admin);
    await page.getByRole('link', { name: 'Instant capacity' }).click();
    await page.getByRole('heading', { name: 'Activation log' }).waitFor();
    await rows(page).filter({ hasText: 'codeword-applied' }).waitFor();
    const shown = await cells(page);
    const expected = await entries();
    assert.equal(shown.length, expected.length);
    // When, Who, Action, Complex, System, Change, Codeword.
    assert.deepEqual(shown.map((r) => r.slice(1, 5)), expected.map((e) => [e.who, e.action, e.complex.name, e.system?.name ?? '—']));
    const [newest] = shown;
    assert.deepEqual([newest![1], newest![2], newest![3], newest![4], newest![6]], ['setup', 'codeword-applied', 'audit', '—', '1 (cores, 2)']);
    // The change, then the entry's own words under it.
    assert.ok(newest![5]!.startsWith('rightsCores 4 → 6'), newest![5]);
    assert.ok(newest![5]!.endsWith('codeword 1 (cores, 2) applied to audit by setup'), newest![5]);
    const moves = shown.filter((r) => r[2] === 'move');
    assert.deepEqual(moves.map((r) => [r[1], r[4], r[5]!.startsWith(r[4] === 'aud2' ? 'cores 2 → 3' : 'cores 2 → 1')]), [[awkward, 'aud2', true], [awkward, 'aud1', true]]);
    await page.getByRole('status').filter({ hasText: `Entries 1–${expected.length} of ${expected.length}.` }).waitFor();
  });

  it('shows a change made in the console at once on the complex\'s own log, with who made it', async () => {
    const page = await loggedIn(admin);
    await page.goto(`/capacity/${auditId}`);
    await page.getByRole('heading', { name: /Complex audit/ }).waitFor();
    await rows(page, 'of audit').first().waitFor();
    const before = (await cells(page, 'of audit')).length;
    assert.ok((await cells(page, 'of audit')).every((r) => r[3] === 'audit'), 'only this complex\'s entries');
    await page.getByRole('table', { name: 'Systems of audit' }).getByRole('button', { name: 'Activate on aud1', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Activate on aud1' });
    await dialog.getByLabel('Cores to activate').fill('2');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await dialog.waitFor({ state: 'detached' });
    const newest = rows(page, 'of audit').first();
    await newest.filter({ hasText: 'activate' }).filter({ hasText: 'cores 1 → 3' }).waitFor();
    assert.equal((await newest.getByRole('cell').nth(1).textContent())?.trim(), admin.name);
    assert.equal(await rows(page, 'of audit').count(), before + 1);
    const [entry] = await entries({ complex: 'audit' });
    assert.deepEqual([entry?.action, entry?.who, entry?.system?.name, entry?.before, entry?.after], ['activate', admin.name, 'aud1', { cores: 1 }, { cores: 3 }]);
  });

  it('filters by complex, system and time, and pages through many entries', async () => {
    // Sixty more entries: thirty deactivations and activations of oth1, within its one core right.
    const cap = h.manager.services.capacity;
    for (let i = 0; i < 30; i++) {
      await cap.deactivate('oth1', { cores: 1 }, 'setup');
      await cap.activate('oth1', { cores: 1 }, 'setup');
    }
    const page = await loggedIn(monitor);
    await page.goto('/capacity');
    const all = await entries();
    await page.getByRole('status').filter({ hasText: `Entries 1–50 of ${all.length}.` }).waitFor();
    const newer = page.getByRole('button', { name: 'Newer' });
    const older = page.getByRole('button', { name: 'Older' });
    assert.equal(await newer.isDisabled(), true);
    await older.click();
    await page.getByRole('status').filter({ hasText: `Entries 51–${all.length} of ${all.length}.` }).waitFor();
    assert.deepEqual((await cells(page)).map((r) => r[2]), all.slice(50).map((e) => e.action));
    assert.equal(await older.isDisabled(), true);
    await newer.click();
    await page.getByRole('status').filter({ hasText: `Entries 1–50 of ${all.length}.` }).waitFor();

    // A complex, then one of its systems: back to the first page, only those entries.
    await page.getByLabel('Complex', { exact: true }).selectOption({ label: 'audit' });
    const audit = await entries({ complex: 'audit' });
    await page.getByRole('status').filter({ hasText: `Entries 1–${audit.length} of ${audit.length}.` }).waitFor();
    assert.deepEqual(await page.getByLabel('System', { exact: true }).locator('option').allTextContents(), ['Every system', 'aud1', 'aud2']);
    await page.getByLabel('System', { exact: true }).selectOption({ label: 'aud2' });
    const aud2 = await entries({ complex: 'audit', system: 'aud2' });
    await page.getByRole('status').filter({ hasText: `Entries 1–${aud2.length} of ${aud2.length}.` }).waitFor();
    assert.ok((await cells(page)).every((r) => r[4] === 'aud2'));

    // Since a time to come: nothing; cleared: all of aud2's again.
    await page.getByLabel('Since').fill('2099-01-01T00:00:00');
    await logTable(page).getByText('No capacity change matches.').waitFor();
    await page.getByRole('status').filter({ hasText: 'No entry.' }).waitFor();
    await page.getByLabel('Since').fill('');
    await page.getByRole('status').filter({ hasText: `Entries 1–${aud2.length} of ${aud2.length}.` }).waitFor();
  });

  it('exports what the filters show as CSV, by keyboard, which reads back field for field', async () => {
    const page = await loggedIn(monitor);
    await page.goto('/capacity');
    await page.getByLabel('Complex', { exact: true }).selectOption({ label: 'audit' });
    const audit = await entries({ complex: 'audit' });
    await page.getByRole('status').filter({ hasText: `Entries 1–${audit.length} of ${audit.length}.` }).waitFor();

    const link = page.getByRole('toolbar', { name: 'Activation log of every complex' }).getByRole('link', { name: 'Export CSV' });
    // From the filters on, as a keyboard user goes from choosing to exporting.
    await page.getByLabel('Complex', { exact: true }).focus();
    await tabTo(page, link);
    await hasFocus(link);
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.match(download.suggestedFilename(), /^capacity-activation-log-\d{4}-\d\d-\d\d\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8');
    const [header, ...records] = parseCsv(text);
    assert.deepEqual(header, ['when', 'who', 'who_kind', 'action', 'complex', 'serial', 'system', 'before', 'after', 'codeword_sequence', 'codeword_kind', 'codeword_quantity', 'detail']);
    assert.deepEqual(records.map((f) => [f[0], f[1], f[3], f[4], f[6], f[7] ? JSON.parse(f[7]) : null, f[8] ? JSON.parse(f[8]) : null, f[9], f[12]]),
      audit.map((e) => [e.at, e.who, e.action, e.complex.name, e.system?.name ?? '', e.before, e.after, e.codeword ? String(e.codeword.sequence) : '', e.detail]));
    // The name with a quote, a comma and a newline: quoted whole, its quote doubled.
    assert.ok(text.includes('"O""Hara, night shift\nops"'));
    assert.ok(records.every((f) => f[4] === 'audit'), 'the filter applies to the export');
    // The page is still there: the file was downloaded, not opened.
    await page.getByRole('heading', { name: 'Activation log' }).waitFor();
  });
});
