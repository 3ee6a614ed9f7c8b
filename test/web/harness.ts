// Browser tests of the web console: a real manager on a loopback HTTPS port serving the
// built console, and Debian's Chromium driven by playwright-core (no browser download).
// Everything it starts it also stops, and its temp directory goes, even after a failure.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { Role } from '../../src/api/roles.js';
import { hashPassword } from '../../src/manager/auth/passwords.js';
import { loadManagerConfig, type ManagerConfig } from '../../src/manager/config.js';
import { startManager, type RunningManager } from '../../src/manager/main.js';

export const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = join(import.meta.dirname, '../../web/dist/index.html');

// Without the background-networking flags Chromium keeps dialling out on a closed network.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ConsoleHarness {
  manager: RunningManager;
  url: string;
  browser: Browser;
  /** A fresh browser profile (cookies, storage) that accepts the manager's self-signed certificate. */
  newContext(): Promise<BrowserContext>;
  /** A user with these roles and a password of its own (no change due). */
  userWithRoles(roles: Role[]): Promise<{ name: string; password: string }>;
  close(): Promise<void>;
}

/** `config`: what a test's manager.json would say (e.g. configured issuer keys); the harness owns the rest. */
export async function startConsoleHarness(config: Pick<Partial<ManagerConfig>, 'capacity' | 'notifications'> = {}): Promise<ConsoleHarness> {
  if (!existsSync(WEB_DIST)) throw new Error('web/dist is missing: build the console first (npm run build:web)');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'capstan-web-'));
  const cleanups: (() => Promise<unknown> | void)[] = [() => rmSync(dataDir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => undefined);
  };
  try {
    const manager = await startManager(loadManagerConfig({ ...config, dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent' }), pino({ level: 'silent' }));
    cleanups.push(() => manager.stop());
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());
    return {
      manager,
      url: manager.url,
      browser,
      newContext: () => browser.newContext({ ignoreHTTPSErrors: true, baseURL: manager.url }),
      async userWithRoles(roles) {
        const name = `u${randomUUID().slice(0, 8)}`;
        const password = `pw-${randomUUID()}`;
        const now = new Date().toISOString();
        const db = manager.services.db;
        await db.insertInto('users').values({ id: randomUUID(), name, full_name: name, password_hash: await hashPassword(password), disabled: 0, created_at: now }).execute();
        for (const role of roles) await db.insertInto('role_mappings').values({ role, principal_type: 'user', principal: name, created_at: now }).execute();
        return { name, password };
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

export async function login(page: Page, name: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Presses Tab until the element has the focus, as a keyboard user would reach it. */
export async function tabTo(page: Page, target: Locator, maxPresses = 80): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

/**
 * Waits until the element has the focus. The console moves focus one frame after it renders
 * (to a new step's heading, to an invalid field); a keyboard user waits for that, and so must
 * the test before its next key, or the key lands where the focus was.
 */
export async function hasFocus(target: Locator): Promise<void> {
  const el = await target.elementHandle();
  if (!el) throw new Error(`${target.toString()} is not on the page`);
  // An anonymous predicate: the test's compiler would wrap a named one in a helper the page lacks.
  await target.page().waitForFunction((node) => node === document.activeElement, el, { polling: 'raf', timeout: 10_000 })
    .catch(() => {
      throw new Error(`${target.toString()} never got the focus`);
    });
}

/**
 * WCAG AA colour-contrast violations (axe-core) on the page as it stands, each as
 * "selector: summary". axe is added as a script tag, so the page's context must be made with
 * bypassCSP: the console's Content-Security-Policy forbids inline scripts.
 */
/**
 * A page logged in as `user` on which axe-core may run: the console's Content-Security-Policy
 * forbids inline scripts, so only this checker's context bypasses it. It closes with the browser.
 */
export async function contrastCheckerPage(h: ConsoleHarness, user: { name: string; password: string }): Promise<Page> {
  const ctx = await h.browser.newContext({ ignoreHTTPSErrors: true, baseURL: h.url, bypassCSP: true });
  const page = await ctx.newPage();
  await login(page, user.name, user.password);
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
  return page;
}

export async function contrastViolations(page: Page): Promise<string[]> {
  const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axe });
  return page.evaluate(() =>
    (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe
      .run(document, { runOnly: { type: 'rule', values: ['color-contrast'] } })
      .then((r) => r.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? v.id}`))));
}
