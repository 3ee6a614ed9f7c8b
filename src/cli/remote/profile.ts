// Where the CLI keeps its login: the manager's URL, an API token, and the manager's
// certificate when it is self-signed (pinned at login) or the CAs given at login (--ca). One
// file, readable by its owner only; CAPSTAN_URL, CAPSTAN_TOKEN and CAPSTAN_CA (a PEM file)
// override it for automation.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Endpoint } from '../../client/api-client.js';

export interface Profile extends Endpoint {
  user?: string;
  tokenId?: string;
}

export const DEFAULT_URL = 'https://localhost:14443';

export function profilePath(): string {
  return process.env.CAPSTAN_CONFIG ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'capstan', 'cli.json');
}

export function readProfile(): Profile {
  let stored: Partial<Profile> = {};
  try {
    stored = JSON.parse(readFileSync(profilePath(), 'utf8')) as Partial<Profile>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${profilePath()} is not readable: ${(e as Error).message}`, { cause: e });
  }
  const caFile = process.env.CAPSTAN_CA;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new Error(`CAPSTAN_CA: ${caFile} is not readable: ${(e as Error).message}`, { cause: e });
    }
  }
  return {
    ...stored,
    url: process.env.CAPSTAN_URL ?? stored.url ?? DEFAULT_URL,
    ...(process.env.CAPSTAN_TOKEN ? { token: process.env.CAPSTAN_TOKEN } : {}),
    // The CAs given here are the trust: a certificate pinned for another login is not.
    ...(ca ? { ca, certificate: undefined } : {}),
  };
}

export function writeProfile(profile: Profile): void {
  const file = profilePath();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(profile, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeProfile(): void {
  rmSync(profilePath(), { force: true });
}
