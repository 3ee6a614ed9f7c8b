// login, logout, whoami, passwd and API tokens. Login checks the manager's certificate
// (pinning a self-signed one by fingerprint, or keeping the CA given with --ca), logs in,
// replaces a one-time password when the manager asks for it, and keeps an API token for the
// commands that follow.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SESSION_COOKIE } from '../../../api/paths.js';
import { routes } from '../../../api/routes/index.js';
import { DEFAULT_DATA_DIR } from '../../../manager/config.js';
import { UsageError } from '../../local/command.js';
import { formatFields, formatTable, note, print, printJson, when } from '../../output.js';
import { ApiClient, fingerprintOf, pemCertificates, peerCertificate, UnreachableError } from '../../../client/api-client.js';
import { remote } from '../context.js';
import { ask, confirm, stdinLine } from '../prompt.js';
import { DEFAULT_URL, readProfile, removeProfile, writeProfile, type Profile } from '../profile.js';

interface LoginOptions {
  user?: string;
  passwordStdin?: boolean;
  acceptCertificate?: boolean;
  ca?: string;
  dataDir?: string;
}

/** How the login trusts the manager: nothing to keep (the system's CAs vouch for it), its certificate pinned, or the CAs it must chain to. */
type Trust = { certificate?: string; ca?: string };

/** The certificates of --ca FILE: a CA bundle, or the manager's own certificate. */
function readCaFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--ca ${file}: ${(e as Error).message}`);
  }
  const certificates = pemCertificates(text);
  if (certificates.length === 0) throw new UsageError(`--ca ${file}: holds no PEM certificate`);
  for (const c of certificates) {
    try {
      fingerprintOf(c);
    } catch (e) {
      throw new UsageError(`--ca ${file}: a certificate in it cannot be read: ${(e as Error).message}`);
    }
  }
  return certificates.join('');
}

/**
 * --ca FILE: the manager is trusted only if the certificates in FILE vouch for it — a CA it
 * chains to, for the host of the URL (kept, so a certificate the CA renews is trusted too),
 * or its very certificate when it signs itself (pinned, as a self-signed one is).
 */
async function trustByCa(url: string, file: string): Promise<Trust> {
  const ca = readCaFile(file);
  const peer = await peerCertificate(url, ca);
  if (peer.trusted) return { ca };
  const fingerprint = fingerprintOf(peer.pem);
  if (pemCertificates(ca).some((c) => fingerprintOf(c) === fingerprint)) {
    // A pinned certificate is its own trust anchor: only one that signs itself can be.
    const own = new X509Certificate(peer.pem);
    if (own.checkIssued(own) && own.verify(own.publicKey)) return { certificate: peer.pem };
    throw new UnreachableError(`${file} holds the manager's own certificate, which ${peer.issuer} issued: give that CA's certificate with --ca `
      + '(a certificate is trusted by itself only when it signs itself)');
  }
  throw new UnreachableError(`the manager at ${url} presents a certificate (issued by ${peer.issuer}, SHA-256 ${fingerprint}) `
    + `that the certificates in ${file} do not vouch for: ${peer.reason ?? 'not trusted'}`);
}

/** How to trust the manager at `url`: by --ca, by the system's CAs, or by its certificate pinned. */
async function trustManager(url: string, opts: LoginOptions): Promise<Trust> {
  if (opts.ca) return trustByCa(url, opts.ca);
  const { pem, trusted } = await peerCertificate(url);
  if (trusted) return {};
  const fingerprint = fingerprintOf(pem);
  // On the manager's own host, its certificate file proves who answers.
  const dataDir = opts.dataDir ?? process.env.CAPSTAN_DATA_DIR ?? DEFAULT_DATA_DIR;
  try {
    if (fingerprintOf(readFileSync(join(dataDir, 'tls', 'manager.crt'), 'utf8')) === fingerprint) {
      note(`the manager's certificate is the one in ${dataDir}/tls: trusted`);
      return { certificate: pem };
    }
  } catch {
    // Not this host's manager, or not readable: ask instead.
  }
  note(`the manager at ${url} presents a certificate no system CA vouches for;\nits SHA-256 fingerprint is\n  ${fingerprint}`);
  if (opts.acceptCertificate || (process.stdin.isTTY && (await confirm('Trust it for this and later logins?')))) return { certificate: pem };
  throw new UnreachableError(`the manager's certificate was not trusted (compare the fingerprint, then use --accept-certificate or --ca FILE)`);
}

/** The headers of calls made with a login's session: changes made with it must name the manager's origin, as a browser does (CAP-E0110). */
function sessionHeaders(url: string, setCookie: string[] | string | undefined): { cookie: string; origin: string } {
  const prefix = `${SESSION_COOKIE}=`;
  const cookie = [setCookie ?? []].flat().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith(prefix));
  if (!cookie) throw new Error('the manager answered the login without a session');
  return { cookie, origin: new URL(url).origin };
}

async function login(urlArg: string | undefined, opts: LoginOptions): Promise<Profile> {
  const url = new URL(urlArg ?? readProfile().url ?? DEFAULT_URL).origin;
  const trust = await trustManager(url, opts);
  const client = new ApiClient({ url, ...trust });
  const name = opts.user ?? (process.stdin.isTTY && !opts.passwordStdin ? (await ask('User: ')).trim() : 'admin');
  const password = opts.passwordStdin ? await stdinLine('the password') : await ask(`Password for ${name}: `, true);
  const res = await client.exchange(routes.auth.login, { body: { name, password } });
  const cookie = sessionHeaders(url, res.headers['set-cookie']);

  if (res.body.user.mustChangePassword) {
    note(`the password of ${name} must be changed now`);
    const newPassword = opts.passwordStdin ? await stdinLine('the new password') : await ask('New password: ', true);
    if (!opts.passwordStdin && (await ask('Repeat the new password: ', true)) !== newPassword) throw new UsageError('the two new passwords differ');
    await client.exchange(routes.auth.changePassword, { body: { oldPassword: password, newPassword } }, cookie);
  }
  const token = (await client.exchange(routes.auth.createToken, { body: { name: `cli@${hostname()}` } }, cookie)).body;
  // The CLI lives on its token; the login session is not needed any more.
  await client.exchange(routes.auth.logout, {}, cookie).catch(() => undefined);
  const profile: Profile = { url, user: name, token: token.token, tokenId: token.id, ...trust };
  writeProfile(profile);
  note(`logged in to ${url} as ${name} (${res.body.roles.join(', ') || 'no role'})`);
  return profile;
}

export function authCommands(program: Command): void {
  program
    .command('login')
    .description('Log in to a manager and keep an API token for the commands that follow')
    .argument('[url]', `the manager (default: the last one, or ${DEFAULT_URL})`)
    .option('-u, --user <name>', 'user name (default: asked; admin with --password-stdin)')
    .option('--password-stdin', 'read the password from standard input (and, when it must change, the new one from the next line)')
    .option('--accept-certificate', 'trust the manager\'s self-signed certificate without asking')
    .option('--ca <file>', 'trust the manager only if the certificates in this PEM file vouch for it: the CA that signed its certificate (for the URL\'s host), or its own certificate')
    .option('--data-dir <dir>', 'the local manager\'s data directory, whose certificate is trusted')
    .action(remote<LoginOptions>(async ({ args, opts, json }) => {
      const p = await login(args[0] as string | undefined, opts);
      if (json) printJson({ url: p.url, user: p.user, tokenId: p.tokenId });
    }, { anonymous: true }));

  program
    .command('logout')
    .description('Revoke the CLI\'s API token and forget the login')
    .action(remote(async ({ client }) => {
      const { tokenId } = client.profile;
      if (tokenId) await client.call(routes.auth.revokeToken, { params: { id: tokenId } }).catch(() => undefined);
      removeProfile();
      note('logged out');
    }));

  program
    .command('whoami')
    .description('Who the CLI is logged in as, and with which roles')
    .action(remote(async ({ client, json }) => {
      const me = await client.call(routes.meta.whoami);
      if (json) printJson({ url: client.profile.url, ...me });
      else print(formatFields([['Manager', client.profile.url], ['User', me.name], ['Roles', me.roles.join(', ')], ['Groups', me.groups.join(', ')]]));
    }));

  program
    .command('passwd')
    .description('Change your own password')
    .option('--password-stdin', 'read the current and the new password from two lines of standard input')
    .action(remote<{ passwordStdin?: boolean }>(async ({ client, opts }) => {
      const oldPassword = opts.passwordStdin ? await stdinLine('the current password') : await ask('Current password: ', true);
      const newPassword = opts.passwordStdin ? await stdinLine('the new password') : await ask('New password: ', true);
      await client.call(routes.auth.changePassword, { body: { oldPassword, newPassword } });
      note('password changed');
    }));

  const token = program.command('token').description('Your API tokens, for scripts and automation');
  token
    .command('list')
    .description('List your API tokens')
    .action(remote(async ({ client, json }) => {
      const tokens = await client.call(routes.auth.tokens);
      if (json) printJson(tokens);
      else print(formatTable(['ID', 'Name', 'Created', 'Expires', 'Last used'], tokens.map((t) => [t.id, t.name, when(t.createdAt), when(t.expiresAt), when(t.lastUsedAt)])));
    }));
  token
    .command('create')
    .description('Create an API token (needs a fresh login: use --password-stdin to script it); its secret is shown once')
    .argument('<name>', 'what the token is for')
    .option('--ttl-days <days>', 'expires after this many days (default: never)', Number)
    .option('-u, --user <name>', 'user name (default: the logged-in one)')
    .option('--password-stdin', 'read the password from standard input')
    .action(remote<{ ttlDays?: number; user?: string; passwordStdin?: boolean }>(async ({ client, args, opts, json }) => {
      // Tokens cannot mint tokens: this takes a login session of its own.
      const name = opts.user ?? client.profile.user;
      if (!name) throw new UsageError('not logged in: give --user');
      const password = opts.passwordStdin ? await stdinLine('the password') : await ask(`Password for ${name}: `, true);
      const res = await client.exchange(routes.auth.login, { body: { name, password } });
      const cookie = sessionHeaders(client.profile.url, res.headers['set-cookie']);
      try {
        const created = (await client.exchange(routes.auth.createToken, { body: { name: String(args[0]), ...(opts.ttlDays ? { ttlDays: opts.ttlDays } : {}) } }, cookie)).body;
        if (json) printJson(created);
        else print(`${created.token}\n`);
      } finally {
        await client.exchange(routes.auth.logout, {}, cookie).catch(() => undefined);
      }
    }));
  token
    .command('revoke')
    .description('Revoke one of your API tokens')
    .argument('<id>', 'the token\'s id (see token list)')
    .action(remote(async ({ client, args }) => {
      await client.call(routes.auth.revokeToken, { params: { id: String(args[0]) } });
      note(`token ${String(args[0])} revoked`);
    }));
}
